"""Slack tests: a fake Slack Web API on 127.0.0.1, and the app's settings pointing at it."""

import pytest

from . import fake_slack


@pytest.fixture
def slack():
    fake = fake_slack.FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _slack_settings(settings, request):
    settings.SLACK_SIGNING_SECRET = fake_slack.SIGNING_SECRET
    settings.SLACK_BOT_TOKEN = fake_slack.BOT_TOKEN
    if "slack" in request.fixturenames:
        settings.SLACK_API_URL = request.getfixturevalue("slack").url


def post(client, body: str, **headers):
    """POST `body` to /slack/events, signed as Slack signs it unless headers say otherwise."""
    signed = fake_slack.signed(body)
    signed.update(headers)
    return client.post(
        "/slack/events",
        data=body,
        content_type="application/x-www-form-urlencoded",
        **signed,
    )
