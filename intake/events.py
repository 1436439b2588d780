"""Domain events: what happened is recorded with the change; the work that follows runs later.

`record` writes one outbox row (`OutboxEvent`) per handler that `settings.EVENT_HANDLERS` (the
registry, config/events.py) lists for the event, inside the caller's transaction: the change and
the promise of its follow-up work commit together or not at all. After commit the relay hands
the rows to Celery; `dispatch_due`, run by beat every few seconds, hands over again whatever is
still pending and due (never sent because the broker was down, or sent and lost by a broker that
restarted empty). A row is done only once its handler has returned, so handlers must be
idempotent: a row may run twice, never zero times. Each attempt is counted as it starts, so a
row whose handler kills its worker every time runs a bounded number of times, then is failed.

Intake stands on the ground floor: handlers of the apps above are named here by dotted path in
the registry and imported only when a row runs, so nothing in intake imports them.
"""

import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import OutboxEvent

logger = logging.getLogger(__name__)

# PostgreSQL advisory locks are keyed by two int4: this namespace and the row's id.
_LOCK_NAMESPACE = 0x0B0C5
_last_broker_warning = 0.0
# After a failed hand-over this process leaves the rows to the sweep for a few seconds, so an
# outage costs each request at most one failed connection attempt, not one per row.
BROKER_PAUSE_SECONDS = 5.0
_broker_down_until = 0.0


def record(name: str, *, delay_seconds: float = 0, **payload) -> list[int]:
    """Record that `name` happened (with a JSON payload of ids and strings); returns row ids.

    Handlers receive the payload with an `event_key` added, unique to this event.

    Call inside the transaction of the change. Each handler of the event gets its own row, so
    one failing handler is retried alone. `delay_seconds` holds the rows back (a retry later).
    """
    handlers = settings.EVENT_HANDLERS.get(name)
    if handlers is None:
        raise ValueError(f"Unknown event “{name}”: list it in config/events.py.")
    if not handlers:
        return []
    available_at = timezone.now() + timedelta(seconds=delay_seconds)
    # One key for the event across its handlers' rows: what a handler creates can be made
    # unique on it, so a row that runs twice creates it once.
    payload = {**payload, "event_key": uuid.uuid4().hex}
    rows = OutboxEvent.objects.bulk_create(
        OutboxEvent(name=name, handler=handler, payload=payload, available_at=available_at)
        for handler in handlers
    )
    ids = [row.pk for row in rows]
    if not delay_seconds or _eager():
        transaction.on_commit(lambda: dispatch(ids))
    return ids


def _eager() -> bool:
    from config.celery import app

    return bool(app.conf.task_always_eager)


def dispatch(ids: Iterable[int]) -> int:
    """Hand rows to the broker; returns how many were handed over.

    With the broker unreachable nothing is raised: the rows stay due and the sweep sends them
    once it is back. In eager mode (no broker) each row runs here and now.
    """
    global _broker_down_until
    sent, eager = [], _eager()
    for pk in ids:
        if not eager and time.monotonic() < _broker_down_until:
            break  # it failed a moment ago: don't make another request wait for it
        try:
            _send(pk)
        except Exception as error:  # noqa: BLE001 - any broker failure leaves the row pending
            _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
            _warn_broker_down(error)
            break
        sent.append(pk)
    if sent and not eager:
        now = timezone.now()
        OutboxEvent.objects.filter(pk__in=sent, done_at__isnull=True).update(
            dispatched_at=now,
            available_at=now + timedelta(seconds=settings.OUTBOX_REDISPATCH_SECONDS),
        )
    return len(sent)


def _send(event_id: int) -> None:
    from . import tasks

    # No publish retries: with the broker down the request must not wait; the sweep resends.
    tasks.handle_outbox_event.apply_async((event_id,), retry=False)


