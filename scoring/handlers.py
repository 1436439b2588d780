"""What scoring does when a domain event is recorded (config/events.py); safe to repeat."""

from . import services


def rescore_ideas(payload: dict) -> None:
    """Recount and rescore the ideas whose demand or triage the event changed."""
    services.rescore_ideas(idea_ids=payload.get("idea_ids", []))


def reweigh_all(payload: dict) -> None:
    """A policy or bridge criterion changed: every idea is reweighed."""
    services.reweigh_all()
