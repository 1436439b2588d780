"""What the roadmap does when intake or the roadmap records a domain event (config/events.py).

Each handler is idempotent: a row of the outbox may run twice.
"""

from intake.models import Idea

from . import comment_back as comment_back_service
from . import following, notifications, reddit_reply, services, webhooks
from .models import FollowNotice, RoadmapItem, Webhook

NOTIFY_STATUSES = (Idea.Status.PLANNED, Idea.Status.SHIPPED, Idea.Status.DECLINED)
# 30 s, 1 min, 2 min, 4 min, 8 min between a webhook's attempts.
WEBHOOK_BACKOFF_SECONDS = 30


def notify_requesters(payload: dict) -> None:
    """Planned, shipped or declined: everyone who asked hears it once (the Notification log)."""
    if payload["status"] in NOTIFY_STATUSES:
        notifications.notify_idea_status(idea_id=payload["idea_id"], status=payload["status"])


def comment_back(payload: dict) -> None:
    """Shipped or declined: one comment on each source GitHub issue, when switched on."""
    status = payload["status"]
    if comment_back_service.enabled() and status in comment_back_service.COMMENT_STATUSES:
        comment_back_service.comment_back(idea_id=payload["idea_id"], status=status)


def reply_on_reddit(payload: dict) -> None:
    """Planned or shipped: one reply in each source Reddit thread whose connector opted in."""
    status = payload["status"]
    if status in reddit_reply.REPLY_STATUSES and reddit_reply.enabled():
        reddit_reply.reply(idea_id=payload["idea_id"], status=status)


def send_webhooks(payload: dict) -> None:
    """Queue one delivery per interested webhook, once per event."""
    key = payload["event_key"]
    if "item_id" in payload:
        item = RoadmapItem.objects.filter(pk=payload["item_id"]).first()
        if item is None:
            return
        if "previous_stage" in payload:
            webhooks.queue_event(
                Webhook.Event.ITEM_STAGE_CHANGED,
                item=item,
                previous_stage=payload["previous_stage"],
                event_key=key,
            )
        else:
            webhooks.queue_event(Webhook.Event.ITEM_SHIPPED, item=item, event_key=key)
        return
    idea = Idea.objects.filter(pk=payload["idea_id"]).first()
    if idea is None:
        return
    if "previous_status" in payload:
        webhooks.queue_event(
            Webhook.Event.IDEA_STATUS_CHANGED,
            idea=idea,
            previous_status=payload["previous_status"],
            event_key=key,
        )
    else:
        webhooks.queue_event(Webhook.Event.IDEA_CREATED, idea=idea, event_key=key)


def deliver_webhook(payload: dict) -> None:
    """One attempt; a retryable failure promises another, later, until the last attempt."""
    delivery_id = payload["delivery_id"]
    attempts = (
        webhooks.WebhookDelivery.objects.filter(pk=delivery_id)
        .values_list("attempts", flat=True)
        .first()
    )
    if attempts is None:
        return
    final = attempts + 1 >= webhooks.MAX_ATTEMPTS
    if webhooks.attempt_delivery(delivery_id, final=final):
        webhooks.send_deliveries([delivery_id], delay_seconds=WEBHOOK_BACKOFF_SECONDS * 2**attempts)


def refresh_public_pages(payload: dict) -> None:
    """A connector became public or private: its vote links appear or go at once."""
    services.invalidate_public_roadmap()


def tell_followers_now(payload: dict) -> None:
    """`item.moved_to_now` {item_id}: each confirmed e-mail follower hears it once."""
    following.notify_followers(item_id=payload["item_id"], kind=FollowNotice.Kind.NOW)


def tell_followers_shipped(payload: dict) -> None:
    """`item.shipped` {item_id}: each confirmed e-mail follower hears it once."""
    following.notify_followers(item_id=payload["item_id"], kind=FollowNotice.Kind.SHIPPED)


def send_follow_confirmation(payload: dict) -> None:
    """`item.follow_requested` {follower_id}: the one confirmation e-mail of this request."""
    following.send_confirmation(follower_id=payload["follower_id"], event_key=payload["event_key"])
