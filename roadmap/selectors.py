"""Reads of the roadmap, one selector per audience.

The customer and public selectors read only their audience's columns (`.values()` over an
explicit list) and return plain dataclasses: a template or serializer that receives them cannot
reach internal text, because it was never loaded.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, When
from django.utils import timezone

from connectors import selectors as connector_selectors
from intake.models import Idea, Organization, Signal
from intake.selectors import ideas_with_demand

from .models import RoadmapItem, ShareLink

Visibility = RoadmapItem.Visibility
Stage = RoadmapItem.Stage

CUSTOMER_VISIBLE = (Visibility.CUSTOMER, Visibility.PUBLIC)
# Where the public can add a vote: the places an idea came from that anyone can open.
VOTE_SOURCES = {
    Signal.Source.GITHUB_ISSUE: "GitHub",
    Signal.Source.GITHUB_DISCUSSION: "GitHub",
    Signal.Source.REDDIT_POST: "Reddit",
}
VOTE_LINKS_PER_ITEM = 3
CHANGELOG_LENGTH = 20
NOT_DOING_LENGTH = 100


@dataclass(frozen=True)
class VoteLink:
    url: str
    site: str


@dataclass(frozen=True)
class OutsideItem:
    """What customers and the public both see of an item, in their own audience's text."""

    id: int
    title: str
    description: str
    horizon: str
    stage: str
    stage_label: str
    min_client_version: str
    needs_client: bool

    @property
    def shipped(self) -> bool:
        return self.stage == Stage.SHIPPED


@dataclass(frozen=True)
class PublicItem(OutsideItem):
    shipped_at: object = None
    changelog: str = ""
    vote_links: tuple[VoteLink, ...] = field(default=())


@dataclass(frozen=True)
class CustomerItem(OutsideItem):
    asked: bool = False


def _needs_client(surface: str, version: str) -> bool:
    return bool(version) and surface in (Idea.Surface.CLIENT, Idea.Surface.BOTH)


def _outside_fields(row: dict, audience: str) -> dict:
    """The `OutsideItem` fields of a row, the title and description from `audience`'s columns."""
    return {
        "id": row["id"],
        "title": row[f"{audience}_title"],
        "description": row[f"{audience}_description"],
        "horizon": row["horizon"],
        "stage": row["stage"],
        "stage_label": Stage(row["stage"]).label,
        "min_client_version": row["min_client_version"],
        "needs_client": _needs_client(row["surface"], row["min_client_version"]),
    }


def _columns(items, *, shipped_key) -> dict[str, list]:
    """Now, Next and Later hold what is not shipped yet; Shipped holds the rest."""
    columns = {"now": [], "next": [], "later": [], "shipped": []}
    for item in items:
        columns["shipped" if item.shipped else item.horizon].append(item)
    columns["shipped"].sort(key=shipped_key)
    return columns


# Public -----------------------------------------------------------------------------------------

PUBLIC_COLUMNS = (
    "id", "public_title", "public_description", "horizon", "stage", "min_client_version",
    "surface", "shipped_at", "changelog",
)  # fmt: skip


def _public_rows() -> QuerySet:
    return (
        RoadmapItem.objects.filter(visibility=Visibility.PUBLIC)
        .exclude(public_title="")
        .order_by("public_title", "id")
        .values(*PUBLIC_COLUMNS)
    )


def _vote_links(item_ids: list[int]) -> dict[int, tuple[VoteLink, ...]]:
    """The most-voted public threads of each item's ideas, in one query."""
    links: dict[int, list[VoteLink]] = defaultdict(list)
    if not item_ids:
        return {}
    rows = (
        Signal.objects.filter(
            idea__roadmap_items__in=item_ids,
            source__in=list(VOTE_SOURCES),
            url__startswith="https://",
        )
        .order_by("-votes", "pk")
        .values_list("idea__roadmap_items", "url", "source")
    )
    seen = set()
    hosts = set(settings.PUBLIC_VOTE_HOSTS)
    public_paths = connector_selectors.public_thread_paths() if rows else ()
    for item_id, url, source in rows:
        if len(links[item_id]) >= VOTE_LINKS_PER_ITEM or (item_id, url) in seen:
            continue
        # Only threads on public sites (a GitHub Enterprise or private host never shows outside)
        # that a connector marked public brought in (a private repository never shows either).
        parts = urlsplit(url)
        if (parts.hostname or "").lower() not in hosts:
            continue
        if not parts.path.lower().startswith(public_paths):
            continue
        seen.add((item_id, url))
        links[item_id].append(VoteLink(url=url, site=VOTE_SOURCES[source]))
    return {item_id: tuple(found) for item_id, found in links.items()}


