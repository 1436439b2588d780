"""What intake does itself when its domain events are handled (config/events.py)."""

from django.db import transaction

from . import demand, duplicates, services
from .models import Idea


def index_idea(payload: dict) -> None:
    """Keep the duplicate index current with the idea's title and description."""
    with transaction.atomic():
        duplicates.index_ideas(list(Idea.objects.filter(pk=payload["idea_id"])))


def index_phrasings(payload: dict) -> None:
    """Signals joined or left ideas, or an idea was merged: the titles those ideas are found
    by changed (`duplicates.phrasings`), or a signal of theirs was retitled."""
    if "fields" in payload and "title" not in payload["fields"]:
        return
    ids = {*payload.get("idea_ids", ()), payload.get("survivor_id")} - {None}
    with transaction.atomic():
        duplicates.index_ideas(list(Idea.objects.filter(pk__in=ids)), only_changed=True)


def match_arrived_signals(payload: dict) -> None:
    """New signals from a source: auto-attach the certain duplicates, suggest the likely."""
    services.process_arrived_signals(signal_ids=payload["signal_ids"])


def count_demand(payload: dict) -> None:
    """Store the demand counts of the ideas whose signals changed, for the lists to show."""
    demand.recount(idea_ids=payload.get("idea_ids", []))
