"""Celery tasks: thin wrappers around `connectors.services`. One task per connector run.

Like every task here they acknowledge late (config/celery.py): a worker killed mid-run leaves
the message to be delivered again, and a repeated run resumes from the last stored page.
"""

from datetime import timedelta

from celery import shared_task

from . import services
from .models import SyncRun

MARK_INTERRUPTED_TASK = "connectors.mark_interrupted_runs"


@shared_task(name=services.SYNC_TASK, ignore_result=True)
def sync_connector(connector_id: int) -> str:
    """Sync one connector; beat queues it on the connector's interval (see save_connector)."""
    run = services.sync_connector(connector_id=connector_id)
    if run is None:
        return "skipped: the connector no longer exists"
    eager = sync_connector.app.conf.task_always_eager
    if run.outcome == SyncRun.Outcome.RATE_LIMITED and not eager:
        # Resume right after the reset rather than a whole interval later.
        sync_connector.apply_async((connector_id,), eta=run.retry_after + timedelta(seconds=1))
    return run.summary


@shared_task(name=MARK_INTERRUPTED_TASK, ignore_result=True)
def mark_interrupted_runs() -> int:
    """Beat, every minute: runs whose process died stop showing as "running"."""
    return services.mark_interrupted_runs()
