from celery import shared_task

from . import services


@shared_task(acks_late=True)
def process_arrived_signals(signal_ids: list[int], idea_ids: list[int]) -> int:
    return services.process_arrived_signals(signal_ids=signal_ids, idea_ids=idea_ids)
