"""What intake does itself when its domain events are handled (config/events.py)."""

from django.db import transaction

from . import demand, services, similarity
from .models import Idea


def index_idea(payload: dict) -> None:
    """Keep the duplicate index current with the idea's title and description."""
    with transaction.atomic():
        similarity.index_ideas(list(Idea.objects.filter(pk=payload["idea_id"])))


def match_arrived_signals(payload: dict) -> None:
    """New signals from a source: auto-attach the certain duplicates, suggest the likely."""
    services.process_arrived_signals(signal_ids=payload["signal_ids"])


def count_demand(payload: dict) -> None:
    """Store the demand counts of the ideas whose signals changed, for the lists to show."""
    demand.recount(idea_ids=payload.get("idea_ids", []))
