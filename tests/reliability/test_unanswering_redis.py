"""A Redis that accepts connections but never answers costs one short timeout, not a hang."""

import threading

import pytest
from celery import Celery
from kombu.exceptions import OperationalError

from roadmap import services

pytestmark = pytest.mark.django_db


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
    app = Celery("probe")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = silent_redis.url
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
