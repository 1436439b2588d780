"""Celery tasks: take ids, call one service."""

from celery import shared_task

from . import notifications


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def tell_owners_flag_killed(flag_id: int) -> None:
    notifications.tell_owners_flag_killed(flag_id=flag_id)
