"""The outbox: work that follows a change is promised in the change's own transaction and is
done exactly when its handler has run, whatever the broker does."""

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from config.events import HANDLERS
from intake import events, services
from intake.models import Idea, OutboxEvent

pytestmark = pytest.mark.django_db

calls: list[dict] = []


def remember(payload: dict) -> None:
    calls.append(payload)


def explode(payload: dict) -> None:
    raise RuntimeError("the mail server is down")


def note_own_row(payload: dict) -> None:
    """What a worker killed right now would leave behind."""
    calls.append(OutboxEvent.objects.filter(name="test.watched").values().get())


@pytest.fixture
def registry(settings):
    calls.clear()
    settings.EVENT_HANDLERS = {
        "test.happened": [f"{__name__}.remember"],
        "test.fails": [f"{__name__}.explode"],
        "test.watched": [f"{__name__}.note_own_row"],
    }


@pytest.fixture
def no_broker():
    """As with a real broker: nothing runs inline, the rows wait to be handed over."""
    from config.celery import app

    app.conf.task_always_eager = False


def test_every_registered_handler_can_be_imported():
    for name, handlers in HANDLERS.items():
        for path in handlers:
            assert callable(import_string(path)), (name, path)


def test_an_unknown_event_is_refused(registry):
    with pytest.raises(ValueError, match="config/events.py"):
        events.record("test.never_registered")


def test_a_change_that_rolls_back_promises_nothing(registry):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.record("test.happened", idea_id=1)
        raise RuntimeError("the change failed")
    assert not OutboxEvent.objects.exists()


