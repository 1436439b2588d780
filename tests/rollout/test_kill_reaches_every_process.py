"""A killed flag answers "off" within one second in every process: three gunicorn workers,
each with its compiled flags, on the real PostgreSQL."""

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests
from django.db import transaction

from rollout import services
from rollout.models import Flag, RolloutState
from tests.connectors.worker_process import database_url, stop
from tests.reliability.redis_server import free_port
from tests.rollout.factories import FlagFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def gunicorn(postgres, transactional_db):
    port = free_port()
    log = tempfile.TemporaryFile()
    env = {**os.environ, "DATABASE_URL": database_url(), "ROLLOUT_REFRESH_SECONDS": "0.5"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "3",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{url}/ofrep/flagd.json", timeout=5)  # 401: up and answering
                break
            except requests.RequestException:
                time.sleep(0.1)
        yield url
    finally:
        stop(process)


def test_killed_flag_is_off_in_every_worker_within_one_second(gunicorn):
    FlagFactory(key="risky", state=RolloutState.EVERYONE)
    key = services.create_sdk_key(name="kill test")[1]

    def answer() -> bool:
        # A new connection each time: the kernel spreads them over the workers.
        return requests.post(
            f"{gunicorn}/ofrep/v1/evaluate/flags/risky",
            json={"context": {"targetingKey": "1"}},
            headers={"Authorization": f"Bearer {key}", "Connection": "close"},
            timeout=5,
        ).json()["value"]

    assert all(answer() for _ in range(30))  # every worker has compiled the flag: on
    flag = Flag.objects.get(key="risky")
    answers: list[tuple[float, bool]] = []
    stop_polling = threading.Event()

    def poll():
        while not stop_polling.is_set():
            answers.append((time.monotonic(), answer()))

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(1.0)  # the workers answer, and refresh, right up to the kill
    committed: list[float] = []
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(time.monotonic()))  # runs first
        services.kill_flag(flag=flag, reason="Incident")
    started = committed[0]
    time.sleep(2.0)
    stop_polling.set()
    poller.join()
    # Measured from the kill's commit.
    last_on = max((t - started for t, on in answers if on), default=0.0)
    after = [on for t, on in answers if t >= started]
    print(f"\nkill → off in every worker: last 'on' {max(last_on, 0):.3f} s after the kill "
          f"({sum(after)} of {len(after)} answers after it on)")  # fmt: skip
    assert last_on < 1.0
    assert after and not any(after[-10:])
