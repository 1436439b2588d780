"""Periodic work of the roadmap (beat: config/settings.py CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import following


@shared_task(name="roadmap.purge_unconfirmed_followers", ignore_result=True)
def purge_unconfirmed_followers() -> int:
    """Forget the addresses that never confirmed following an item."""
    return following.purge_unconfirmed()
