"""A Redis that never answers, or refuses, costs a request one short timeout, not a hang."""

import os
import subprocess
import sys
import threading

import pytest
from celery import Celery
from kombu.exceptions import OperationalError

from roadmap import services
from tests.reliability.conftest import ROOT

pytestmark = pytest.mark.django_db


def _app_on(broker_url: str) -> Celery:
    """A Celery app with the project's settings, publishing to `broker_url`."""
    # Not the current app: shared tasks of later tests must keep publishing through the project's.
    app = Celery("probe", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = broker_url
    return app


def test_a_hung_cache_is_tried_once_then_skipped(client, settings, silent_redis):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.fail_safe_cache.FailSafeRedisCache",
            "LOCATION": silent_redis.url,
            "RETRY_SECONDS": 300,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    for _ in range(20):
        services._local_pages.clear()
        assert client.get("/roadmap/").status_code == 200
    assert len(silent_redis.accepted) == 1


def test_publishing_a_task_gives_up_when_the_broker_never_answers(silent_redis):
    """With Celery's defaults this publish waits forever; the project's settings bound it."""
    app = _app_on(silent_redis.url)
    outcome = []

    def publish():
        try:
            app.send_task("scoring.tasks.rescore_ideas", args=[[1]])
        except OperationalError as error:
            outcome.append(error)

    thread = threading.Thread(target=publish, daemon=True)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive(), "publishing still waits for the broker"
    assert len(outcome) == 1


PUBLISH_AFTER_STOP = """
import sys, time
import django
django.setup()
from intake import tasks

tasks.handle_outbox_event.apply_async((1,), retry=False)
print("published", flush=True)
sys.stdin.readline()  # the test stops Redis
started, refused = time.monotonic(), 0
for _ in range(5):
    try:
        tasks.handle_outbox_event.apply_async((1,), retry=False)
    except Exception:
        refused += 1
print(refused, time.monotonic() - started, flush=True)
"""


def test_publishing_gives_up_at_once_while_the_broker_refuses(own_redis):
    """A pooled broker connection is retried at once, not after kombu's default 2 s pause."""
    env = {**os.environ, "REDIS_URL": own_redis.url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    process = subprocess.Popen(
        [sys.executable, "-c", PUBLISH_AFTER_STOP],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout.readline().strip() == "published"
    own_redis.stop()
    out, _ = process.communicate("go\n", timeout=60)
    refused, seconds = out.split()
    assert int(refused) == 5
    assert float(seconds) < 5  # 8 s with kombu's defaults
