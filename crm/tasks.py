"""Celery tasks: thin wrappers around `crm.services`."""

from celery import shared_task

from . import services


@shared_task(name="crm.sync_crm", ignore_result=True)
def sync_crm() -> str:
    """One sync of every enabled CRM connection; beat runs it every CRM_SYNC_SECONDS."""
    return "\n".join(result.summary for result in services.sync_all()) or "no CRM connection"
