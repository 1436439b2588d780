"""The work promised while Redis was down is done once it is back, even empty.

Requests hand their follow-up work (indexing for duplicates, scoring, webhooks) to Celery
through the outbox. Here some work is handed to a Redis that then restarts empty (the messages
are lost) and more is promised while it is down (never handed over). A real worker with beat,
started once Redis is back, must do all of it, within a minute, from the outbox alone.
"""

import requests

from intake.models import Idea, IdeaTerm, OutboxEvent, Signal
from tests.connectors.worker_process import (
    database_url,
    new_queue,
    start_worker,
    stop,
    wait_for,
    worker_env,
)
from tests.factories import UserFactory, api_token
from tests.reliability.conftest import log_in, post_form


def _pending() -> bool:
    return OutboxEvent.objects.filter(done_at__isnull=True).exists()


def test_work_promised_during_an_outage_is_done_after_redis_returns_empty(
    postgres, transactional_db, own_redis, start_gunicorn
):
    UserFactory(username="emma", groups=["Employee"])
    tool = UserFactory(username="crm-bot", groups=["Employee"])
    token = api_token(tool)
    queue = new_queue()
    server = start_gunicorn(
        DATABASE_URL=database_url(), REDIS_URL=own_redis.url, CELERY_TASK_DEFAULT_QUEUE=queue
    )
    http = requests.Session()
    log_in(http, server.base, "emma")

    def submit(title: str) -> int:
        form = {"title": title, "pillar": "reliability"}
        return post_form(http, f"{server.base}/submit/", form).status_code

    # Handed to Redis while no worker runs: these messages are lost when Redis restarts.
    statuses = [submit(f"Exit node failover {n}") for n in range(3)]
    own_redis.stop()
    statuses += [submit(f"Audit log export to S3 {n}") for n in range(5)]
    statuses += [
        requests.post(
            f"{server.base}/api/signals/",
            json={"external_id": f"crm-{n}", "title": f"SCIM provisioning {n}"},
            headers={"Authorization": f"Token {token}"},
            timeout=30,
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302] * 8 + [201] * 3
    assert Idea.objects.count() == 8 and Signal.objects.count() == 11
    assert _pending()

    own_redis.start()  # empty: it keeps nothing on disk
    worker = start_worker(worker_env(redis_url=own_redis.url, queue=queue), beat=True)
    try:
        took = wait_for(lambda: not _pending(), timeout=90, interval=0.5, what="the outbox")
    finally:
        output = stop(worker)

    assert took < 60, output[-2000:]
    for idea in Idea.objects.all():
        assert idea.score_breakdown, f"“{idea.title}” was never scored"
        assert IdeaTerm.objects.filter(idea=idea).exists(), f"“{idea.title}” was never indexed"
    print(f"deferred work done {took:.1f} s after Redis returned empty")
