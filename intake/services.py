"""Writes of the intake domain: submissions and triage. One transaction per user action."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import duplicates, events
from .models import TITLE_MAX_LENGTH, Idea, MergeRecord, Organization, Signal
from .roles import is_sales

URGENCY_IMPORTANCE = {
    Signal.Urgency.NICE_TO_HAVE: 1,
    Signal.Urgency.IMPORTANT: 2,
    Signal.Urgency.BLOCKER: 3,
    Signal.Urgency.DEAL_BREAKER: 3,
}


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Give the idea a title."})
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            {"title": f"Keep the title to {TITLE_MAX_LENGTH} characters (it has {len(title)})."}
        )
    return title


def _open_idea(idea_id: int | None) -> Idea | None:
    """The idea a submitter chose to back, followed to its survivor if it was merged."""
    if idea_id is None:
        return None
    idea = Idea.objects.filter(pk=idea_id).first()
    if idea is None:
        raise ValidationError({"idea": "That idea no longer exists."})
    return idea.survivor()


def _new_idea(**fields) -> Idea:
    """Create an idea and record it: it is indexed for duplicate search, scored, announced."""
    idea = Idea.objects.create(**fields)
    events.record("idea.created", idea_id=idea.pk)
    return idea


def _ids(ids: Iterable[int | None]) -> list[int]:
    return sorted({int(i) for i in ids if i is not None})


BULK_IDS_IN_EVENT = 1000  # beyond this an event names how many signals, not which


def _signals_attached(
    *, signal_ids: Iterable[int], idea_ids: Iterable[int | None], count: int | None = None
) -> None:
    """Record that signals joined, left or were reweighed on ideas: each idea is recounted once."""
    ids = _ids(signal_ids)[:BULK_IDS_IN_EVENT]
    count = len(ids) if count is None else count
    events.record("signal.attached", signal_ids=ids, signal_count=count, idea_ids=_ids(idea_ids))


def _status_changed(idea: Idea, previous_status: str) -> None:
    if idea.status != previous_status:
        events.record(
            "idea.status_changed",
            idea_id=idea.pk,
            previous_status=previous_status,
            status=idea.status,
        )


@transaction.atomic
def submit_employee_idea(
    *,
    user,
    title: str,
    description: str = "",
    pillar: str = Idea.Pillar.FEATURE,
    product_area: str = "",
    idea_id: int | None = None,
) -> Signal:
    """Store an employee's submission as a Signal.

    Attached to the idea the employee backed ("this is my idea too"), else to a new idea in
    status `new`. Either both rows are written or neither.
    """
    title = _clean_title(title)
    if pillar not in Idea.Pillar.values:
        raise ValidationError({"pillar": "Choose one of the four pillars."})
    idea = _open_idea(idea_id)
    if idea is None:
        idea = _new_idea(
            title=title, description=description, pillar=pillar, product_area=product_area
        )
    signal = Signal.objects.create(
        source=Signal.Source.EMPLOYEE,
        external_id=Signal.new_external_id(),
        title=title,
        body=description,
        author=user.get_full_name() or user.get_username(),
        author_email=user.email,
        submitted_by=user,
        idea=idea,
        raw={"pillar": pillar, "product_area": product_area},
    )
    _signals_attached(signal_ids=[signal.pk], idea_ids=[idea.pk])
    return signal


@transaction.atomic
def submit_sales_signal(
    *,
    user,
    title: str,
    words: str,
    organization: Organization | None = None,
    new_organization_name: str = "",
    arr_at_stake: Decimal | None = None,
    deal_stage: str = Signal.DealStage.OPEN,
    urgency: str = Signal.Urgency.IMPORTANT,
    competitor: str = "",
    idea_id: int | None = None,
) -> Signal:
    """Record what a named customer asked for, with the deal context, as a sales Signal.

    The organization is picked or created in the same transaction; nothing is saved if any
    part is invalid.
    """
    title = _clean_title(title)
    errors = {}
    if arr_at_stake is not None and arr_at_stake < 0:
        errors["arr_at_stake"] = "ARR at stake cannot be negative."
    if deal_stage not in Signal.DealStage.values:
        errors["deal_stage"] = "Choose open, won or lost."
    if urgency not in Signal.Urgency.values:
        errors["urgency"] = "Choose how urgent this is."
    new_organization_name = (new_organization_name or "").strip()
    if organization is None and not new_organization_name:
        errors["organization"] = "Pick the customer or name a new one."
    if errors:
        raise ValidationError(errors)
    if organization is None:
        organization = _organization_named(new_organization_name)
    idea = _open_idea(idea_id)
    if idea is None:
        idea = _new_idea(title=title, description=words)
    signal = Signal.objects.create(
        source=Signal.Source.SALES,
        external_id=Signal.new_external_id(),
        title=title,
        body=words,
        author=user.get_full_name() or user.get_username(),
        author_email=user.email,
        submitted_by=user,
        organization=organization,
        idea=idea,
        arr_at_stake=arr_at_stake,
        deal_stage=deal_stage,
        urgency=urgency,
        competitor=competitor.strip(),
        importance=URGENCY_IMPORTANCE[urgency],
    )
    _signals_attached(signal_ids=[signal.pk], idea_ids=[idea.pk])
    return signal


def _organization_named(name: str) -> Organization:
    """The customer of that name (any case), created if it is new."""
    organization = Organization.objects.filter(name__iexact=name).first()
    return organization or Organization.objects.create(name=name)


@transaction.atomic
def submit_slack_message(
    *,
    user,
    title: str,
    text: str,
    external_id: str,
    slack_user_id: str,
    url: str = "",
    pillar: str = Idea.Pillar.FEATURE,
    idea_id: int | None = None,
    customer: str = "",
    arr_at_stake: Decimal | None = None,
    urgency: str = "",
) -> tuple[Signal, bool]:
    """Store what an employee sent from Slack (`/idea` or a message) as a Slack Signal.

    Attached to the idea they backed ("this is my idea too"), else to a new idea. A Sales rep
    may name the customer, with the ARR at stake and the urgency, as on the sales form.
    Idempotent on `external_id` (one per message and sender): sending it again returns the
    first signal, `created` False. Either everything is written or nothing.
    """
    existing = Signal.objects.filter(source=Signal.Source.SLACK, external_id=external_id).first()
    if existing is not None:
        return existing, False
    title = _clean_title(title)
    errors = {}
    if pillar not in Idea.Pillar.values:
        errors["pillar"] = "Choose one of the four pillars."
    customer = (customer or "").strip()
    if (customer or arr_at_stake is not None or urgency) and not is_sales(user):
        errors["customer"] = "Only Sales can record a customer's request."
    if arr_at_stake is not None and arr_at_stake < 0:
        errors["arr_at_stake"] = "ARR at stake cannot be negative."
    if urgency and urgency not in Signal.Urgency.values:
        errors["urgency"] = "Choose how urgent this is."
    if (arr_at_stake is not None or urgency) and not customer:
        errors["customer"] = "Name the customer whose request this is."
    if errors:
        raise ValidationError(errors)
    idea = _open_idea(idea_id)
    if idea is None:
        idea = _new_idea(title=title, description=text, pillar=pillar)
    signal = Signal.objects.create(
        source=Signal.Source.SLACK,
        external_id=external_id,
        url=url,
        title=title,
        body=text,
        author=user.get_full_name() or user.get_username(),
        author_email=user.email,
        submitted_by=user,
        organization=_organization_named(customer) if customer else None,
        idea=idea,
        arr_at_stake=arr_at_stake,
        urgency=urgency,
        importance=URGENCY_IMPORTANCE.get(urgency, 1),
        raw={"slack_user_id": slack_user_id, "pillar": pillar},
    )
    _signals_attached(signal_ids=[signal.pk], idea_ids=[idea.pk])
    return signal, True


SIGNAL_UPSERT_FIELDS = (
    "url", "title", "body", "author", "author_email", "organization", "votes", "comment_count",
    "upstream_state", "created_upstream", "updated_upstream", "raw",
)  # fmt: skip


@transaction.atomic
def upsert_signal(*, source: str, external_id: str, **fields) -> tuple[Signal, bool]:
    """Create or update the signal identified by (source, external_id); returns (signal, created).

    Idempotent: the same input twice writes nothing the second time. Triage fields (the idea,
    importance) are never touched by an update, so re-syncing never undoes a PM's work. A new
    signal whose URL is already known to an idea (a cross-post) attaches to that idea.
    """
    if source not in Signal.Source.values:
        raise ValidationError({"source": f"Unknown source kind “{source}”."})
    external_id = str(external_id or "").strip()
    if not external_id:
        raise ValidationError({"external_id": "An external id is required."})
    unknown = set(fields) - set(SIGNAL_UPSERT_FIELDS)
    if unknown:
        raise ValueError(f"upsert_signal does not set {sorted(unknown)}")
    signal = (
        Signal.objects.select_for_update().filter(source=source, external_id=external_id).first()
    )
    if signal is None:
        url = fields.get("url") or ""
        known = (
            Signal.objects.filter(url=url, idea__isnull=False)
            .values_list("idea_id", flat=True)
            .first()
            if url
            else None
        )
        signal = Signal(source=source, external_id=external_id, idea_id=known, **fields)
        try:
            with transaction.atomic():
                signal.full_clean(exclude=["idea", "submitted_by"])
                signal.save()
        except (ValidationError, IntegrityError):
            # A concurrent writer created it since our look-up: update that one instead.
            if not Signal.objects.filter(source=source, external_id=external_id).exists():
                raise
            return upsert_signal(source=source, external_id=external_id, **fields)
        if known:
            _signals_attached(signal_ids=[signal.pk], idea_ids=[known])
        return signal, True
    changed = [name for name, value in fields.items() if getattr(signal, name) != value]
    if not changed:
        return signal, False
    for name in changed:
        setattr(signal, name, fields[name])
    signal.full_clean(exclude=["idea", "submitted_by"])
    signal.save(update_fields=[*changed, "updated_at"])
    if signal.idea_id:
        # Votes, author or organization feed demand; a new title is a new phrasing of the idea.
        events.record(
            "signal.updated", signal_ids=[signal.pk], idea_ids=[signal.idea_id], fields=changed
        )
    return signal, False


# Sources another tool may post through the API; GitHub and Reddit signals only come from the
# connectors, and employee submissions only from the form.
API_SOURCES = (Signal.Source.API, Signal.Source.SALES)


class SignalOwnedElsewhere(Exception):
    """The (source, external id) belongs to a signal someone else submitted."""


@transaction.atomic
def submit_api_signal(*, user, source: str, external_id: str, **fields) -> tuple[Signal, bool]:
    """Create or update a signal posted by another tool, on behalf of `user` (its token).

    Idempotent on (source, external id) like `upsert_signal`, but a tool may only update the
    signals it submitted itself: it can never rewrite a connector's signal (and with it a
    public vote link) or a colleague's sales note. Sales signals need the Sales role.
    """
    if source not in API_SOURCES:
        raise ValidationError({"source": "Only “api” and “sales” signals can be posted."})
    if source == Signal.Source.SALES and not is_sales(user):
        raise PermissionDenied("Posting sales signals needs the Sales role.")
    signal, created = upsert_signal(source=source, external_id=external_id, **fields)
    if created:
        Signal.objects.filter(pk=signal.pk).update(submitted_by=user)
        signal.submitted_by = user
    elif signal.submitted_by_id != user.pk:
        # Checked on the row upsert_signal locked, so a racing post by another tool is refused
        # too; raising rolls its update back.
        raise SignalOwnedElsewhere(
            "A signal with this source and external id was submitted by someone else."
        )
    return signal, created


def _live_idea(idea: Idea, field: str = "idea") -> Idea:
    if idea.status == Idea.Status.MERGED:
        raise ValidationError({field: f"“{idea.title}” was merged; use the idea it merged into."})
    return idea


def _selection(signals: QuerySet | Iterable[int]) -> QuerySet[Signal]:
    """Signals chosen by a queryset (the admin's "select all" of a filtered list) or by ids,
    as one queryset: a bulk change stays one statement however many rows it touches."""
    if isinstance(signals, QuerySet):
        return Signal.objects.filter(pk__in=signals.values("pk"))
    return Signal.objects.filter(pk__in=list(signals))


def _check_importance(importance: int | None) -> None:
    if importance is not None and not 0 <= importance <= 3:
        raise ValidationError({"importance": "Importance runs from 0 to 3."})


@dataclass(frozen=True)
class BulkChange:
    """What a bulk change did: how many signals, and the ideas whose demand it changed."""

    count: int
    idea_ids: list[int]


def _bulk_update(signals: QuerySet[Signal], **changes) -> BulkChange:
    # Locks the ideas concerned (in id order, as merging does) so that a merge running at the
    # same time cannot move a signal between the two statements below.
    # order_by(): the default ordering would make DISTINCT one row per signal, not per idea.
    attached = signals.exclude(idea=None).order_by()
    idea_ids = _ids(attached.values_list("idea_id", flat=True).distinct())
    list(Idea.objects.select_for_update().filter(pk__in=idea_ids).order_by("pk").values("pk"))
    count = signals.update(**changes, updated_at=timezone.now())
    return BulkChange(count=count, idea_ids=idea_ids)


# A PM's triage teaches the duplicate engine; a bulk action teaches it by its first few signals
# (each decision costs one search).
DECISIONS_PER_ACTION = 10


def _record_triage(signals: Iterable[Signal], *, kind: str, idea_id: int | None) -> None:
    for signal in list(signals)[:DECISIONS_PER_ACTION]:
        duplicates.record_decision(
            kind=kind,
            title=signal.title,
            body=signal.body,
            chosen_idea_id=idea_id,
            exclude=[signal.idea_id] if signal.idea_id else [],
        )


@transaction.atomic
def move_signals(
    *,
    signals: QuerySet | Iterable[int],
    idea: Idea,
    importance: int | None = None,
    triage: bool = False,
) -> BulkChange:
    """Attach signals to an idea (optionally weighing them), from wherever they were; the
    change names the ideas they left. `triage`: a PM chose the idea for these signals, which
    the duplicate engine learns from."""
    _live_idea(idea)
    _check_importance(importance)
    if triage:
        chosen = _selection(signals).exclude(idea=idea).only("title", "body", "idea_id")
        _record_triage(chosen[:DECISIONS_PER_ACTION], kind="attached", idea_id=idea.pk)
    changes = {"idea": idea}
    if importance is not None:
        changes["importance"] = importance
    # The ideas the signals leave lose that demand; the one they join gains it.
    change = _bulk_update(_selection(signals), **changes)
    _signals_attached(signal_ids=(), idea_ids=[idea.pk, *change.idea_ids], count=change.count)
    return change


def attach_signals(
    *,
    signal_ids: QuerySet | Iterable[int],
    idea: Idea,
    importance: int | None = None,
    triage: bool = False,
) -> int:
    """Attach signals to an idea (optionally weighing them); returns how many moved."""
    return move_signals(signals=signal_ids, idea=idea, importance=importance, triage=triage).count


@transaction.atomic
def set_signals_importance(*, signals: QuerySet | Iterable[int], importance: int) -> BulkChange:
    """Weigh any number of signals at once; their ideas are rescored once each."""
    _check_importance(importance)
    change = _bulk_update(_selection(signals), importance=importance)
    _signals_attached(signal_ids=(), idea_ids=change.idea_ids, count=change.count)
    return change


@transaction.atomic
def detach_signals(*, signals: QuerySet | Iterable[int]) -> BulkChange:
    """Take signals off their ideas, back to the inbox; the ideas lose that demand."""
    change = _bulk_update(_selection(signals).exclude(idea=None), idea=None)
    _signals_attached(signal_ids=(), idea_ids=change.idea_ids, count=change.count)
    return change


@transaction.atomic
def create_idea_from_signals(
    *, signal_ids: Iterable[int], title: str = "", triage: bool = False
) -> Idea:
    """Make a new idea out of untriaged signals, titled after the first unless told otherwise.
    `triage`: a PM found no existing idea for the first, which the duplicate engine learns."""
    signals = list(Signal.objects.filter(pk__in=list(signal_ids)).order_by("created_at"))
    if not signals:
        raise ValidationError("Select at least one signal.")
    first = signals[0]
    if triage:
        _record_triage([first], kind="new_idea", idea_id=None)
    idea = _new_idea(
        title=_clean_title(title or first.title[:TITLE_MAX_LENGTH] or "Untitled idea"),
        description=first.body,
    )
    previous = {s.idea_id for s in signals if s.idea_id}
    Signal.objects.filter(pk__in=[s.pk for s in signals]).update(
        idea=idea, updated_at=timezone.now()
    )
    _signals_attached(signal_ids=[s.pk for s in signals], idea_ids=[idea.pk, *previous])
    return idea


@transaction.atomic
def merge_ideas(*, merged: Idea, survivor: Idea, user=None) -> MergeRecord:
    """Move every signal of `merged` to `survivor` and point `merged` at it.

    Records which signals moved so that `unmerge_idea` can restore each one exactly.
    """
    # Both rows locked in id order: two PMs merging crosswise wait for each other, never deadlock.
    pair = Idea.objects.select_for_update().filter(pk__in=[merged.pk, survivor.pk]).order_by("pk")
    locked = {idea.pk: idea for idea in pair}
    merged, survivor = locked[merged.pk], locked[survivor.pk]
    if merged.pk == survivor.pk:
        raise ValidationError("An idea cannot be merged into itself.")
    _live_idea(merged, "merged")
    _live_idea(survivor, "survivor")
    signal_ids = list(merged.signals.values_list("pk", flat=True))
    duplicates.record_decision(
        kind="merged",
        title=merged.title,
        body=merged.description,
        chosen_idea_id=survivor.pk,
        exclude=[merged.pk],
    )
    record = MergeRecord.objects.create(
        merged=merged,
        survivor=survivor,
        previous_status=merged.status,
        signal_ids=signal_ids,
        merged_by=user,
    )
    Signal.objects.filter(pk__in=signal_ids).update(idea=survivor, updated_at=timezone.now())
    merged.status = Idea.Status.MERGED
    merged.merged_into = survivor
    merged.save(update_fields=["status", "merged_into", "updated_at"])
    # Demand is recounted on the survivor, so a person or organization under both counts once.
    events.record(
        "idea.merged",
        idea_id=merged.pk,
        survivor_id=survivor.pk,
        signal_ids=signal_ids,
        idea_ids=[merged.pk, survivor.pk],
    )
    _status_changed(merged, record.previous_status)
    return record


@transaction.atomic
def unmerge_idea(*, idea: Idea) -> MergeRecord:
    """Undo the latest merge of `idea`: it comes back with its status and its signals."""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    record = idea.merge_records.filter(undone_at__isnull=True).order_by("-merged_at").first()
    if idea.status != Idea.Status.MERGED or record is None:
        raise ValidationError(f"“{idea.title}” is not merged.")
    # Only signals still on the survivor go back; a PM may have moved some on since.
    Signal.objects.filter(pk__in=record.signal_ids, idea_id=record.survivor_id).update(
        idea=idea, updated_at=timezone.now()
    )
    idea.status = record.previous_status
    idea.merged_into = None
    idea.save(update_fields=["status", "merged_into", "updated_at"])
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at"])
    events.record(
        "idea.unmerged",
        idea_id=idea.pk,
        survivor_id=record.survivor_id,
        idea_ids=[idea.pk, record.survivor_id],
    )
    _status_changed(idea, Idea.Status.MERGED)
    return record


def idea_edited(*, idea: Idea) -> None:
    """A PM edited the idea in triage (text, pillar, impact, criteria, motions, the weight of
    its signals): it is indexed and scored again. Call inside the saving transaction."""
    events.record("idea.edited", idea_id=idea.pk, idea_ids=[idea.pk])


def signal_edited(*, signal: Signal, previous_idea_id: int | None) -> None:
    """A PM moved or reweighed a signal by hand: both ideas' demand is recounted."""
    _signals_attached(signal_ids=[signal.pk], idea_ids=[previous_idea_id, signal.idea_id])


SETTABLE_STATUSES = (
    Idea.Status.NEW,
    Idea.Status.UNDER_REVIEW,
    Idea.Status.PLANNED,
    Idea.Status.SHIPPED,
)


@transaction.atomic
def set_idea_status(*, idea: Idea, status: str) -> Idea:
    """Move an idea between new, under review, planned and shipped.

    Declining needs a reason (`decline_idea`) and merging a survivor (`merge_ideas`).
    """
    if status not in SETTABLE_STATUSES:
        raise ValidationError({"status": "Use decline or merge for that status."})
    _live_idea(idea)
    previous_status = idea.status
    idea.status = status
    idea.decline_reason = ""
    idea.declined_by = None
    idea.declined_at = None
    idea.save()
    _status_changed(idea, previous_status)
    return idea


@transaction.atomic
def decline_idea(*, idea: Idea, reason: str, user, revisit_when: str = "") -> Idea:
    """Record a decision not to do an idea: reason, who decided, when, when to look again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why the idea is declined; the people who asked see it."}
        )
    _live_idea(idea)
    previous_status = idea.status
    idea.status = Idea.Status.DECLINED
    idea.decline_reason = reason
    idea.declined_by = user
    idea.declined_at = timezone.now()
    idea.revisit_when = (revisit_when or "").strip()
    idea.save()
    _status_changed(idea, previous_status)
    return idea


@transaction.atomic
def process_arrived_signals(*, signal_ids: Iterable[int], idea_ids: Iterable[int] = ()) -> int:
    """Triage help for signals that arrived from a source; returns how many were auto-attached.

    Each untriaged signal is matched once, on its cleaned title and body: above the engine's
    auto-attach threshold it attaches to the idea; otherwise its closest idea (and, above the
    likely threshold, the same as its likely duplicate) is stored for the inbox. Every idea
    whose demand changed (`idea_ids`, plus those that gained a signal here) is rescored.
    """
    arrived = list(Signal.objects.filter(pk__in=list(signal_ids), idea__isnull=True))
    touched = set(idea_ids)
    matches = duplicates.match_signals(arrived)
    attached = []
    for signal in arrived:
        match = matches.get(signal.pk)
        if duplicates.is_certain_duplicate(match):
            # Only if a PM has not triaged it meanwhile.
            moved = Signal.objects.filter(pk=signal.pk, idea__isnull=True).update(
                idea=match.idea, updated_at=timezone.now()
            )
            if moved:
                attached.append(signal.pk)
                touched.add(match.idea.pk)
    duplicates.store_likely_ideas([s for s in arrived if s.pk not in attached], matches)
    if attached:
        _signals_attached(signal_ids=attached, idea_ids=touched)
    return len(attached)


# The customer portal ----------------------------------------------------------------------------

# How much something matters to a customer, as they say it on their roadmap.
CUSTOMER_URGENCIES = (Signal.Urgency.NICE_TO_HAVE, Signal.Urgency.IMPORTANT, Signal.Urgency.BLOCKER)
CUSTOMER_WORDS_MAX_LENGTH = 5000


def _customer_words(words: str) -> str:
    words = (words or "").strip()
    if len(words) > CUSTOMER_WORDS_MAX_LENGTH:
        raise ValidationError(
            {"words": f"Keep it to {CUSTOMER_WORDS_MAX_LENGTH} characters (it has {len(words)})."}
        )
    return words


@transaction.atomic
def record_customer_interest(
    *,
    external_id: str,
    idea: Idea | None,
    title: str,
    words: str,
    author: str,
    author_email: str,
    organization: Organization,
    urgency: str,
) -> tuple[Signal, bool]:
    """One person of a customer said how much something matters to them: one customer-portal
    signal per `external_id` (a person and a thing), created on `idea` (or in the inbox), and
    changed in place when they say it again. A PM's triage of it (moved, reweighed) is kept;
    the demand of its idea follows the new urgency. Returns (signal, created)."""
    if urgency not in CUSTOMER_URGENCIES:
        raise ValidationError({"urgency": "Choose nice to have, important or blocker."})
    words = _customer_words(words)
    title = _clean_title(title[:TITLE_MAX_LENGTH])
    signal = (
        Signal.objects.select_for_update()
        .filter(source=Signal.Source.CUSTOMER_PORTAL, external_id=external_id)
        .first()
    )
    if signal is None:
        signal = Signal.objects.create(
            source=Signal.Source.CUSTOMER_PORTAL,
            external_id=external_id,
            title=title,
            body=words,
            author=author,
            author_email=author_email,
            organization=organization,
            idea=idea.survivor() if idea else None,
            urgency=urgency,
            importance=URGENCY_IMPORTANCE[urgency],
        )
        _signals_attached(signal_ids=[signal.pk], idea_ids=[signal.idea_id])
        return signal, True
    if (signal.urgency, signal.body) == (urgency, words):
        return signal, False
    weight = {"urgency": urgency, "body": words}
    if signal.urgency != urgency:
        weight["importance"] = URGENCY_IMPORTANCE[urgency]
    Signal.objects.filter(pk=signal.pk).update(**weight, updated_at=timezone.now())
    _signals_attached(signal_ids=[signal.pk], idea_ids=[signal.idea_id])
    signal.refresh_from_db()
    return signal, False


@transaction.atomic
def withdraw_customer_interest(*, external_ids: Iterable[str]) -> int:
    """A customer took back "this matters to us": their signals go (the customer's own words,
    kept for nothing else) and the ideas they counted on lose that demand. Returns how many."""
    signals = Signal.objects.filter(
        source=Signal.Source.CUSTOMER_PORTAL, external_id__in=list(external_ids)
    )
    idea_ids = list(signals.exclude(idea=None).values_list("idea_id", flat=True))
    count, _ = signals.delete()
    if count:
        _signals_attached(signal_ids=(), idea_ids=idea_ids, count=count)
    return count


@transaction.atomic
def submit_customer_request(
    *, title: str, words: str, author: str, author_email: str, organization: Organization
) -> Signal:
    """A customer asked for something new on their roadmap: a customer-portal signal in the
    PMs' inbox, matched to a likely duplicate like any arrival."""
    signal = Signal.objects.create(
        source=Signal.Source.CUSTOMER_PORTAL,
        external_id=Signal.new_external_id(),
        title=_clean_title(title),
        body=_customer_words(words),
        author=author,
        author_email=author_email,
        organization=organization,
    )
    events.record("signal.arrived", signal_ids=[signal.pk], idea_ids=[])
    return signal
