"""Each connector runs on its own beat schedule, and never twice at once."""

from datetime import timedelta

from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from connectors import services
from connectors.models import Connector, SyncRun
from intake.models import Signal

from .conftest import make_connector, sync


def test_a_new_connector_is_due_at_the_next_beat_tick(db):
    connector = make_connector(interval_minutes=15)

    task = PeriodicTask.objects.get(pk=connector.periodic_task_id)
    schedule = task.schedule
    assert schedule.run_every == timedelta(minutes=15)
    assert schedule.is_due(task.last_run_at).is_due


def test_renaming_a_connector_keeps_one_schedule(db):
    connector = make_connector(name="Before")
    connector.name = "After"
    services.save_connector(connector=connector)

    assert PeriodicTask.objects.count() == 1
    assert "After" in PeriodicTask.objects.get().description


def test_a_second_run_while_one_holds_the_connector_is_skipped(db, upstream):
    upstream.add_issue("acme/vpn", 1, "An issue")
    connector = make_connector()
    Connector.objects.filter(pk=connector.pk).update(
        lease_token="other-worker", lease_expires_at=timezone.now() + timedelta(minutes=5)
    )

    result = sync(connector)

    assert result.reason == "a sync of this connector is already running"
    assert upstream.count() == 0 and not SyncRun.objects.exists()


def test_an_expired_lease_from_a_killed_worker_is_taken_over(db, upstream):
    upstream.add_issue("acme/vpn", 1, "An issue")
    connector = make_connector()
    abandoned = SyncRun.objects.create(connector=connector)
    Connector.objects.filter(pk=connector.pk).update(
        lease_token="dead-worker", lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    run = sync(connector)

    assert run.outcome == SyncRun.Outcome.SUCCESS
    abandoned.refresh_from_db()
    assert abandoned.outcome == SyncRun.Outcome.FAILED and "Interrupted" in abandoned.error
    connector.refresh_from_db()
    assert connector.lease_token == "" and connector.lease_expires_at is None


def test_saving_the_connector_during_a_sync_does_not_break_its_lease(db, upstream):
    for number in range(1, 151):
        upstream.add_issue("acme/vpn", number, f"Issue {number}")
    connector = make_connector()
    stale = Connector.objects.get(pk=connector.pk)

    def admin_saves_midway(run, target, position, total, pages):
        stale.interval_minutes = 10
        services.save_connector(connector=stale)

    run = services.sync_connector(connector_id=connector.pk, progress=admin_saves_midway)

    assert run.outcome == SyncRun.Outcome.SUCCESS
    assert Signal.objects.count() == 150
    connector.refresh_from_db()
    assert (connector.interval_minutes, connector.lease_token) == (10, "")
