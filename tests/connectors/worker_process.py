"""A real Celery worker process for tests: started on Redis and PostgreSQL, stopped or killed.

The worker runs this checkout with the test database and a queue of its own, so no other
worker on the same Redis takes its tasks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from . import fake_api

ROOT = Path(__file__).resolve().parents[2]


def database_url(*, host: str = "", port: int = 0) -> str:
    """The test database as a DATABASE_URL, for processes started by the test (optionally
    reached through another host and port, such as a relay the test can cut)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = host or db["HOST"] or "127.0.0.1"
    port = port or db["PORT"] or "5432"
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


def new_queue() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def worker_env(
    *, redis_url: str, queue: str, upstream_url: str = "", **extra: str
) -> dict[str, str]:
    """The worker's environment: this test database, Redis, its queue, `extra` variables."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "GITHUB_TOKEN": fake_api.GITHUB_TOKEN,
        "REDDIT_CLIENT_ID": fake_api.REDDIT_CLIENT_ID,
        "REDDIT_CLIENT_SECRET": fake_api.REDDIT_CLIENT_SECRET,
        "CONNECTORS_BACKOFF_BASE_SECONDS": "0.01",
        "CONNECTORS_BACKOFF_MAX_SECONDS": "0.02",
        **extra,
    }
    if upstream_url:
        env.update(
            GITHUB_API_URL=upstream_url, REDDIT_URL=upstream_url, REDDIT_OAUTH_URL=upstream_url
        )
    return env


def start_worker(
    env: dict[str, str], *, pool: str = "solo", beat: bool = False
) -> subprocess.Popen:
    """Start `celery worker` in a session of its own (so it can be killed as a whole)."""
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", pool,
        "--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
        "--without-heartbeat",
    ]  # fmt: skip
    if beat:
        command += ["--beat", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"]
    # Output goes to a file, not a pipe: a pipe nobody reads fills up and stalls the worker.
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    process.log = log
    return process


def pool_children(process: subprocess.Popen) -> list[int]:
    """The pids of a prefork worker's pool processes (where its tasks run)."""
    path = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    try:
        return [int(pid) for pid in path.read_text().split()]
    except FileNotFoundError:
        return []


def kill_all(process: subprocess.Popen) -> None:
    """SIGKILL the worker and everything it started: no shutdown, no acknowledgement."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def stop(process: subprocess.Popen) -> str:
    """Stop the worker and everything it started; return what it printed."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    log = getattr(process, "log", None)
    if log is None:
        return ""
    log.seek(0)
    return log.read().decode(errors="replace")


def wait_for(condition, *, timeout: float, interval: float = 0.1, what: str = "") -> float:
    """Poll `condition` until true; return the seconds it took, or fail after `timeout`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        time.sleep(interval)
    return time.monotonic() - started
