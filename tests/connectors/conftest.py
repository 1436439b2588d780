"""Connector tests: a local fake GitHub/Reddit API, and settings pointing the real clients at it."""

import pytest

from connectors import services
from connectors.models import Connector

from . import fake_api


@pytest.fixture
def upstream():
    fake = fake_api.FakeUpstream().start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _connector_settings(settings, request):
    """Credentials and endpoints for the fake API; retries and waits kept tiny."""
    if "upstream" in request.fixturenames:
        url = request.getfixturevalue("upstream").url
        settings.GITHUB_API_URL = url
        settings.REDDIT_URL = url
        settings.REDDIT_OAUTH_URL = url
        settings.ZENDESK_URL = url
    settings.GITHUB_TOKEN = fake_api.GITHUB_TOKEN
    settings.REDDIT_CLIENT_ID = fake_api.REDDIT_CLIENT_ID
    settings.REDDIT_CLIENT_SECRET = fake_api.REDDIT_CLIENT_SECRET
    settings.REDDIT_USER_AGENT = "idea-intake tests/1.0"
    settings.ZENDESK_EMAIL = fake_api.ZENDESK_EMAIL
    settings.ZENDESK_API_TOKEN = fake_api.ZENDESK_API_TOKEN
    settings.CONNECTORS_RETRY_ATTEMPTS = 3
    settings.CONNECTORS_BACKOFF_BASE_SECONDS = 0.01
    settings.CONNECTORS_BACKOFF_MAX_SECONDS = 0.02
    settings.CONNECTORS_MAX_RATE_LIMIT_WAIT_SECONDS = 1.0
    settings.CONNECTORS_HTTP_TIMEOUT_SECONDS = 5


def make_connector(
    *, kind: str = "github", name: str | None = None, options: dict | None = None, **fields
) -> Connector:
    """A connector saved the way the admin saves it (options validated, schedule created)."""
    if options is None:
        options = {
            "github": {"repos": ["acme/vpn"]},
            "reddit": {"subreddits": ["meshvpn"]},
            "zendesk": {"tags": ["feature-request"]},
        }[kind]
    connector = Connector(name=name or f"{kind} connector", kind=kind, options=options, **fields)
    return services.save_connector(connector=connector)


def sync(connector: Connector):
    return services.sync_connector(connector_id=connector.pk)
