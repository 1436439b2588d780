"""Demo flags: one per stage from POC to shipped, string variants for a pricing experiment,
one killed, one stale, a client adoption snapshot and an SDK key. Loaded once."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from intake.models import Organization
from roadmap.models import RoadmapItem

from . import services
from .models import ClientVersionCount, Flag, RolloutState

S = RoadmapItem.Stage
# Roadmap titles first (roadmap/demo.py), then any item of the stage (the quarter's plan).
PREFERRED = {
    S.POC: "SCIM for Okta/Entra (contract: Globex renewal)",
    S.ALPHA: "Auto key rotation (90d default)",
    S.BETA: "SAML SSO v2 (Okta + Entra, JIT)",
    S.GA: "",
    S.SHIPPED: "Exit node picker by country",
}
ADOPTION = [("1.58.2", 400), ("1.60.0", 900), ("1.62.1", 2600), ("1.64.0", 5200), ("1.66.0", 900)]


def _item(stage: str) -> RoadmapItem | None:
    items = RoadmapItem.objects.filter(stage=stage)
    return items.filter(title=PREFERRED[stage]).first() or items.order_by("title").first()


def _flag(item: RoadmapItem, **fields) -> Flag:
    key = fields.pop("key", "") or slugify(item.title)[:60].strip("-")
    flag = Flag.objects.create(key=key, item=item, owner_team=item.team, pm=item.pm, **fields)
    services.apply_stage_policy(item_id=item.pk, stage=item.stage)
    flag.refresh_from_db()
    return flag


@transaction.atomic
def load_demo_flags() -> dict:
    """Create the demo flags once; returns counts and, the first time, a demo SDK key."""
    if Flag.objects.exists():
        return {"flags": Flag.objects.count(), "sdk_key": ""}
    now = timezone.now()
    if not ClientVersionCount.objects.exists():
        services.replace_client_versions(rows=[{"version": v, "devices": d} for v, d in ADOPTION])
    orgs = list(Organization.objects.order_by("name"))
    flags = []
    for stage in PREFERRED:
        item = _item(stage)
        if item is not None:
            flags.append(_flag(item, description=f"Delivers “{item.title}”."))
    by_stage = {f.item.stage: f for f in flags}
    if S.ALPHA in by_stage and len(orgs) > 2:
        # Acme (the demo customer) can still ask to join; another organization already has.
        by_stage[S.ALPHA].opted_in.add(*[o for o in orgs if o.name != "Acme Robotics"][:2])
    if S.BETA in by_stage and orgs:
        by_stage[S.BETA].deny.add(orgs[-1])
    audit = RoadmapItem.objects.filter(title__startswith="Audit log streaming").first()
    if audit is not None:
        killed = _flag(audit, key="audit-log-streaming", description="Streams admin actions.")
        services.kill_flag(
            flag=killed, reason="Duplicate events in Splunk for two customers (INC-2291)."
        )
        flags.append(killed)
    if S.SHIPPED in by_stage:
        # Fully on for four months: listed as stale, "remove from code".
        Flag.objects.filter(pk=by_stage[S.SHIPPED].pk).update(
            state=RolloutState.EVERYONE, state_changed_at=now - timedelta(days=120)
        )
    if S.BETA in by_stage and len(orgs) > 1:
        experiment = Flag.objects.create(
            key="pricing-model-experiment",
            description="Two pricing pages for the Beta: per seat against per device.",
            item=by_stage[S.BETA].item,
            variants={"off": "current", "per-seat": "per-seat", "per-device": "per-device"},
            off_variant="off",
            state=RolloutState.PERCENTAGE,
            percentage=50,
            pinned=True,
        )
        flags.append(experiment)
    services.bump_revision()
    _, secret = services.create_sdk_key(name="demo")
    return {"flags": len(flags), "sdk_key": secret}
