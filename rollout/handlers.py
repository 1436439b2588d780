"""Domain-event handlers of the rollout app (registered in config/events.py)."""

from django.db import transaction

from roadmap import webhooks
from roadmap.models import Webhook

from . import notifications, services
from .models import Flag


def on_item_stage_changed(payload: dict) -> None:
    """`item.stage_changed` {item_id, previous_stage, stage}: unpinned flags follow the stage
    policy. Idempotent: a flag already where the policy puts it is left alone."""
    services.apply_stage_policy(item_id=payload["item_id"], stage=payload["stage"])


def on_item_client_version_set(payload: dict) -> None:
    """`item.client_version_set` {item_id, version}: the item's flags target the new minimum
    client version from the next evaluation. Idempotent: recompiling twice changes nothing."""
    services.bump_revision()


def tell_owners_flag_killed(payload: dict) -> None:
    """`flag.killed` {flag_id}: e-mail the owners once per kill (the event key is kept)."""
    with transaction.atomic():
        flag = Flag.objects.select_for_update().filter(pk=payload["flag_id"]).first()
        if flag is None or not flag.killed or flag.kill_notice_key == payload["event_key"]:
            return
        notifications.tell_owners_flag_killed(flag=flag)
        Flag.objects.filter(pk=flag.pk).update(kill_notice_key=payload["event_key"])


def send_flag_killed_webhooks(payload: dict) -> None:
    """`flag.killed` {flag_id}: internal webhooks hear it, once per event."""
    flag = Flag.objects.select_related("item").filter(pk=payload["flag_id"]).first()
    if flag is None or not flag.killed:
        return
    webhooks.queue_event(
        Webhook.Event.FLAG_KILLED,
        item=flag.item,
        flag={"key": flag.key, "reason": flag.kill_reason, "killed_at": flag.killed_at.isoformat()},
        event_key=payload["event_key"],
    )