def test_a_committed_event_runs_its_handler_once_and_is_done(
    registry, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (row_id,) = events.record("test.happened", idea_id=7)
    assert [c["idea_id"] for c in calls] == [7]
    row = OutboxEvent.objects.get(pk=row_id)
    assert (row.state, row.attempts, row.last_error) == ("done", 1, "")
    # A second copy of the message (the broker redelivers, the sweep resends) does nothing.
    assert events.handle(row_id) == "done"
    assert len(calls) == 1


def test_handlers_of_one_event_share_its_key(registry, settings):
    settings.EVENT_HANDLERS = {"test.happened": [f"{__name__}.remember"] * 2}
    rows = OutboxEvent.objects.filter(pk__in=events.record("test.happened"))
    assert len({row.payload["event_key"] for row in rows}) == 1


def test_a_failing_handler_is_retried_later_with_its_error_kept(registry):
    (row_id,) = events.record("test.fails")
    assert events.handle(row_id) == "failed"
    row = OutboxEvent.objects.get(pk=row_id)
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.last_error == "RuntimeError: the mail server is down"
    assert row.available_at > timezone.now()


def test_a_handler_failing_too_often_is_kept_as_failed_until_retried(registry, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    (row_id,) = events.record("test.fails")
    events.handle(row_id)
    events.handle(row_id)
    assert OutboxEvent.objects.get(pk=row_id).state == "failed"
    settings.EVENT_HANDLERS = {"test.fails": [f"{__name__}.remember"]}
    OutboxEvent.objects.filter(pk=row_id).update(handler=f"{__name__}.remember")
    events.retry([row_id])
    events.handle(row_id)
    assert OutboxEvent.objects.get(pk=row_id).state == "done"


def test_an_attempt_is_counted_and_backed_off_before_its_handler_runs(registry):
    (row_id,) = events.record("test.watched")
    events.handle(row_id)
    (while_running,) = calls
    assert while_running["attempts"] == 1
    assert while_running["available_at"] > timezone.now()


def test_a_row_whose_last_attempt_never_finished_fails_at_the_limit_without_running(
    registry, settings, superuser, client
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    (row_id,) = events.record("test.happened")
    OutboxEvent.objects.filter(pk=row_id).update(attempts=3)  # the third one killed its worker

    assert events.handle(row_id) == "failed"

    assert calls == []
    row = OutboxEvent.objects.get(pk=row_id)
    assert (row.state, row.attempts) == ("failed", 3)
    assert row.last_error == "worker lost: attempt 3 of 3 never finished"
    client.force_login(superuser)
    failed = client.get("/admin/intake/outboxevent/", {"state": "failed"})
    assert failed.context["cl"].result_list[0] == row
    assert events.handle(row_id) == "done"  # a message that comes back again runs nothing
    assert calls == []


def test_a_failed_row_retried_from_the_admin_gets_one_more_attempt(registry, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    (row_id,) = events.record("test.fails")
    OutboxEvent.objects.filter(pk=row_id).update(attempts=3, failed_at=timezone.now())

    events.retry([row_id])
    assert events.handle(row_id) == "failed"

    row = OutboxEvent.objects.get(pk=row_id)
    assert (row.state, row.attempts) == ("failed", 3)
    assert row.last_error == "RuntimeError: the mail server is down"


def test_the_sweep_hands_over_what_is_due_and_only_that(registry, no_broker, monkeypatch):
    now = timezone.now()
    due = events.record("test.happened")
    later = events.record("test.happened", delay_seconds=600)
    sent = []
    monkeypatch.setattr(events, "_send", sent.append)
    events.dispatch_due()
    assert sent == due
    row = OutboxEvent.objects.get(pk=due[0])
    # Sent, but kept pending: if the broker loses it, it is due again in a little while.
    assert row.state == "pending" and row.dispatched_at is not None
    assert row.available_at >= now + timedelta(seconds=29)
    assert OutboxEvent.objects.get(pk=later[0]).dispatched_at is None


def test_a_broker_that_is_down_fails_nothing_and_the_rows_stay_due(
    registry, no_broker, monkeypatch
):
    tries = []

    def refuse(event_id):
        tries.append(event_id)
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(events, "_send", refuse)
    monkeypatch.setattr(events, "_broker_down_until", 0.0)
    ids = events.record("test.happened") + events.record("test.happened")
    assert events.dispatch(ids) == 0
    assert events.dispatch(ids) == 0
    # One failed connection attempt, then the rows are left to the sweep for a while.
    assert len(tries) == 1
    for row in OutboxEvent.objects.filter(pk__in=ids):
        assert row.dispatched_at is None and row.available_at <= timezone.now()


def test_done_rows_are_forgotten_after_the_retention(registry, settings):
    settings.OUTBOX_KEEP_DAYS = 7
    old, recent = events.record("test.happened"), events.record("test.happened")
    OutboxEvent.objects.filter(pk__in=old).update(done_at=timezone.now() - timedelta(days=8))
    OutboxEvent.objects.filter(pk__in=recent).update(done_at=timezone.now())
    events.dispatch_due()
    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == recent


def test_submitting_an_idea_promises_indexing_scoring_and_webhooks(employee, no_broker):
    signal = services.submit_employee_idea(user=employee, title="Exit node failover")
    handlers = set(
        OutboxEvent.objects.filter(payload__idea_id=signal.idea_id).values_list(
            "handler", flat=True
        )
    )
    assert handlers == set(HANDLERS["idea.created"])
    # Recorded once: one row per handler of the event.
    attached = OutboxEvent.objects.filter(name="signal.attached")
    assert sorted(attached.values_list("handler", flat=True)) == sorted(HANDLERS["signal.attached"])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_running_in_another_process_is_left_to_it(postgres, registry):
    """The claim is a PostgreSQL advisory lock, held by the connection running the row."""
    import psycopg
    from django.db import connection

    (row_id,) = events.record("test.happened")
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    key = (events._LOCK_NAMESPACE, row_id)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", key)
        assert events.handle(row_id) == "busy"
        pid = other.info.backend_pid
    # The other process is gone, and its lock with it (once the server has ended its backend).
    with psycopg.connect(**params, autocommit=True) as watcher:
        deadline = time.monotonic() + 10
        while watcher.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert events.handle(row_id) == "done"
    assert Idea.objects.count() == 0 and len(calls) == 1
