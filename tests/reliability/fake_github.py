"""The fake GitHub API (tests/connectors/fake_api.py) with the settings pointing at it."""

from contextlib import contextmanager

from tests.connectors import fake_api


@contextmanager
def fake_github(settings):
    upstream = fake_api.FakeUpstream().start()
    settings.GITHUB_API_URL = upstream.url
    settings.GITHUB_TOKEN = fake_api.GITHUB_TOKEN
    try:
        yield upstream
    finally:
        upstream.stop()
