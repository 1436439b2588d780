from celery import shared_task

from . import services


@shared_task(acks_late=True)
def rescore_ideas(idea_ids: list[int]) -> int:
    return services.rescore_ideas(idea_ids=idea_ids)


@shared_task(acks_late=True)
def rescore_all_ideas() -> int:
    return services.rescore_all()


@shared_task(acks_late=True)
def reweigh_all_ideas() -> int:
    return services.reweigh_all()
