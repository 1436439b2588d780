"""A handler that kills its worker process every time (as the kernel's out-of-memory killer
does) runs a bounded number of times, then its row is failed and the admin lists it as failed.

Real processes: a prefork Celery worker with beat on Redis and PostgreSQL; the handler sends
SIGKILL to the pool process running it.
"""

import os
import signal
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from intake.models import OutboxEvent
from tests.connectors import worker_process

# Celery notices a dead pool process some seconds later (worker_lost_wait): two deaths keep
# the test near 20 s and still show the third delivery failing the row without running it.
MAX_ATTEMPTS = 2


def kill_own_process(payload: dict) -> None:
    """Note the start, then die as an out-of-memory kill does: at once, nothing cleaned up."""
    with open(payload["starts_file"], "a") as starts:
        starts.write("started\n")
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_handler_that_kills_its_worker_is_failed_after_the_limit(
    postgres, redis_url, tmp_path, superuser, client
):
    starts = tmp_path / "starts"
    row = OutboxEvent.objects.create(
        name="test.out_of_memory",
        handler=f"{__name__}.kill_own_process",
        payload={"starts_file": str(starts), "event_key": uuid.uuid4().hex},
        available_at=timezone.now(),
    )
    env = worker_process.worker_env(
        redis_url=redis_url,
        queue=worker_process.new_queue(),
        OUTBOX_SWEEP_SECONDS="0.5",
        OUTBOX_RETRY_SECONDS="0.1",
        OUTBOX_MAX_ATTEMPTS=str(MAX_ATTEMPTS),
    )
    worker = worker_process.start_worker(env, pool="prefork", beat=True)
    try:
        worker_process.wait_for(
            lambda: OutboxEvent.objects.filter(pk=row.pk, failed_at__isnull=False).exists(),
            timeout=60,
            what="the row failed",
        )
    finally:
        output = worker_process.stop(worker)

    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", MAX_ATTEMPTS), output[-4000:]
    assert row.last_error == f"worker lost: attempt {MAX_ATTEMPTS} of {MAX_ATTEMPTS} never finished"
    assert Path(starts).read_text().count("started") == MAX_ATTEMPTS
    client.force_login(superuser)
    failed = client.get("/admin/intake/outboxevent/", {"state": "failed"})
    assert list(failed.context["cl"].result_list) == [row]
    assert "worker lost" in client.get(f"/admin/intake/outboxevent/{row.pk}/change/").text
