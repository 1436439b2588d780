"""Mixed load against gunicorn with PostgreSQL and a Redis of its own, stopped half-way.

Employees submitting ideas through the form, a bot posting `POST /api/signals/`, visitors on
the public roadmap and a monitor polling `/healthz`, all at once, from locust (library mode,
closed loop, no think time) on 127.0.0.1. Two runs of DURATION seconds each:

1. the baseline: Redis up throughout;
2. the outage: Redis stopped half-way (the first half is measured apart from the second).

For each run and half it prints requests/second, failures and p99 per endpoint, the ratio of
the outage half to the baseline, and how many submissions were answered and saved.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/bench_load.py [--duration 30] [--users 16] [--workers 4]

Environment: DATABASE_URL (a PostgreSQL database of your own, created if missing and emptied of
nothing: the demo is loaded once; default postgres://postgres@127.0.0.1:5432/load_bench).
Needs `redis-server` (Debian: apt-get install redis-server). Celery tasks are queued in the
benchmark's Redis; no worker runs (the load is the web process's).
"""

# locust patches the standard library for gevent: import it before anything else.
from locust import FastHttpUser, constant, task  # isort: skip

import argparse
import os
import re
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlencode

import gevent
from locust.env import Environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_public_roadmap import (  # noqa: E402
    ensure_database,
    free_port,
    manage,
    start_gunicorn,
    wait_for,
)

from tests.reliability.redis_server import RedisServer  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/load_bench"
PYTHON = sys.executable
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ENDPOINTS = ["POST /submit/", "GET /submit/", "POST /api/signals/", "GET /roadmap/", "GET /healthz"]
RUN_TAG = uuid.uuid4().hex[:8]  # marks this run's submissions, to count what was saved
SETTINGS = {"api_token": "", "password": "demo"}


class Visitor(FastHttpUser):
    weight = 4
    wait_time = constant(0)

    @task
    def public_roadmap(self):
        self.client.get("/roadmap/", name="GET /roadmap/")


class Monitor(FastHttpUser):
    weight = 1
    wait_time = constant(0.5)  # a monitor polls; it does not hammer

    @task
    def healthz(self):
        self.client.get("/healthz", name="GET /healthz")


class Bot(FastHttpUser):
    weight = 2
    wait_time = constant(0)

    @task
    def post_signal(self):
        self.client.post(
            "/api/signals/",
            json={"external_id": f"load-{uuid.uuid4().hex}", "title": f"Load {RUN_TAG} signal"},
            headers={"Authorization": f"Token {SETTINGS['api_token']}"},
            name="POST /api/signals/",
        )


class Employee(FastHttpUser):
    weight = 2
    wait_time = constant(0)

    def _token(self, path: str, name: str) -> str:
        return CSRF.search(self.client.get(path, name=name).text).group(1)

    def on_start(self):
        token = self._token("/accounts/login/", "login")
        body = {"username": "employee", "password": SETTINGS["password"]}
        self.client.post(
            "/accounts/login/",
            data=urlencode({**body, "csrfmiddlewaretoken": token}),
            headers=FORM,
            allow_redirects=False,
            name="login",
        )

    @task
    def submit_idea(self):
        token = self._token("/submit/", "GET /submit/")
        title = f"Load {RUN_TAG} idea {uuid.uuid4().hex[:12]}"
        data = {"title": title, "pillar": "reliability", "csrfmiddlewaretoken": token}
        with self.client.post(
            "/submit/",
            data=urlencode(data),
            headers=FORM,
            allow_redirects=False,
            catch_response=True,
            name="POST /submit/",
        ) as response:
            if response.status_code == 302:
                response.success()
            else:
                response.failure(f"answered {response.status_code}")


