"""Writes of the connectors: saving a connector with its schedule, and syncing it into signals.

The sync guarantees, whatever the APIs do:
- two runs of one connector never overlap, and a run's hold dies with its process (see
  `run_lock`); a run left "running" by a dead process is marked interrupted, a run that could
  not start is recorded as skipped, with the reason;
- each page's signals and the cursor state after it are stored in one transaction, so a run
  that stops half-way keeps what it stored and the next run resumes from there;
- storing is idempotent on (source, external_id) and never touches triage fields, so
  re-fetching an item writes nothing unless it changed upstream;
- malformed items are recorded on the run with what was wrong, and the run goes on; the
  cursor passes them (re-reading an unchanged bad item would not fix it), and they come back
  as soon as they change upstream. A whole unreadable page, by contrast, stops its target
  without moving the cursor.
"""

from __future__ import annotations

import json
import logging
import re
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, ForeignKey, IntegerField, TextField
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from intake import events
from intake.models import Organization, Signal
from intake.services import upsert_signal

from . import registry, run_lock, selectors
from .cleaning import without_control_characters
from .models import Connector, SyncCursor, SyncRun
from .retry import RateLimited, UpstreamUnavailable
from .sources import Item, ItemError, TargetFailed

logger = logging.getLogger(__name__)

SYNC_TASK = "connectors.sync_connector"
SIGNAL_FIELDS = (
    "url", "title", "body", "author", "votes", "comment_count", "upstream_state",
    "created_upstream", "updated_upstream", "raw",
)  # fmt: skip
EDITABLE_FIELDS = (
    "name", "kind", "enabled", "public", "reply_in_threads", "interval_minutes", "options",
)  # fmt: skip
MAX_ITEM_ERRORS = 200

# Connectors and schedules


@transaction.atomic
def save_connector(*, connector: Connector) -> Connector:
    """Validate and save a connector, and keep its beat schedule (a PeriodicTask) in step.

    Options are normalised by the connector kind's source; a problem raises a ValidationError
    on `options`. A new or re-enabled connector syncs at the next beat tick, then every
    `interval_minutes`. Only the editable fields are written, so saving never disturbs a sync.
    """
    connector.options = registry.validate_options(connector.kind, connector.options)
    connector.full_clean(exclude=["periodic_task"])
    was_public = Connector.objects.filter(pk=connector.pk, public=True).exists()
    if connector.pk is None:
        connector.save()
    else:
        connector.save(update_fields=[*EDITABLE_FIELDS, "updated_at"])
    _schedule(connector)
    if was_public != connector.public:
        # The public roadmap links only to threads of public connectors (its vote links).
        events.record("connector.visibility_changed", connector_id=connector.pk)
    return connector


def _schedule(connector: Connector) -> None:
    interval, _ = IntervalSchedule.objects.get_or_create(
        every=connector.interval_minutes, period=IntervalSchedule.MINUTES
    )
    task = PeriodicTask.objects.filter(pk=connector.periodic_task_id).first()
    if task is None:
        task = PeriodicTask(name=f"Sync connector #{connector.pk}", task=SYNC_TASK)
    task.interval = interval
    task.args = json.dumps([connector.pk])
    task.enabled = connector.enabled
    task.description = f"Sync the connector “{connector.name}” (managed by Connectors; edit there)."
    if connector.enabled and task.last_run_at is None:
        # Due at once: the first sync shouldn't wait a whole interval.
        task.last_run_at = timezone.now() - timedelta(minutes=connector.interval_minutes)
    task.save()
    if connector.periodic_task_id != task.pk:
        Connector.objects.filter(pk=connector.pk).update(periodic_task=task)
        connector.periodic_task = task


@transaction.atomic
def delete_connector(*, connector: Connector) -> None:
    """Delete a connector with its schedule, cursors and runs. Its signals stay."""
    if connector.periodic_task_id:
        PeriodicTask.objects.filter(pk=connector.periodic_task_id).delete()
    connector.delete()


# Storing items


@dataclass
class Stored:
    created_ids: list[int]
    updated: int
    errors: list[ItemError]
    # Ideas whose demand changed: their signals were updated, or a cross-post joined them.
    idea_ids: set[int]
    # Items stored without the control characters they came with, for the run's notes.
    cleaned: list[str]


