"""The real thing: Celery beat fires a connector's schedule, a worker on Redis syncs it."""

import time

import pytest

from connectors.models import SyncRun
from intake.models import Signal

from . import fake_api, worker_process
from .conftest import make_connector

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
    env = worker_process.worker_env(
        redis_url=redis_url, queue=worker_process.new_queue(), upstream_url=upstream.url
    )
    process = worker_process.start_worker(env, beat=True)
    output = ""
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            done = SyncRun.objects.exclude(outcome=SyncRun.Outcome.RUNNING)
            if done.values("connector").distinct().count() == 2:
                break
            time.sleep(0.5)
    finally:
        output = worker_process.stop(process)

    runs = {run.connector.name: run.outcome for run in SyncRun.objects.select_related("connector")}
    assert runs == {"GitHub": SyncRun.Outcome.SUCCESS, "Reddit": SyncRun.Outcome.SUCCESS}, output
    signals = dict(Signal.objects.values_list("title", "source"))
    assert signals == {
        "Exit node failover": "github_issue",
        "MagicDNS for Windows": "reddit_post",
    }
    assert fake_api.GITHUB_TOKEN not in output and fake_api.REDDIT_CLIENT_SECRET not in output