def _warn_broker_down(error: BaseException) -> None:
    """Once a minute at most: an outage must not turn every request into a log line."""
    global _last_broker_warning
    if time.monotonic() - _last_broker_warning >= 60:
        _last_broker_warning = time.monotonic()
        logger.warning(
            "Broker unreachable (%s); pending work stays in the outbox and is sent when it is "
            "back.",
            type(error).__name__,
        )


def dispatch_due(*, limit: int = 1000) -> int:
    """The sweep: hand over every pending row that is due; forget done rows past retention."""
    now = timezone.now()
    due = list(
        OutboxEvent.objects.filter(
            done_at__isnull=True, failed_at__isnull=True, available_at__lte=now
        )
        .order_by("available_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    old = OutboxEvent.objects.filter(
        done_at__lt=now - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    ).values_list("pk", flat=True)[:limit]
    OutboxEvent.objects.filter(pk__in=list(old)).delete()
    return dispatch(due)


@contextmanager
def _claim(event_id: int) -> Iterator[bool]:
    """Hold the row while its handler runs, so a second copy of the message waits its turn.

    On PostgreSQL a session advisory lock: it dies with the process, so a worker killed
    mid-handler blocks nobody. The embedded SQLite default runs in one process: no lock needed.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    key = (_LOCK_NAMESPACE, event_id % 2**31)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def _backoff_seconds(attempts: int) -> float:
    return min(settings.OUTBOX_RETRY_SECONDS * 2 ** (attempts - 1), 3600)


def handle(event_id: int) -> str:
    """Run one row's handler unless it is done or running elsewhere; returns what happened.

    Every attempt counts, including one that never finishes (its handler killed the worker: out
    of memory, a crash in C). A handler that raises is retried later with exponential backoff;
    after OUTBOX_MAX_ATTEMPTS attempts the row is marked failed (kept, and retried from the
    admin), never run again by itself.
    """
    with _claim(event_id) as claimed:
        if not claimed:
            return "busy"
        row = OutboxEvent.objects.filter(
            pk=event_id, done_at__isnull=True, failed_at__isnull=True
        ).first()
        if row is None:
            return "done"
        rows = OutboxEvent.objects.filter(pk=row.pk)
        limit = settings.OUTBOX_MAX_ATTEMPTS
        now = timezone.now()
        if row.attempts >= limit:
            # A raising attempt marks the row failed itself: this one ended with its process.
            rows.update(
                failed_at=now,
                last_error=f"worker lost: attempt {row.attempts} of {limit} never finished",
            )
            logger.error("Outbox %s (%s) failed: its worker was lost %s times", row.pk, row, limit)
            return "failed"
        attempts = row.attempts + 1
        # Counted (and committed) before the handler runs: a handler that kills its process
        # leaves the attempt on the row, so a row that always does is failed after the limit.
        rows.update(
            attempts=attempts, available_at=now + timedelta(seconds=_backoff_seconds(attempts))
        )
        try:
            import_string(row.handler)(row.payload)
        except Exception as error:  # noqa: BLE001 - any failure is kept on the row and retried
            logger.exception("Outbox %s (%s) failed", row.pk, row)
            rows.update(
                last_error=f"{type(error).__name__}: {error}"[:2000],
                failed_at=timezone.now() if attempts >= limit else None,
            )
            return "failed"
        rows.update(done_at=timezone.now(), last_error="")
        return "done"


def retry(ids: Iterable[int]) -> int:
    """Make failed or waiting rows due now and hand them over (the admin's "Retry now").

    A failed row gets one more attempt: one that kills its worker fails again after it.
    """
    ids = list(
        OutboxEvent.objects.filter(pk__in=list(ids), done_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    OutboxEvent.objects.filter(pk__in=ids, failed_at__isnull=False).update(
        attempts=Least(F("attempts"), max(settings.OUTBOX_MAX_ATTEMPTS - 1, 0))
    )
    OutboxEvent.objects.filter(pk__in=ids).update(failed_at=None, available_at=timezone.now())
    transaction.on_commit(lambda: dispatch(ids))
    return len(ids)