def public_items() -> list[PublicItem]:
    """Public items with public text only, each with where to vote."""
    rows = list(_public_rows())
    links = _vote_links([row["id"] for row in rows])
    return [
        PublicItem(
            **_outside_fields(row, "public"),
            shipped_at=row["shipped_at"],
            changelog=row["changelog"],
            vote_links=links.get(row["id"], ()),
        )
        for row in rows
    ]


def _shipped_order(item) -> tuple:
    when = item.shipped_at or timezone.now()
    return (-when.timestamp(), item.title)


def public_roadmap() -> dict:
    """The public page: Now, Next, Later and Shipped columns and the changelog."""
    items = public_items()
    columns = _columns(items, shipped_key=_shipped_order)
    changelog = [i for i in columns["shipped"] if i.changelog or i.description][:CHANGELOG_LENGTH]
    return {"columns": columns, "changelog": changelog, "count": len(items)}


# Customer ---------------------------------------------------------------------------------------

CUSTOMER_COLUMNS = (
    "id", "customer_title", "customer_description", "horizon", "stage", "min_client_version",
    "surface",
)  # fmt: skip


def customer_items(organization: Organization) -> list[CustomerItem]:
    """Customer-visible items in customer text, marking those this organization asked for.

    Never a date, a quarter, a PM, a priority or another organization.
    """
    asked = Signal.objects.filter(idea__roadmap_items=OuterRef("pk"), organization=organization)
    rows = (
        RoadmapItem.objects.filter(visibility__in=CUSTOMER_VISIBLE)
        .exclude(customer_title="")
        .annotate(asked=Exists(asked))
        .order_by("customer_title", "id")
        .values(*CUSTOMER_COLUMNS, "asked")
    )
    return [CustomerItem(**_outside_fields(row, "customer"), asked=row["asked"]) for row in rows]


def customer_roadmap(organization: Organization) -> dict:
    items = customer_items(organization)
    columns = _columns(items, shipped_key=lambda item: item.title)
    return {
        "columns": columns,
        "asked_count": sum(1 for item in items if item.asked),
        "count": len(items),
    }


@dataclass(frozen=True)
class CustomerIdea:
    id: int
    status: str
    summary: str
    roadmap_items: tuple[int, ...]


def customer_ideas(organization: Organization) -> list[CustomerIdea]:
    """Ideas this organization asked for: status and customer summary, never the internal
    title, notes or anyone else's demand; with the customer-visible items that deliver them."""
    rows = list(
        Idea.objects.filter(signals__organization=organization)
        .exclude(status=Idea.Status.MERGED)
        .order_by("-created_at", "-pk")
        .values("id", "status", "customer_summary")
        .distinct()
    )
    through = RoadmapItem.ideas.through.objects.filter(
        idea_id__in=[row["id"] for row in rows], roadmapitem__visibility__in=CUSTOMER_VISIBLE
    ).exclude(roadmapitem__customer_title="")
    items: dict[int, list[int]] = defaultdict(list)
    for idea_id, item_id in through.order_by("roadmapitem_id").values_list(
        "idea_id", "roadmapitem_id"
    ):
        items[idea_id].append(item_id)
    return [
        CustomerIdea(
            id=row["id"],
            status=row["status"],
            summary=row["customer_summary"],
            roadmap_items=tuple(items.get(row["id"], ())),
        )
        for row in rows
    ]


ORGANIZATIONS_LISTED = 20


def organizations_named(text: str) -> tuple[list[Organization], bool]:
    """Customers whose name contains `text` (any case), by name, at most ORGANIZATIONS_LISTED,
    and whether there are more: a picker that costs the same with 20 customers or 20,000."""
    found = list(
        Organization.objects.filter(name__icontains=text.strip())
        .order_by("name")
        .only("id", "name")[: ORGANIZATIONS_LISTED + 1]
    )
    return found[:ORGANIZATIONS_LISTED], len(found) > ORGANIZATIONS_LISTED


