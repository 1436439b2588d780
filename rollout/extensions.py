"""What rollout adds to the roadmaps and to planning health (listed in config/extensions.py)."""

from dataclasses import dataclass

from django.urls import reverse
from openfeature.evaluation_context import EvaluationContext

from config.extensions import Panel
from intake.models import Organization

from . import evaluation, selectors
from .flagd import effective_percentage
from .models import EarlyAccessRequest, Flag, RolloutState


@dataclass(frozen=True)
class InternalFlag:
    key: str
    state: str
    percentage: int
    killed: bool
    pinned: bool
    waiting_for_adoption: bool
    history_url: str


def internal_item_panels(*, items) -> dict:
    """Each item's flags (state, effective percentage, killed), and for client work the share
    of devices that carry the item's minimum version. Constant queries however many items."""
    counts = selectors.version_counts()
    flags = selectors.flags_with_targeting().filter(item_id__in=[item.pk for item in items])
    labels = dict(RolloutState.choices)
    by_item: dict[int, list] = {}
    for flag in flags:
        facts = selectors.facts_of(flag, counts)
        by_item.setdefault(flag.item_id, []).append(
            InternalFlag(
                key=flag.key,
                state=labels[flag.state],
                percentage=effective_percentage(facts),
                killed=flag.killed,
                pinned=flag.pinned,
                waiting_for_adoption=facts.waiting_for_adoption,
                history_url=reverse("rollout:flag-history", args=[flag.key]),
            )
        )
    panels = {}
    for item in items:
        share = (
            selectors.adoption_share(item.min_client_version, counts) if item.needs_client else None
        )
        if item.pk in by_item or share is not None:
            panels[item.pk] = Panel(
                "rollout/_internal_item.html",
                {"flags": by_item.get(item.pk, []), "adoption": share, "item": item},
            )
    return panels


def customer_item_panels(*, organization: Organization, items, user=None, can_ask=False) -> dict:
    """ "Enabled for your organization" where a flag is on for it, and on Alpha items "Early
    access: ask to join" or what became of the request (pending, approved, declined). Never a
    percentage, never another organization."""
    item_ids = [item.id for item in items]
    flags = list(
        Flag.objects.filter(item_id__in=item_ids, killed_at=None)
        .order_by("key")
        .values_list("item_id", "key", "pk")
    )
    # The organization's request to join each item's Alpha, the latest decision first.
    asked: dict[int, str] = {}
    for item_id, status in (
        EarlyAccessRequest.objects.filter(organization=organization, flag__item_id__in=item_ids)
        .order_by("flag__item_id", "-requested_at")
        .values_list("flag__item_id", "status")
    ):
        asked.setdefault(item_id, status)
    keys_by_item: dict[int, list[str]] = {}
    for item_id, key, _ in flags:
        keys_by_item.setdefault(item_id, []).append(key)
    compiled = evaluation.current() if flags else None
    panels = {}
    for item in items:
        keys = keys_by_item.get(item.id)
        if not keys:
            continue
        context = EvaluationContext(
            targeting_key=selectors.organization_key(organization),
            attributes={
                "plan": organization.plan,
                "internal": False,
                # The customer's clients that carry the code are the ones it is enabled on.
                "clientVersion": item.min_client_version or None,
            },
        )
        enabled = any(evaluation.is_enabled(compiled, key, context) for key in keys)
        alpha = item.stage == "alpha"
        panels[item.id] = Panel(
            "rollout/_customer_item.html",
            {
                "enabled": enabled,
                "can_ask": alpha and can_ask and not enabled and item.id not in asked,
                # Pending, approved or declined: the customer sees what became of their request.
                "request": asked.get(item.id, "") if alpha else "",
                "ask_url": reverse("rollout:early-access", args=[item.id]),
            },
        )
    return panels


def planning_health_panels(*, quarter: str = "") -> list:
    return [
        Panel(
            "rollout/_planning_health.html",
            {
                "stale": selectors.stale_flags(),
                "unflagged": list(selectors.items_without_flag()),
            },
        )
    ]
