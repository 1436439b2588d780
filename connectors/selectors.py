"""Reads of the connectors, with what the admin and the command show in one query."""

from collections.abc import Iterable

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Lower

from intake.models import Organization, OrganizationDomain

from .models import Connector, SyncRun
from .sources import Item


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


def organization_ids_for(items: Iterable[Item]) -> dict[tuple[str, str], int | None]:
    """For each item that names who the asker works for, the Organization it matches (or None).

    By name first (case-insensitive), then by any of its domains. Two queries for a whole page.
    Items whose source can't say (no name, no domain) are left out, so their signals keep
    whatever organization they have.
    """
    hinted = [i for i in items if i.organization_name or i.organization_domains]
    if not hinted:
        return {}
    names = {i.organization_name.strip().lower() for i in hinted if i.organization_name.strip()}
    by_name = dict(
        Organization.objects.annotate(key=Lower("name"))
        .filter(key__in=names)
        .values_list("key", "pk")
    )
    domains = {d.strip().lower() for i in hinted for d in i.organization_domains if d.strip()}
    by_domain = dict(
        OrganizationDomain.objects.filter(domain__in=domains).values_list(
            "domain", "organization_id"
        )
    )
    found: dict[tuple[str, str], int | None] = {}
    for item in hinted:
        match = by_name.get(item.organization_name.strip().lower())
        for domain in item.organization_domains:
            match = match or by_domain.get(domain.strip().lower())
        found[(item.source, item.external_id)] = match
    return found


def latest_run(*, connector_id: int) -> SyncRun | None:
    return SyncRun.objects.filter(connector_id=connector_id).order_by("-started_at", "-pk").first()


def public_thread_paths() -> tuple[str, ...]:
    """URL path prefixes of threads that public connectors bring in ("/owner/repo/" for GitHub,
    "/r/name/" for Reddit), lower-case: a signal whose URL path starts with one came from a
    source anyone may open. Nothing else is ever linked from the public roadmap."""
    paths = []
    for kind, options in Connector.objects.filter(public=True).values_list("kind", "options"):
        if kind == Connector.Kind.GITHUB:
            paths += [f"/{repo.lower()}/" for repo in options.get("repos", [])]
        elif kind == Connector.Kind.REDDIT:
            paths += [f"/r/{name.lower()}/" for name in options.get("subreddits", [])]
    return tuple(paths)


def reply_subreddits() -> frozenset[str]:
    """Lower-case names of the subreddits whose Reddit connector replies in threads."""
    rows = Connector.objects.filter(kind=Connector.Kind.REDDIT, reply_in_threads=True)
    return frozenset(
        name.lower() for options in rows.values_list("options", flat=True)
        for name in options.get("subreddits", [])
    )  # fmt: skip
