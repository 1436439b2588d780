from celery import shared_task

from . import services


@shared_task(name="delivery.sync")
def sync_delivery() -> dict:
    report = services.sync_delivery()
    return {"changes": len(report.changes), "failures": len(report.failures)}
