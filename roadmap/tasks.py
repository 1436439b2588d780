"""Celery tasks: take ids, call one service; retry with exponential backoff."""

import logging

from celery import shared_task

from . import comment_back, notifications, webhooks

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = 30


def backoff(retries: int) -> int:
    """30 s, 1 min, 2 min, 4 min, 8 min..."""
    return BACKOFF_SECONDS * 2**retries


@shared_task(bind=True, acks_late=True, max_retries=5)
def notify_idea_status(self, idea_id: int, status: str) -> None:
    try:
        notifications.notify_idea_status(idea_id=idea_id, status=status)
    except Exception as exc:
        # Run in-process (no broker), nothing can come back later: the failures stay in the
        # notification log, unsent and with their error.
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.exception("Giving up telling people idea %s is %s", idea_id, status)
            return
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc


@shared_task(bind=True, acks_late=True, max_retries=webhooks.MAX_ATTEMPTS - 1)
def deliver_webhook(self, delivery_id: int) -> None:
    if self.request.is_eager:
        # No worker to come back later: make the remaining attempts now, without waiting.
        for attempt in range(webhooks.MAX_ATTEMPTS):
            final = attempt == webhooks.MAX_ATTEMPTS - 1
            if not webhooks.attempt_delivery(delivery_id, final=final):
                return
        return
    final = self.request.retries >= self.max_retries
    if webhooks.attempt_delivery(delivery_id, final=final):
        raise self.retry(countdown=backoff(self.request.retries))


@shared_task(bind=True, acks_late=True, max_retries=5)
def comment_back_on_source(self, idea_id: int, status: str) -> None:
    try:
        comment_back.comment_back(idea_id=idea_id, status=status)
    except Exception as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.exception("Giving up commenting back on idea %s (%s)", idea_id, status)
            return
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc
