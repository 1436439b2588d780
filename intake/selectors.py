"""Reads of the intake domain, with the annotations each page needs in one query."""

from django.db.models import Q, QuerySet

from .models import Idea, MergeRecord, Signal


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


def untriaged_counts() -> dict[str, int]:
    """How much waits for a PM: signals without an idea and ideas still new."""
    return {
        "signals": Signal.objects.filter(idea__isnull=True).count(),
        "ideas": Idea.objects.filter(status=Idea.Status.NEW).count(),
    }


def open_ideas() -> QuerySet[Idea]:
    return Idea.objects.filter(~Q(status=Idea.Status.MERGED))
