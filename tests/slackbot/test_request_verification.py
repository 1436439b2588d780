"""Only requests signed by Slack, recently and once, reach the app; the rest get 401."""

import json
import logging
import time

from intake.models import Signal

from . import fake_slack
from .conftest import post


def _command(text="Exit nodes chosen by country"):
    return fake_slack.command_body(user_id="U0EMMA", text=text)


def test_a_request_signed_with_another_secret_is_refused_and_logged_without_its_body(
    client, slack, employee, caplog
):
    body = _command("Top secret roadmap idea")
    forged = fake_slack.signed(body, secret="not-the-signing-secret")

    with caplog.at_level(logging.WARNING, logger="slackbot"):
        response = post(client, body, **forged)

    assert response.status_code == 401
    assert "bad signature" in caplog.text
    assert "Top secret" not in caplog.text
    assert slack.calls == []
    assert not Signal.objects.exists()


def test_an_old_request_is_refused(client, slack, caplog):
    body = _command()
    stale = fake_slack.signed(body, timestamp=int(time.time()) - 6 * 60)

    with caplog.at_level(logging.WARNING, logger="slackbot"):
        response = post(client, body, **stale)

    assert response.status_code == 401
    assert "five minutes" in caplog.text


def test_the_same_signed_request_sent_twice_is_refused_the_second_time(client, slack, employee):
    slack.add_user("U0EMMA", employee.email, "Emma Stone")
    body = _command()
    headers = fake_slack.signed(body)

    assert post(client, body, **headers).status_code == 200
    assert post(client, body, **headers).status_code == 401
    assert Signal.objects.count() == 1


def test_a_request_without_signature_headers_is_refused(client, db):
    response = client.post(
        "/slack/events", data=_command(), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 401


def test_without_a_signing_secret_every_request_is_refused(client, slack, settings):
    settings.SLACK_SIGNING_SECRET = ""
    assert post(client, _command()).status_code == 401


def test_only_post_is_answered(client, db):
    assert client.get("/slack/events").status_code == 405


def test_slack_checking_the_request_url_gets_its_challenge_back(client, slack, db):
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = json.dumps({"token": "x", "challenge": challenge, "type": "url_verification"})
    response = client.post(
        "/slack/events", data=body, content_type="application/json", **fake_slack.signed(body)
    )

    assert response.status_code == 200
    assert challenge in response.content.decode()
