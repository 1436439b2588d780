"""Credentials never reach the logs, even with every library logging at DEBUG."""

import base64
import logging

from django.core import serializers
from django_celery_beat.models import PeriodicTask

from connectors.models import Connector, SyncCursor, SyncRun

from . import fake_api
from .conftest import make_connector, sync

SECRETS = (
    fake_api.GITHUB_TOKEN,
    fake_api.REDDIT_CLIENT_ID,
    fake_api.REDDIT_CLIENT_SECRET,
    fake_api.REDDIT_ACCESS_TOKEN,
    fake_api.ZENDESK_API_TOKEN,
    # What a Basic authorization header would carry for Zendesk.
    base64.b64encode(
        f"{fake_api.ZENDESK_EMAIL}/token:{fake_api.ZENDESK_API_TOKEN}".encode()
    ).decode(),
)


def test_syncing_logs_no_credentials(db, upstream, caplog):
    upstream.add_issue("acme/vpn", 1, "An issue")
    upstream.add_discussion("acme/vpn", 2, "A discussion")
    upstream.add_post("meshvpn", "a", "A post")
    upstream.fail_next("/issues", 502)
    upstream.fail_next("/r/meshvpn/new", 429, headers={"Retry-After": "900"})
    upstream.add_ticket("A ticket")
    upstream.fail_next("/incremental/tickets", 503)
    caplog.set_level(logging.DEBUG)

    sync(make_connector(name="gh", options={"repos": ["acme/vpn"], "discussions": True}))
    sync(make_connector(name="rd", kind="reddit"))
    sync(make_connector(name="zd", kind="zendesk"))

    assert "Retrying" in caplog.text or "retry" in caplog.text  # the libraries did log
    for secret in SECRETS:
        assert secret not in caplog.text


def test_credentials_are_never_stored(db, upstream):
    upstream.add_issue("acme/vpn", 1, "An issue")
    upstream.add_post("meshvpn", "a", "A post")
    upstream.fail_next("/issues", 401, body={"message": f"Bad credentials {fake_api.GITHUB_TOKEN}"})
    github = make_connector(name="gh")
    sync(github)
    sync(github)
    sync(make_connector(name="rd", kind="reddit"))

    stored = "".join(
        serializers.serialize("json", model.objects.all())
        for model in (Connector, SyncRun, SyncCursor, PeriodicTask)
    )
    assert "Bad credentials" in stored
    for secret in SECRETS:
        assert secret not in stored


def _leaky_error() -> Exception:
    """A bug whose message, and whose cause's, quote every credential."""
    try:
        raise ValueError(
            f"Authorization: bearer {fake_api.REDDIT_ACCESS_TOKEN} "
            f"id={fake_api.REDDIT_CLIENT_ID} secret={fake_api.REDDIT_CLIENT_SECRET}"
        )
    except ValueError as cause:
        try:
            raise RuntimeError(f"GET /repos?access_token={fake_api.GITHUB_TOKEN}") from cause
        except RuntimeError as error:
            return error


def test_an_unexpected_error_is_logged_with_its_traceback_but_no_credentials(
    db, upstream, caplog, monkeypatch
):
    from connectors import services

    def fail(items):
        raise _leaky_error()

    upstream.add_issue("acme/vpn", 1, "An issue")
    monkeypatch.setattr(services, "store_items", fail)
    caplog.set_level(logging.DEBUG)

    run = sync(make_connector(name="gh"))

    assert run.outcome == SyncRun.Outcome.FAILED
    (record,) = [r for r in caplog.records if "sync failed" in r.getMessage()]
    assert record.exc_info is None
    assert "Traceback" in caplog.text and "RuntimeError" in caplog.text
    assert "ValueError" in caplog.text  # the cause is logged too
    for secret in SECRETS:
        assert secret not in caplog.text
        assert secret not in run.error


def test_an_error_before_the_source_starts_logs_no_credentials(db, caplog, monkeypatch):
    from connectors import registry

    def fail(connector):
        raise _leaky_error()

    connector = make_connector(name="gh")
    monkeypatch.setattr(registry, "source_for", fail)
    caplog.set_level(logging.DEBUG)

    sync(connector)

    assert "sync failed" in caplog.text
    for secret in SECRETS:
        assert secret not in caplog.text