def _field_values(item: Item, organizations: dict[tuple[str, str], int | None]) -> dict:
    """The signal's column values for `item`; the organization only when the source named one
    (a GitHub issue has none, and must not clear one)."""
    values = {name: getattr(item, name) for name in SIGNAL_FIELDS}
    key = (item.source, item.external_id)
    if key in organizations:
        values["organization_id"] = organizations[key]
    return values


def _validation_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)


def store_items(items: list[Item]) -> Stored:
    """Create or update the signals for `items`, in bulk, with `upsert_signal`'s guarantees.

    Same rules as `intake.services.upsert_signal`: idempotent by (source, external_id), only
    content fields are ever updated (never the idea or importance), and a new signal whose URL
    (or linked URL) is already known to an idea attaches to it. Call it inside a transaction.
    The unique constraint on (source, external_id) is the backstop: if another writer inserted
    one of these signals meanwhile, this batch falls back to `upsert_signal` item by item.
    """
    items, cleaned = without_control_characters(items)
    latest: dict[tuple[str, str], Item] = {}
    for item in items:
        latest[(item.source, item.external_id)] = item  # a listing can repeat an item
    errors: list[ItemError] = []
    organizations = selectors.organization_ids_for(latest.values())
    existing: dict[tuple[str, str], Signal] = {}
    for source in {key[0] for key in latest}:
        ids = [key[1] for key in latest if key[0] == source]
        for signal in Signal.objects.filter(source=source, external_id__in=ids).only(
            "pk", "source", "external_id", "idea_id", "organization_id", *SIGNAL_FIELDS
        ):
            existing[(signal.source, signal.external_id)] = signal

    now = timezone.now()
    to_update: list[Signal] = []
    changed_fields: set[str] = set()
    new_items: list[Item] = []
    for key, item in latest.items():
        signal = existing.get(key)
        if signal is None:
            new_items.append(item)
            continue
        wanted = _field_values(item, organizations)
        changed = [f for f, value in wanted.items() if getattr(signal, f) != value]
        if not changed:
            continue
        for name in changed:
            setattr(signal, name, wanted[name])
        try:
            signal.clean_fields(exclude=[f for f in _all_fields() if f not in changed])
        except ValidationError as error:
            errors.append(ItemError(f"{item.source} {item.external_id}", _validation_text(error)))
            continue
        signal.updated_at = now
        changed_fields.update(changed)
        to_update.append(signal)
    if to_update:
        Signal.objects.bulk_update(to_update, [*sorted(changed_fields), "updated_at"])

    known = _ideas_by_url(new_items)
    kept_items: list[Item] = []
    for item in new_items:
        problem = _invalid(item)
        if problem:
            errors.append(ItemError(f"{item.source} {item.external_id}", problem))
        else:
            kept_items.append(item)
    created_ids: list[int] = []
    if kept_items:
        try:
            with transaction.atomic():
                _insert(kept_items, known, now, organizations)
            created_ids = _ids_of(kept_items)
        except IntegrityError:
            created_ids = []
            for item in kept_items:
                fields = _field_values(item, organizations)
                if "organization_id" in fields:
                    fields["organization"] = Organization.objects.filter(
                        pk=fields.pop("organization_id")
                    ).first()
                try:
                    signal, was_created = upsert_signal(
                        source=item.source, external_id=item.external_id, **fields
                    )
                except ValidationError as error:
                    label = f"{item.source} {item.external_id}"
                    errors.append(ItemError(label, _validation_text(error)))
                    continue
                if was_created:
                    created_ids.append(signal.pk)
    idea_ids = {s.idea_id for s in to_update if s.idea_id}
    for item in kept_items:
        idea_ids.update(known[u] for u in (item.url, item.linked_url) if u in known)
    return Stored(
        created_ids=created_ids,
        updated=len(to_update),
        errors=errors,
        idea_ids=idea_ids,
        cleaned=cleaned,
    )


def _invalid(item: Item) -> str:
    """What keeps `item` from being a valid signal, checked without the per-field ORM cost."""
    for name in ("external_id", "url", "title", "author", "upstream_state"):
        limit = Signal._meta.get_field(name).max_length
        if len(getattr(item, name)) > limit:
            return f"{name}: longer than {limit} characters"
    if not item.external_id:
        return "external_id: empty"
    if not item.url.startswith(("http://", "https://")):
        return "url: not an http(s) URL"
    if item.votes < 0 or item.comment_count < 0:
        return "votes/comment_count: negative"
    return ""