def share_link_for_token(token: str) -> ShareLink | None:
    """The link for this token if it exists (active or not), with its organization."""
    if not token or len(token) > 64:
        return None
    return ShareLink.objects.select_related("organization").filter(token=token).first()


def share_links_of(user) -> QuerySet[ShareLink]:
    return ShareLink.objects.filter(created_by=user).select_related("organization")


# Internal ---------------------------------------------------------------------------------------

INTERNAL_FILTERS = ("team", "pm", "stage", "priority", "pillar", "committed", "visibility")


def _idea_field_names() -> set[str]:
    return {f.name for f in Idea._meta.get_fields()}


def _idea_order() -> list[str]:
    # Ranked by score where scoring is installed, else by demand.
    return ["-score", "-signal_count"] if "score" in _idea_field_names() else ["-signal_count"]


def internal_items(filters: dict | None = None) -> QuerySet[RoadmapItem]:
    """Every item, with team, PM, dependent teams and its ideas (with demand), filtered.

    `filters` holds cleaned values for the keys in INTERNAL_FILTERS (and `motion` where the
    scoring app gives ideas motions); a constant number of queries whatever the item count.
    """
    filters = filters or {}
    items = RoadmapItem.objects.select_related("team", "pm")
    if filters.get("team"):
        items = items.filter(team=filters["team"])
    if filters.get("pm"):
        items = items.filter(pm=filters["pm"])
    for name in ("stage", "priority", "visibility"):
        if filters.get(name):
            items = items.filter(**{name: filters[name]})
    if filters.get("committed") in (True, False):
        items = items.filter(committed=filters["committed"])
    if filters.get("pillar"):
        items = items.filter(ideas__pillar=filters["pillar"])
    if filters.get("motion"):
        items = items.filter(motion_filter(filters["motion"]))
    if filters.get("pillar") or filters.get("motion"):
        items = items.distinct()
    ideas = ideas_with_demand().order_by(*_idea_order())
    horizon_order = Case(
        *[When(horizon=value, then=n) for n, value in enumerate(RoadmapItem.Horizon.values)],
        output_field=IntegerField(),
    )
    return items.prefetch_related(Prefetch("ideas", queryset=ideas), "dependent_teams").order_by(
        "priority", horizon_order, "title", "pk"
    )


# Go-to-market motions are flags on ideas (set by scoring from the sources, or by a PM).
MOTIONS = (("plg", "PLG", "serves_plg"), ("pls", "PLS", "serves_pls"),
           ("enterprise", "Enterprise", "serves_enterprise"))  # fmt: skip


def motions_available() -> list[tuple[str, str]]:
    """The motions ideas can carry, where the scoring app gives ideas their motion flags."""
    names = _idea_field_names()
    return [(value, label) for value, label, flag in MOTIONS if flag in names]


def motion_filter(motion: str) -> Q:
    flags = {value: flag for value, _, flag in MOTIONS if flag in _idea_field_names()}
    return Q(**{f"ideas__{flags[motion]}": True}) if motion in flags else Q()


def not_doing() -> tuple[list[Idea], int]:
    """Declined ideas with their reasons, latest decisions first, and how many there are."""
    declined = Idea.objects.filter(status=Idea.Status.DECLINED)
    latest = list(
        declined.select_related("team", "declined_by").order_by("-declined_at", "-pk")[
            :NOT_DOING_LENGTH
        ]
    )
    return latest, declined.count()


# Following by e-mail ----------------------------------------------------------------------------


def followable_item(*, item_id: int, audience: str) -> OutsideItem | None:
    """The item as `audience` ("public" or "customer") sees it, in that audience's text, or
    None if that audience does not see it (internal, customer-only for the public, untitled)."""
    if audience == "public":
        rows = _public_rows()
    else:
        rows = (
            RoadmapItem.objects.filter(visibility__in=CUSTOMER_VISIBLE)
            .exclude(customer_title="")
            .values(*CUSTOMER_COLUMNS)
        )
    row = rows.filter(pk=item_id).first()
    return OutsideItem(**_outside_fields(row, audience)) if row else None
