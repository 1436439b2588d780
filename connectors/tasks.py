"""Celery tasks: thin wrappers around `connectors.services`. One task per connector run."""

from datetime import timedelta

from celery import shared_task

from . import services
from .models import SyncRun


@shared_task(name=services.SYNC_TASK, ignore_result=True)
def sync_connector(connector_id: int) -> str:
    """Sync one connector; beat queues it on the connector's interval (see save_connector)."""
    result = services.sync_connector(connector_id=connector_id)
    if isinstance(result, services.Skipped):
        return f"skipped: {result.reason}"
    eager = sync_connector.app.conf.task_always_eager
    if result.outcome == SyncRun.Outcome.RATE_LIMITED and not eager:
        # Resume right after the reset rather than a whole interval later.
        sync_connector.apply_async((connector_id,), eta=result.retry_after + timedelta(seconds=1))
    return result.outcome
