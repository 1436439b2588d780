from celery import shared_task

from . import events


# Late acknowledgement: a worker killed as a whole leaves the message to come back, and the
# row stays pending, so the sweep sends it again too. A pool process killed under the task
# (out of memory) is not put straight back on the queue, unlike other tasks (config/celery.py):
# the outbox has counted the attempt and set its backoff, and the sweep sends the row again when
# due, until its attempts run out and it is marked failed.
@shared_task(acks_late=True, reject_on_worker_lost=False, ignore_result=True)
def handle_outbox_event(event_id: int) -> str:
    return events.handle(event_id)


@shared_task(ignore_result=True)
def relay_outbox() -> int:
    return events.dispatch_due()
