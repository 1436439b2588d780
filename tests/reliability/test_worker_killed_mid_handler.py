"""A worker killed with SIGKILL in the middle of a rescore or of a webhook delivery leaves
nothing half-done, and the work still gets done: the outbox row stays pending, beat's sweep
hands it to the next worker, and the database ends as an undisturbed run leaves it.

Real processes: a Celery worker with beat on Redis and PostgreSQL, killed as a whole (no
shutdown, no acknowledgement), then a fresh one.
"""

import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.utils import timezone

from config import events as registry
from intake import events
from intake.models import Idea, OutboxEvent, Signal
from roadmap.models import Webhook, WebhookDelivery
from scoring import services as scoring
from scoring.models import IdeaDemand
from tests.connectors import worker_process

IDEAS = 10000
SIGNALS_PER_IDEA = 3
WAIT_SECONDS = 120
(DELIVER,) = registry.HANDLERS["webhook.delivery_due"]


def _pending(name: str, handler: str, **payload) -> OutboxEvent:
    """An outbox row as a service records it, left for the sweep to hand over."""
    return OutboxEvent.objects.create(
        name=name,
        handler=handler,
        payload={**payload, "event_key": uuid.uuid4().hex},
        available_at=timezone.now(),
    )


def _worker_with_beat(redis_url: str, **extra: str):
    env = worker_process.worker_env(
        redis_url=redis_url,
        queue=worker_process.new_queue(),
        # The sweep every half second, a lost hand-over re-sent after two, the killed attempt
        # (counted as it started) retried after one.
        OUTBOX_SWEEP_SECONDS="0.5",
        OUTBOX_REDISPATCH_SECONDS="2",
        OUTBOX_RETRY_SECONDS="1",
        **extra,
    )
    return env, worker_process.start_worker(env, beat=True)


def _done(row: OutboxEvent) -> bool:
    return OutboxEvent.objects.filter(pk=row.pk, done_at__isnull=False).exists()


def _another_backend_writes(tables: str) -> bool:
    """True while another session has a write transaction open, busy with `tables` (a regex)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL AND query ~* %s",
            [tables],
        )
        return cursor.fetchone()[0] > 0


def _finish_on_a_new_worker(env: dict, row: OutboxEvent) -> str:
    worker = worker_process.start_worker(env, beat=True)
    try:
        worker_process.wait_for(lambda: _done(row), timeout=WAIT_SECONDS, what="the row done")
    except AssertionError as timed_out:
        output = worker_process.stop(worker)
        state = OutboxEvent.objects.filter(pk=row.pk).values().first()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, classid, objid, granted FROM pg_locks WHERE locktype = 'advisory'"
            )
            locks = cursor.fetchall()
        raise AssertionError(
            f"{timed_out}; row {state}; advisory locks {locks}\n{output[-4000:]}"
        ) from timed_out
    return worker_process.stop(worker)


def _backlog() -> list[int]:
    ideas = Idea.objects.bulk_create(Idea(title=f"Idea {n}") for n in range(IDEAS))
    Signal.objects.bulk_create(
        Signal(
            source=Signal.Source.API,
            external_id=f"{idea.pk}-{n}",
            title=idea.title,
            author=f"person {n}",
            votes=idea.pk % 40,
            idea=idea,
        )
        for idea in ideas
        for n in range(SIGNALS_PER_IDEA)
    )
    return [idea.pk for idea in ideas]


def _scores() -> dict:
    ideas = Idea.objects.values_list(
        "pk", "score", "score_breakdown", "score_policy_version", "serves_plg"
    )
    return {
        "ideas": {pk: rest for pk, *rest in ideas},
        "demand": set(IdeaDemand.objects.values_list("idea_id", "kind", "people", "votes")),
    }


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_rescore_leaves_old_scores_and_the_rescore_completes(
    postgres, redis_url
):
    idea_ids = _backlog()
    row = _pending("signal.updated", registry.RESCORE, signal_ids=[], idea_ids=idea_ids)
    env, worker = _worker_with_beat(redis_url)
    try:
        worker_process.wait_for(
            lambda: _another_backend_writes("scoring|intake_idea"),
            timeout=WAIT_SECONDS,
            interval=0.02,
            what="the rescore's transaction",
        )
        worker_process.kill_all(worker)
    finally:
        output = worker_process.stop(worker)

    # Nothing half-done: not one score or demand count of the killed transaction is visible.
    assert not IdeaDemand.objects.exists(), output
    assert not Idea.objects.exclude(score=0).exists()
    assert not _done(row)
    output += _finish_on_a_new_worker(env, row)
    after_kill = _scores()
    IdeaDemand.objects.all().delete()
    Idea.objects.update(score=0, score_breakdown={}, score_policy_version=None)
    scoring.rescore_ideas(idea_ids=idea_ids)
    assert len(after_kill["ideas"]) == IDEAS and after_kill["demand"], output
    assert after_kill == _scores()


class _SlowFirstReceiver(BaseHTTPRequestHandler):
    """A webhook receiver that holds the first request (long enough to kill the sender)."""

    received: list = []
    first_arrived = threading.Event()

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(self.headers["X-Idea-Intake-Delivery"])
        if len(self.received) == 1:
            self.first_arrived.set()
            threading.Event().wait(30)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        return


@pytest.fixture
def receiver():
    _SlowFirstReceiver.received = []
    _SlowFirstReceiver.first_arrived = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowFirstReceiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _delivery(webhook: Webhook) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        webhook=webhook, event=Webhook.Event.IDEA_CREATED, body='{"event": "idea.created"}'
    )


def _outcome(delivery: WebhookDelivery) -> tuple:
    delivery.refresh_from_db()
    return (delivery.status, delivery.attempts, delivery.response_code, delivery.error)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_webhook_delivery_delivers_it_once_more(
    postgres, redis_url, receiver, settings
):
    host, port = receiver.server_address[:2]
    webhook = Webhook.objects.create(
        name="Chat", url=f"http://{host}:{port}/hook", events=[Webhook.Event.IDEA_CREATED]
    )
    delivery = _delivery(webhook)
    row = _pending("webhook.delivery_due", DELIVER, delivery_id=delivery.pk)
    env, worker = _worker_with_beat(redis_url, WEBHOOK_ALLOW_PRIVATE_ADDRESSES="1")
    try:
        assert _SlowFirstReceiver.first_arrived.wait(WAIT_SECONDS), "no attempt was made"
        worker_process.kill_all(worker)
    finally:
        output = worker_process.stop(worker)
    assert _outcome(delivery) == (WebhookDelivery.Status.PENDING, 0, None, ""), output

    output += _finish_on_a_new_worker(env, row)

    # Sent again under the same delivery id, so a receiver that saw the first can tell.
    assert _SlowFirstReceiver.received == [str(delivery.pk)] * 2, output
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    undisturbed = _delivery(webhook)
    events.handle(_pending("webhook.delivery_due", DELIVER, delivery_id=undisturbed.pk).pk)
    assert _outcome(delivery) == _outcome(undisturbed) == (
        WebhookDelivery.Status.DELIVERED, 1, 200, ""
    )  # fmt: skip