def snapshot(env: Environment, seconds: float) -> dict:
    """Per endpoint: requests/second, failures, p99 (ms) since the last reset."""
    figures = {}
    for name in ENDPOINTS:
        entry = env.stats.entries.get((name, name.split()[0]))
        if entry is None or not entry.num_requests:
            figures[name] = {"rps": 0.0, "requests": 0, "failures": 0, "p99": 0.0}
            continue
        figures[name] = {
            "rps": entry.num_requests / seconds,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p99": entry.get_response_time_percentile(0.99),
        }
    total = env.stats.total
    figures["all"] = {
        "rps": total.num_requests / seconds,
        "requests": total.num_requests,
        "failures": total.num_failures,
        "p99": total.get_response_time_percentile(0.99) if total.num_requests else 0.0,
    }
    return figures


def run_load(base: str, users: int, duration: float, redis: RedisServer, stop_redis: bool):
    """One run; returns the figures of each half (the halves are measured apart)."""
    env = Environment(user_classes=[Visitor, Monitor, Bot, Employee], host=base)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(2)  # every user logged in and running
    halves = []
    for half in (1, 2):
        env.stats.reset_all()
        if half == 2 and stop_redis:
            redis.stop()
        gevent.sleep(duration / 2)
        halves.append(snapshot(env, duration / 2))
    runner.quit()
    return halves


def count_saved(env: dict) -> int:
    code = (
        "import django; django.setup();"
        "from intake.models import Signal;"
        f"print(Signal.objects.filter(title__startswith='Load {RUN_TAG} idea').count())"
    )
    out = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip())


def print_run(title: str, halves: list[dict], baseline: list[dict] | None = None) -> None:
    print(title)
    for label, figures in zip(("first half", "second half"), halves, strict=True):
        print(f"  {label}:")
        for name, f in figures.items():
            ratio = ""
            if baseline is not None and baseline[1][name]["rps"]:
                ratio = f"  ({f['rps'] / baseline[1][name]['rps']:.2f} x baseline)"
            print(
                f"    {name:20} {f['rps']:7.1f} req/s  p99 {f['p99']:6.0f} ms  "
                f"{f['requests']:6d} requests  {f['failures']} failures{ratio}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per run (max 120)")
    parser.add_argument("--users", type=int, default=16, help="concurrent simulated users")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    args = parser.parse_args()
    duration = min(args.duration, 120)

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.setdefault("DATABASE_URL", DEFAULT_DB)
    if not env["DATABASE_URL"].startswith("postgres"):
        raise SystemExit("DATABASE_URL must point at PostgreSQL for this benchmark")
    SETTINGS["password"] = env.get("DEMO_PASSWORD", "demo")
    redis = RedisServer(Path(tempfile.mkdtemp(prefix="load-redis-")))
    redis.start()
    env.update(REDIS_URL=redis.url, DEBUG="0", CONN_MAX_AGE="60", DJANGO_ENV="development")
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo")
    token = subprocess.run(
        [PYTHON, "manage.py", "drf_create_token", "employee"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()[2]  # fmt: skip
    SETTINGS["api_token"] = token

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = start_gunicorn(env, port, args.workers)
    try:
        wait_for(f"{base}/roadmap/")
        baseline = run_load(base, args.users, duration, redis, stop_redis=False)
        outage = run_load(base, args.users, duration, redis, stop_redis=True)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        redis.stop()

    submitted = sum(h["POST /submit/"]["requests"] - h["POST /submit/"]["failures"]
                    for h in baseline + outage)  # fmt: skip
    print(
        f"gunicorn {args.workers} sync workers, PostgreSQL, Redis cache and broker; locust "
        f"{args.users} users (visitors 4 : employees 2 : bots 2 : monitor 1), "
        f"2 runs x {duration} s on 127.0.0.1"
    )
    print_run("Baseline, Redis up throughout:", baseline)
    print_run("Outage, Redis stopped at the start of the second half:", outage, baseline)
    print(f"submissions answered 302: {submitted}; saved: {count_saved(env)}")


if __name__ == "__main__":
    main()
