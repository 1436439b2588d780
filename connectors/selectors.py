"""Reads of the connectors, with what the admin and the command show in one query."""

from django.db.models import OuterRef, QuerySet, Subquery

from .models import Connector, SyncRun


def connectors_with_last_run() -> QuerySet[Connector]:
    """Connectors, each annotated with its latest run's start, outcome and counts."""
    latest = SyncRun.objects.filter(connector=OuterRef("pk")).order_by("-started_at", "-pk")
    return Connector.objects.annotate(
        last_run_at=Subquery(latest.values("started_at")[:1]),
        last_run_outcome=Subquery(latest.values("outcome")[:1]),
        last_run_created=Subquery(latest.values("created")[:1]),
    )


def connectors_to_sync(*, name: str | None = None) -> QuerySet[Connector]:
    """The enabled connectors, or the one named (enabled or not: naming it is asking for it)."""
    if name is not None:
        return Connector.objects.filter(name=name)
    return Connector.objects.filter(enabled=True).order_by("name")


def latest_run(*, connector_id: int) -> SyncRun | None:
    return SyncRun.objects.filter(connector_id=connector_id).order_by("-started_at", "-pk").first()
