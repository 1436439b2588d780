"""Reads of the intake domain, with the annotations each page needs in one query."""

from django.db.models import Count, Q, QuerySet

from .models import Idea, Signal


def ideas_with_demand() -> QuerySet[Idea]:
    """Ideas with their signal count, distinct organizations and distinct source kinds."""
    return Idea.objects.select_related("team", "pm").annotate(
        signal_count=Count("signals", distinct=True),
        organization_count=Count("signals__organization", distinct=True),
        source_kind_count=Count("signals__source", distinct=True),
    )


def inbox_signals() -> QuerySet[Signal]:
    """Untriaged signals, newest first."""
    return Signal.objects.filter(idea__isnull=True).select_related("organization")


def submissions_of(user) -> list[Signal]:
    """What a user submitted, each with the idea that now stands for it (after merges)."""
    signals = list(
        Signal.objects.filter(submitted_by=user)
        .select_related("idea", "idea__merged_into", "organization")
        .order_by("-created_at")
    )
    for signal in signals:
        signal.current_idea = signal.idea.survivor() if signal.idea_id else None
    return signals


def untriaged_counts() -> dict[str, int]:
    """How much waits for a PM: signals without an idea and ideas still new."""
    return {
        "signals": Signal.objects.filter(idea__isnull=True).count(),
        "ideas": Idea.objects.filter(status=Idea.Status.NEW).count(),
    }


def open_ideas() -> QuerySet[Idea]:
    return Idea.objects.filter(~Q(status=Idea.Status.MERGED))
