"""Each connector runs on its own beat schedule, never twice at once, and every run is recorded."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from connectors import run_lock, services
from connectors.models import SyncRun
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

    assert PeriodicTask.objects.filter(name__startswith="Sync connector").count() == 1
    assert "After" in PeriodicTask.objects.get(name__startswith="Sync connector").description


def test_a_run_while_another_holds_the_connector_is_skipped_and_recorded(db, upstream):
    upstream.add_issue("acme/vpn", 1, "An issue")
    connector = make_connector()
    other_run = run_lock.acquire(connector.pk)
    try:
        result = sync(connector)
    finally:
        other_run.release()

    assert (result.outcome, result.reason) == (SyncRun.Outcome.SKIPPED, services.HELD_REASON)
    assert result.summary == "skipped: another run of this connector holds it"
    assert upstream.count() == 0 and not Signal.objects.exists()


def test_once_the_other_run_releases_the_connector_the_next_run_goes_ahead(db, upstream):
    upstream.add_issue("acme/vpn", 1, "An issue")
    connector = make_connector()
    run_lock.acquire(connector.pk).release()

    run = sync(connector)

    assert (run.outcome, run.created) == (SyncRun.Outcome.SUCCESS, 1)


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted_by_the_next(db, upstream):
    upstream.add_issue("acme/vpn", 1, "An issue")
    connector = make_connector()
    abandoned = SyncRun.objects.create(connector=connector, fetched=40, created=40)

    run = sync(connector)

    assert run.outcome == SyncRun.Outcome.SUCCESS
    abandoned.refresh_from_db()
    assert abandoned.outcome == SyncRun.Outcome.INTERRUPTED
    assert abandoned.finished_at is not None
    assert abandoned.summary.startswith("interrupted after 40 created")


def test_the_periodic_check_marks_dead_runs_interrupted_and_leaves_live_ones(db):
    dead = SyncRun.objects.create(connector=make_connector(name="Dead"))
    live_connector = make_connector(name="Live")
    live = SyncRun.objects.create(connector=live_connector)
    hold = run_lock.acquire(live_connector.pk)
    try:
        marked = services.mark_interrupted_runs()
    finally:
        hold.release()

    assert marked == 1
    dead.refresh_from_db()
    live.refresh_from_db()
    assert (dead.outcome, live.outcome) == (SyncRun.Outcome.INTERRUPTED, SyncRun.Outcome.RUNNING)


def test_the_periodic_check_is_on_the_beat_schedule(settings):
    from config.celery import app

    entry = app.conf.beat_schedule["connectors-mark-interrupted-runs"]
    assert (entry["task"], entry["schedule"]) == ("connectors.mark_interrupted_runs", 60.0)


def test_saving_the_connector_during_a_sync_does_not_break_its_hold(db, upstream):
    for number in range(1, 151):
        upstream.add_issue("acme/vpn", number, f"Issue {number}")
    connector = make_connector()
    stale = type(connector).objects.get(pk=connector.pk)

    def admin_saves_midway(run, target, position, total, pages):
        stale.interval_minutes = 10
        services.save_connector(connector=stale)

    run = services.sync_connector(connector_id=connector.pk, progress=admin_saves_midway)

    assert run.outcome == SyncRun.Outcome.SUCCESS
    assert Signal.objects.count() == 150
    connector.refresh_from_db()
    assert connector.interval_minutes == 10
    assert sync(connector).outcome == SyncRun.Outcome.SUCCESS  # the hold was released


@pytest.fixture
def short_lease(monkeypatch):
    """SQLite's hold, a lease, made short enough to watch it renew and run out."""
    monkeypatch.setattr(run_lock, "LEASE_SECONDS", 1)
    monkeypatch.setattr(run_lock, "RENEW_SECONDS", 0.2)


@pytest.mark.django_db(transaction=True)
def test_a_lease_renewed_by_its_run_keeps_others_out_past_its_length(short_lease):
    connector = make_connector()
    holder = run_lock._Lease.acquire(connector.pk)
    time.sleep(1.5)

    other = run_lock._Lease.acquire(connector.pk)
    holder.check()  # still held: no HoldLost
    holder.release()

    assert other is None
    assert run_lock._Lease.acquire(connector.pk) is not None


@pytest.mark.django_db(transaction=True)
def test_the_lease_of_a_run_that_died_runs_out_within_its_length(short_lease):
    connector = make_connector()
    dead = run_lock._Lease.acquire(connector.pk)
    dead.stopped.set()  # its process is gone: nothing renews the lease any more
    dead.thread.join()
    time.sleep(1.1)

    taken_over = run_lock._Lease.acquire(connector.pk)

    assert taken_over is not None
    with pytest.raises(run_lock.HoldLost):
        dead.check()
    taken_over.release()


@pytest.mark.postgres
def test_a_run_whose_lock_session_is_cut_stops_before_writing_more(postgres, upstream):
    for number in range(1, 251):
        upstream.add_issue("acme/vpn", number, f"Issue {number}")
    connector = make_connector()

    def cut_the_lock_session(run, target, position, total, pages):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks "
                "WHERE locktype = 'advisory' AND classid = %s AND objid = %s",
                [run_lock.LOCK_NAMESPACE, connector.pk],
            )

    run = services.sync_connector(connector_id=connector.pk, progress=cut_the_lock_session)

    assert run.outcome == SyncRun.Outcome.FAILED
    assert "hold was lost" in run.error
    assert Signal.objects.count() == 0  # the page after the cut was rolled back
    assert timezone.now() >= run.finished_at
