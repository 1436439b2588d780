"""The real thing: Celery beat fires a connector's schedule, a worker on Redis syncs it."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from connectors.models import SyncRun
from intake.models import Signal
from tests.processes import database_url, stop

from . import fake_api
from .conftest import make_connector

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 90


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_beat_fires_the_schedule_and_a_worker_stores_the_signals(postgres, redis_url, upstream):
    upstream.add_issue("acme/vpn", 1, "Exit node failover", labels=("fr",), thumbs_up=3)
    upstream.add_issue("acme/vpn", 2, "Not a feature request", labels=("bug",))
    upstream.add_post("meshvpn", "abc", "MagicDNS for Windows", score=8)
    make_connector(name="GitHub", options={"repos": ["acme/vpn"], "labels": ["fr"]})
    make_connector(name="Reddit", kind="reddit")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        # A queue of its own, so no other worker on this Redis takes the task.
        "CELERY_TASK_DEFAULT_QUEUE": f"connectors-test-{uuid.uuid4().hex[:8]}",
        "GITHUB_API_URL": upstream.url,
        "GITHUB_TOKEN": fake_api.GITHUB_TOKEN,
        "REDDIT_URL": upstream.url,
        "REDDIT_OAUTH_URL": upstream.url,
        "REDDIT_CLIENT_ID": fake_api.REDDIT_CLIENT_ID,
        "REDDIT_CLIENT_SECRET": fake_api.REDDIT_CLIENT_SECRET,
        "CONNECTORS_BACKOFF_BASE_SECONDS": "0.01",
        "CONNECTORS_BACKOFF_MAX_SECONDS": "0.02",
    }
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--beat",
            "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
            "--pool", "solo", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    output = ""
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            done = SyncRun.objects.exclude(outcome=SyncRun.Outcome.RUNNING)
            if done.values("connector").distinct().count() == 2:
                break
            time.sleep(0.5)
    finally:
        output = stop(process)

    runs = {run.connector.name: run.outcome for run in SyncRun.objects.select_related("connector")}
    assert runs == {"GitHub": SyncRun.Outcome.SUCCESS, "Reddit": SyncRun.Outcome.SUCCESS}, output
    signals = dict(Signal.objects.values_list("title", "source"))
    assert signals == {
        "Exit node failover": "github_issue",
        "MagicDNS for Windows": "reddit_post",
    }
    assert fake_api.GITHUB_TOKEN not in output and fake_api.REDDIT_CLIENT_SECRET not in output
