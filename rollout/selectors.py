"""Reads of the rollout domain: what each flag compiles from, client adoption, stale flags."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from openfeature.contrib.tools.flagd.core.targeting.custom_ops import normalize_version

from intake.models import Organization
from roadmap.models import RoadmapItem

from .flagd import FlagFacts
from .models import ClientVersionCount, Flag, Revision, RolloutState, StagePolicy

# Used when the admin's table has no row for a stage (it is seeded with these).
DEFAULT_POLICY: dict[str, tuple[str, int]] = {
    RoadmapItem.Stage.NOT_STARTED: (RolloutState.OFF, 0),
    RoadmapItem.Stage.IN_DEVELOPMENT: (RolloutState.OFF, 0),
    RoadmapItem.Stage.POC: (RolloutState.INTERNAL, 0),
    RoadmapItem.Stage.ALPHA: (RolloutState.OPTED_IN, 0),
    RoadmapItem.Stage.BETA: (RolloutState.PERCENTAGE, 25),
    RoadmapItem.Stage.GA: (RolloutState.EVERYONE, 100),
    RoadmapItem.Stage.SHIPPED: (RolloutState.EVERYONE, 100),
}
ROLLOUT_STAGES = (RoadmapItem.Stage.ALPHA, RoadmapItem.Stage.BETA, RoadmapItem.Stage.GA)


def organization_key(organization: Organization) -> str:
    """The `targetingKey` a product sends for this organization."""
    return str(organization.pk)


def revision() -> str:
    """Changes with every write that can change an answer."""
    row = Revision.objects.filter(pk=1).values_list("number", "token").first()
    return f"{row[0]}.{row[1]}" if row else "0"


def policy_for(stage: str) -> tuple[str, int]:
    row = StagePolicy.objects.filter(stage=stage).values_list("state", "percentage").first()
    return row or DEFAULT_POLICY.get(stage, (RolloutState.OFF, 0))


# Client adoption --------------------------------------------------------------------------------


def version_counts() -> list[tuple[str, int]]:
    return list(ClientVersionCount.objects.values_list("version", "devices"))


def adoption_share(version: str, counts: list[tuple[str, int]] | None = None) -> float | None:
    """Share (0-100) of active devices on `version` or newer; None without a snapshot."""
    counts = version_counts() if counts is None else counts
    total = sum(devices for _, devices in counts)
    if not total:
        return None
    floor = normalize_version(version)
    newer = sum(devices for v, devices in counts if normalize_version(v) >= floor)
    return 100.0 * newer / total


def waiting_for_adoption(flag: Flag, counts: list[tuple[str, int]]) -> bool:
    version = min_client_version(flag)
    if not (version and flag.wait_for_adoption):
        return False
    share = adoption_share(version, counts)
    return share is None or share < settings.ROLLOUT_ADOPTION_THRESHOLD


def min_client_version(flag: Flag) -> str:
    item = flag.item
    return item.min_client_version if item is not None and item.needs_client else ""


# What evaluation compiles -----------------------------------------------------------------------


def flags_with_targeting() -> QuerySet[Flag]:
    only_ids = Organization.objects.only("id")
    return Flag.objects.select_related("item").prefetch_related(
        Prefetch("allow", queryset=only_ids),
        Prefetch("deny", queryset=only_ids),
        Prefetch("opted_in", queryset=only_ids),
    )


def facts_of(flag: Flag, counts: list[tuple[str, int]]) -> FlagFacts:
    def keys(orgs) -> tuple[str, ...]:
        return tuple(sorted(organization_key(o) for o in orgs.all()))

    return FlagFacts(
        key=flag.key,
        variants=flag.variants,
        off_variant=flag.off_variant,
        state=flag.state,
        percentage=flag.percentage,
        killed=flag.killed,
        stage=flag.item.stage if flag.item else "",
        description=flag.description,
        plans=tuple(flag.plans or ()),
        allow=keys(flag.allow),
        deny=keys(flag.deny),
        opted_in=keys(flag.opted_in),
        min_client_version=min_client_version(flag),
        waiting_for_adoption=waiting_for_adoption(flag, counts),
    )


def all_flag_facts() -> list[FlagFacts]:
    counts = version_counts()
    return [facts_of(flag, counts) for flag in flags_with_targeting()]


# Stale flags and planning health ----------------------------------------------------------------


@dataclass(frozen=True)
class StaleFlag:
    key: str
    item: str
    owner: str
    state: str
    days: int
    why: str


def _owner(flag: Flag) -> str:
    parts = [flag.owner_team.name if flag.owner_team else ""]
    if flag.pm:
        parts.append(flag.pm.get_full_name() or flag.pm.get_username())
    return " / ".join(p for p in parts if p) or "no owner"


def stale_flags(now: datetime | None = None) -> list[StaleFlag]:
    """Flags to remove from code: fully on for 90+ days, killed for 30+, or whose item shipped
    90+ days ago; the longest-standing first."""
    now = now or timezone.now()
    full_on, killed_days = settings.ROLLOUT_STALE_FULL_ON_DAYS, settings.ROLLOUT_STALE_KILLED_DAYS
    shipped_days = settings.ROLLOUT_STALE_SHIPPED_DAYS
    stale = []
    flags = Flag.objects.select_related("item", "owner_team", "pm")
    for flag in flags:
        if flag.killed_at:
            days, state, why = (now - flag.killed_at).days, "killed", f"killed {killed_days}+ days"
            if days < killed_days:
                continue
        elif (
            flag.item
            and flag.item.shipped_at
            and (now - flag.item.shipped_at).days >= (shipped_days)
        ):
            days, state = (now - flag.item.shipped_at).days, "shipped"
            why = f"item shipped {shipped_days}+ days ago"
        elif flag.state == RolloutState.EVERYONE and (now - flag.state_changed_at).days >= (
            full_on
        ):
            days, state = (now - flag.state_changed_at).days, "on for everyone"
            why = f"fully on {full_on}+ days"
        else:
            continue
        item = flag.item.title if flag.item else ""
        stale.append(StaleFlag(flag.key, item, _owner(flag), state, days, why))
    return sorted(stale, key=lambda s: (-s.days, s.key))


def items_without_flag() -> QuerySet[RoadmapItem]:
    """Items in Alpha, Beta or GA that no flag carries."""
    return (
        RoadmapItem.objects.filter(stage__in=ROLLOUT_STAGES, flags__isnull=True)
        .select_related("team")
        .order_by("stage", "title")
    )
