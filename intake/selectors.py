"""Reads of the intake domain, with the annotations each page needs in one query."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from .models import Idea, MergeRecord, OutboxEvent, Signal
from .pagination import capped_count


def ideas_with_demand() -> QuerySet[Idea]:
    """Ideas with their team and PM; their demand counts are stored columns (intake.demand)."""
    return Idea.objects.select_related("team", "pm")


def inbox_signals() -> QuerySet[Signal]:
    """Untriaged signals, newest first."""
    return Signal.objects.filter(idea__isnull=True).select_related("organization")


def submissions_of(user) -> list[Signal]:
    """What a user submitted, each with the idea that now stands for it.

    `current_idea` follows merges to the survivor; `merged_from` is the idea the signal was
    on before a merge moved it, so the submitter can see what happened.
    """
    signals = list(
        Signal.objects.filter(submitted_by=user)
        .select_related("idea", "idea__merged_into", "organization")
        .order_by("-created_at")
    )
    idea_ids = {s.idea_id for s in signals if s.idea_id}
    moved_from = {}
    records = MergeRecord.objects.filter(survivor_id__in=idea_ids, undone_at__isnull=True)
    for record in records.select_related("merged").order_by("merged_at"):
        for signal_id in record.signal_ids:
            moved_from.setdefault(signal_id, record.merged)
    for signal in signals:
        signal.current_idea = signal.idea.survivor() if signal.idea_id else None
        signal.merged_from = moved_from.get(signal.pk)
    return signals


def untriaged_counts() -> dict[str, int | bool]:
    """How much waits for a PM: signals without an idea and ideas still new, each exact up to
    the lists' cap (`*_capped` says there are more), so the home page costs the same at any
    size."""
    signals, signals_capped = capped_count(Signal.objects.filter(idea__isnull=True))
    ideas, ideas_capped = capped_count(Idea.objects.filter(status=Idea.Status.NEW))
    return {
        "signals": signals,
        "signals_capped": signals_capped,
        "ideas": ideas,
        "ideas_capped": ideas_capped,
    }


def open_ideas() -> QuerySet[Idea]:
    return Idea.objects.filter(~Q(status=Idea.Status.MERGED))


FINISHED_SHOWN_FOR = timedelta(minutes=15)


@dataclass(frozen=True)
class Work:
    """Long work that follows a change, as the admin tells it: under way since, or done at."""

    label: str
    since: datetime | None = None
    done_at: datetime | None = None


def background_work(now: datetime | None = None) -> list[Work]:
    """What the workers are doing that a person waits for (settings.EVENTS_UNDER_WAY), and
    what of it finished in the last minutes: two reads of the outbox's small indexes."""
    labels = settings.EVENTS_UNDER_WAY
    now = now or timezone.now()
    pending = (
        OutboxEvent.objects.filter(name__in=list(labels), done_at=None, failed_at=None)
        .values("name")
        .annotate(since=Min("created_at"))
    )
    under_way = {row["name"]: row["since"] for row in pending}
    told_when_done = [name for name, (_, done) in labels.items() if done]
    finished = (
        OutboxEvent.objects.filter(name__in=told_when_done, done_at__gte=now - FINISHED_SHOWN_FOR)
        .exclude(name__in=list(under_way))
        .values("name")
        .annotate(done_at=Max("done_at"))
    )
    work = [Work(labels[name][0], since=since) for name, since in under_way.items()]
    work += [Work(labels[row["name"]][1], done_at=row["done_at"]) for row in finished]
    return sorted(work, key=lambda w: w.since or w.done_at, reverse=True)