def _insert(items: list[Item], known: dict[str, int], now, organizations: dict) -> None:
    """Insert new signals in one statement per backend; a duplicate raises IntegrityError.

    The ORM's bulk_create spends most of a first sync preparing every field of every row.
    Here only the fields an item sets are prepared per row; every other column takes the
    model's default, prepared once, so a field added to Signal later still gets its default.
    """
    from django.db import connection

    template = Signal()
    per_row = {*SIGNAL_FIELDS, "source", "external_id", "idea", "organization"}
    fields = [f for f in Signal._meta.concrete_fields if not f.primary_key]
    constant = {}
    for field in fields:
        if field.name in per_row or (field.has_default() and callable(field.default)):
            continue  # prepared row by row below
        timestamp = field.name in ("created_at", "updated_at")
        value = now if timestamp else getattr(template, field.attname)
        constant[field.attname] = field.get_db_prep_save(value, connection)
    # Text and integers go to the driver as they are; times and JSON need the backend's form.
    fields_plain = [
        (f, isinstance(f, CharField | TextField | IntegerField | ForeignKey)) for f in fields
    ]
    rows = []
    for item in items:
        values = {
            **_field_values(item, organizations),
            "source": item.source,
            "external_id": item.external_id,
            "idea_id": known.get(item.url) or known.get(item.linked_url),
        }
        row = []
        for field, plain in fields_plain:
            if field.attname in constant:
                row.append(constant[field.attname])
            elif field.attname in values:
                value = values[field.attname]
                row.append(value if plain else field.get_db_prep_save(value, connection))
            else:
                row.append(field.get_db_prep_save(field.get_default(), connection))
        rows.append(row)
    quote = connection.ops.quote_name
    table = quote(Signal._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams every row in one round trip; the unique constraint still applies.
            with connection.wrap_database_errors:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            # Only quoted model column names are interpolated; every value is a parameter.
            placeholders = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
            cursor.executemany(sql, rows)


def _all_fields() -> list[str]:
    return [f.name for f in Signal._meta.concrete_fields]


def _ids_of(items: list[Item]) -> list[int]:
    ids: list[int] = []
    for source in {item.source for item in items}:
        external_ids = [item.external_id for item in items if item.source == source]
        ids += Signal.objects.filter(source=source, external_id__in=external_ids).values_list(
            "pk", flat=True
        )
    return ids


def _ideas_by_url(items: list[Item]) -> dict[str, int]:
    urls = {u for item in items for u in (item.url, item.linked_url) if u}
    if not urls:
        return {}
    found: dict[str, int] = {}
    for url, idea_id in (
        Signal.objects.filter(url__in=urls, idea__isnull=False)
        .order_by("created_at")
        .values_list("url", "idea_id")
    ):
        found.setdefault(url, idea_id)
    return found


# Syncing

INTERRUPTED_REASON = (
    "its process stopped (killed or crashed) before the run finished; the next run resumed "
    "from the last stored page"
)
HELD_REASON = "another run of this connector holds it"


def _skip(connector: Connector, reason: str) -> SyncRun:
    now = timezone.now()
    return SyncRun.objects.create(
        connector=connector, outcome=SyncRun.Outcome.SKIPPED, reason=reason, finished_at=now
    )


def _rate_limit_reason(connector: Connector) -> str:
    until = connector.rate_limited_until
    if until and until > timezone.now():
        return f"waiting for the rate-limit reset until {until:%Y-%m-%d %H:%M:%S} UTC"
    return ""


def _mark_interrupted(connector_id: int) -> int:
    """Under the connector's hold, any run still "running" was left by a dead process."""
    return SyncRun.objects.filter(
        connector_id=connector_id, outcome=SyncRun.Outcome.RUNNING
    ).update(
        outcome=SyncRun.Outcome.INTERRUPTED, finished_at=timezone.now(), reason=INTERRUPTED_REASON
    )


def mark_interrupted_runs() -> int:
    """Mark interrupted every run left "running" by a process that died; returns how many.

    A connector whose hold is free has no live run, so its "running" runs are dead ones. A
    connector held by a live run is left alone.
    """
    marked = 0
    running = SyncRun.objects.filter(outcome=SyncRun.Outcome.RUNNING)
    for connector_id in running.values_list("connector_id", flat=True).distinct():
        hold = run_lock.acquire(connector_id)
        if hold is None:
            continue
        try:
            marked += _mark_interrupted(connector_id)
        finally:
            hold.release()
    return marked


def _take(connector: Connector) -> tuple[run_lock.Hold | None, SyncRun | None]:
    """The connector's hold for a run, or the skipped run (recorded) saying why not."""
    reason = _rate_limit_reason(connector)
    hold = None if reason else run_lock.acquire(connector.pk)
    if hold is None:
        return None, _skip(connector, reason or HELD_REASON)
    return hold, None


def skip_if_blocked(*, connector_id: int) -> SyncRun | None:
    """The skipped run, recorded, if a sync of this connector could not start now; else None.

    What "Sync now" asks before queueing a run on a worker, so that it can say at once that
    the run would wait for a rate limit or another run.
    """
    hold, skipped = _take(Connector.objects.get(pk=connector_id))
    if hold is not None:
        hold.release()
    return skipped


def _scrub(text: str, secrets: list[str]) -> str:
    # Longest first: a secret that contains another is not left half-redacted.
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return text


def _configured_secrets() -> list[str]:
    """Every credential in the settings, scrubbed even before a source has named its own."""
    return [
        settings.GITHUB_TOKEN,
        settings.REDDIT_CLIENT_ID,
        settings.REDDIT_CLIENT_SECRET,
        settings.ZENDESK_API_TOKEN,
    ]


# Credentials a library may print in an exception: "Authorization: Bearer abc…", "token abc…".
_AUTHORIZATION = re.compile(r"(?i)\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/=-]{8,}")


def _scrubbed_traceback(error: BaseException, secrets: list[str]) -> str:
    """The traceback of `error` (with its causes) as text, credentials redacted."""
    text = "".join(traceback.format_exception(error))
    return _AUTHORIZATION.sub(r"\1\2[redacted]", _scrub(text, secrets))


# Told after every page: the run so far, the target, its position, the number of targets, and
# (page, last page) when the API says.
ProgressCallback = Callable[..., None]


def sync_connector(
    *, connector_id: int, progress: ProgressCallback | None = None
) -> SyncRun | None:
    """Run one sync of a connector now, in this process; returns its SyncRun.

    Every run is recorded, a skipped one too: without calling the API, it is skipped when the
    API's rate limit has not reset yet or another live run holds the connector, with the
    reason. The hold dies with the process (see `run_lock`): a run left "running" by a dead
    process is marked interrupted as soon as the next run takes the connector. None when the
    connector no longer exists.
    """
    connector = Connector.objects.filter(pk=connector_id).first()
    if connector is None:
        return None
    hold, skipped = _take(connector)
    if hold is None:
        return skipped
    try:
        _mark_interrupted(connector.pk)
        run = SyncRun.objects.create(connector=connector)
        _run(connector, run, hold, progress)
        return run
    finally:
        hold.release()


class _TargetWriter:
    """Stores one target's pages with the cursor state after them, a few pages per transaction.

    One transaction per page would be simplest, but each commit costs a disk flush (tens of
    milliseconds on SQLite): grouping pages up to FLUSH_ITEMS items or FLUSH_SECONDS keeps the
    guarantee (signals and cursor commit together) at a fraction of the cost.
    """

    FLUSH_ITEMS = 1000
    FLUSH_SECONDS = 2.0

    def __init__(
        self, *, run: SyncRun, cursor: SyncCursor, hold: run_lock.Hold, source, item_errors
    ):
        self.run, self.cursor, self.hold, self.source = run, cursor, hold, source
        self.item_errors = item_errors
        self.pending: list = []
        self.pending_items = 0
        self.last_flush = time.monotonic()

    def add(self, batch) -> None:
        """Buffer a page (counted as fetched at once), storing the buffer when it is due."""
        self.pending.append(batch)
        self.pending_items += len(batch.items)
        self.run.fetched += len(batch.items) + len(batch.errors)
        due = time.monotonic() - self.last_flush >= self.FLUSH_SECONDS
        if self.pending_items >= self.FLUSH_ITEMS or due:
            self.flush()

    def flush(self) -> None:
        batches, self.pending, self.pending_items = self.pending, [], 0
        self.last_flush = time.monotonic()
        if not batches:
            return
        run, secrets = self.run, [*_configured_secrets(), *self.source.secrets()]
        with transaction.atomic():
            stored = store_items([item for batch in batches for item in batch.items])
            errors = [error for batch in batches for error in batch.errors] + stored.errors
            state_moved = batches[-1].state != self.cursor.state
            if state_moved:
                self.cursor.state = batches[-1].state
                self.cursor.save(update_fields=["state", "updated_at"])
            run.created += len(stored.created_ids)
            run.updated += stored.updated
            run.requests = self.source.requests_made
            for error in errors:
                if len(self.item_errors) < MAX_ITEM_ERRORS:
                    self.item_errors.append(
                        {
                            "target": self.cursor.target,
                            "item": _scrub(error.item, secrets),
                            "error": _scrub(error.message, secrets),
                        }
                    )
                else:
                    self.item_errors[-1]["more"] = self.item_errors[-1].get("more", 0) + 1
            run.notes.extend(stored.cleaned[: max(0, MAX_ITEM_ERRORS - len(run.notes))])
            if stored.created_ids or stored.idea_ids:
                # Duplicate matching and rescoring follow on a worker, promised with this page.
                events.record(
                    "signal.arrived",
                    signal_ids=sorted(stored.created_ids),
                    idea_ids=sorted(stored.idea_ids),
                )
            wrote = bool(
                stored.created_ids or stored.updated or errors or state_moved or stored.cleaned
            )
            if wrote:
                run.item_errors = self.item_errors
                run.save(
                    update_fields=[
                        "fetched", "created", "updated", "requests", "item_errors", "notes"
                    ]
                )  # fmt: skip
                # Last in the transaction: a run that lost its hold rolls the page back.
                self.hold.check()


def _run(connector: Connector, run: SyncRun, hold: run_lock.Hold, progress) -> None:
    problems: list[str] = []
    item_errors: list[dict] = []
    failed_targets = 0
    outcome = None
    secrets: list[str] = _configured_secrets()
    source = None
    try:
        source = registry.source_for(connector)
        secrets = [*secrets, *source.secrets()]
        targets = source.targets()
        for position, target in enumerate(targets, start=1):
            cursor, _ = SyncCursor.objects.get_or_create(connector=connector, target=target)
            writer = _TargetWriter(
                run=run, cursor=cursor, hold=hold, source=source, item_errors=item_errors
            )
            try:
                try:
                    for batch in source.fetch(target, cursor.state):
                        writer.add(batch)
                        if progress is not None:
                            progress(run, target, position, len(targets), batch.pages)
                finally:
                    # Pages fetched before a stop (rate limit, outage) are stored all the same.
                    writer.flush()
            except (UpstreamUnavailable, TargetFailed) as error:
                failed_targets += 1
                problems.append(f"{target}: {error}")
                logger.warning(
                    "Connector %s, %s: %s", connector.name, target, _scrub(str(error), secrets)
                )
        if failed_targets and failed_targets == len(targets):
            outcome = SyncRun.Outcome.FAILED
    except RateLimited as error:
        outcome = SyncRun.Outcome.RATE_LIMITED
        run.retry_after = timezone.now() + timedelta(seconds=error.wait_seconds)
        problems.append(f"{error} (resumes after {run.retry_after:%Y-%m-%d %H:%M:%S} UTC)")
        Connector.objects.filter(pk=connector.pk).update(rate_limited_until=run.retry_after)
        logger.info("Connector %s: %s", connector.name, _scrub(str(error), secrets))
    except ValidationError as error:
        outcome = SyncRun.Outcome.FAILED
        problems.append(f"Invalid options: {_validation_text(error)}")
    except run_lock.HoldLost as error:
        outcome = SyncRun.Outcome.FAILED
        problems.append(str(error))
    except Exception as error:
        # A bug, not an upstream problem: stop, and make sure it shows in the logs.
        outcome = SyncRun.Outcome.FAILED
        problems.append(f"Unexpected error: {type(error).__name__}: {error}")
        # Not logger.exception: a logged exc_info would carry the messages unscrubbed.
        logger.error(
            "Connector %s: sync failed\n%s",
            connector.name,
            _scrubbed_traceback(error, secrets),
        )
    if outcome is None:
        outcome = (
            SyncRun.Outcome.PARTIAL if failed_targets or item_errors else SyncRun.Outcome.SUCCESS
        )
    run.outcome = outcome
    run.error = _scrub("\n".join(problems), secrets)
    run.item_errors = item_errors
    if source is not None:
        run.requests = source.requests_made
    run.finished_at = timezone.now()
    run.save()
    if outcome != SyncRun.Outcome.RATE_LIMITED:
        Connector.objects.filter(pk=connector.pk, rate_limited_until__isnull=False).update(
            rate_limited_until=None
        )
