from celery import shared_task

from . import events


# Late acknowledgement: a worker killed mid-handler leaves the message to be delivered again;
# the row in the outbox stays pending either way, so the sweep would send it again too.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def handle_outbox_event(event_id: int) -> str:
    return events.handle(event_id)


@shared_task(ignore_result=True)
def relay_outbox() -> int:
    return events.dispatch_due()
