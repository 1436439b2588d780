"""GET /healthz: what monitoring polls every few seconds, and what anyone may read."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.models import Connector, SyncRun
from intake.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _connector(name: str, *, succeeded_minutes_ago: int | None = None) -> Connector:
    connector = Connector.objects.create(name=name, kind="github", options={"repos": ["a/b"]})
    if succeeded_minutes_ago is not None:
        finished = timezone.now() - timedelta(minutes=succeeded_minutes_ago)
        SyncRun.objects.create(connector=connector, outcome="success", finished_at=finished)
        # A later failed run does not count as a successful sync.
        SyncRun.objects.create(connector=connector, outcome="failed", finished_at=timezone.now())
    return connector


def test_healthz_reports_the_age_of_each_connectors_last_successful_sync(client):
    synced = _connector("GitHub", succeeded_minutes_ago=90)
    never = _connector("Reddit")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    report = response.json()
    assert report["status"] == "ok"
    assert report["database"] == "up"
    by_id = {c["id"]: c for c in report["connectors"]}
    assert 90 * 60 <= by_id[synced.pk]["last_success_age_seconds"] < 90 * 60 + 60
    assert by_id[never.pk]["last_success_age_seconds"] is None
    assert by_id[never.pk] == {
        "id": never.pk, "kind": "github", "enabled": True, "last_success_age_seconds": None,
    }  # fmt: skip


def test_healthz_names_no_connector_and_shows_no_internal_text(client):
    _connector("Acme private roadmap repo", succeeded_minutes_ago=5)
    body = client.get("/healthz").content.decode()
    assert "Acme" not in body
    assert "a/b" not in body


def test_healthz_costs_the_same_queries_however_many_connectors(client, django_assert_num_queries):
    queries = 2  # the outbox, the connectors with their last successful sync
    _connector("One", succeeded_minutes_ago=1)
    with django_assert_num_queries(queries):
        client.get("/healthz")
    for n in range(5):
        _connector(f"More {n}", succeeded_minutes_ago=n)
    with django_assert_num_queries(queries):
        assert len(client.get("/healthz").json()["connectors"]) == 6


def test_healthz_is_200_and_degraded_while_redis_is_down(client, cache_on_own_redis, settings):
    settings.CELERY_BROKER_URL = cache_on_own_redis.url
    report = client.get("/healthz").json()
    assert (report["status"], report["cache"], report["broker"]) == ("ok", "up", "up")

    cache_on_own_redis.stop()
    response = client.get("/healthz")

    assert response.status_code == 200
    report = response.json()
    assert (report["status"], report["cache"], report["broker"]) == ("degraded", "down", "down")
    assert "127.0.0.1" not in response.content.decode()


def test_healthz_counts_pending_outbox_events_and_the_age_of_the_oldest(client):
    now = timezone.now()
    for minutes, done, failed in ((30, True, False), (12, False, False), (3, False, True)):
        event = OutboxEvent.objects.create(
            name="idea.created", handler="intake.handlers.index_idea", available_at=now,
            done_at=now if done else None, failed_at=now if failed else None,
        )  # fmt: skip
        OutboxEvent.objects.filter(pk=event.pk).update(created_at=now - timedelta(minutes=minutes))

    outbox = client.get("/healthz").json()["outbox"]

    assert outbox["pending"] == 2
    assert outbox["failed"] == 1
    assert 12 * 60 <= outbox["oldest_pending_age_seconds"] < 12 * 60 + 60
