"""Mixed load against gunicorn with PostgreSQL and a Redis of its own, stopped half-way.

Employees submitting ideas through the form, a bot posting `POST /api/signals/`, visitors on
the public roadmap and a monitor polling `/healthz`, all at once, from locust (library mode,
closed loop, no think time but the monitor's) on 127.0.0.1. Each round is two runs of DURATION
seconds, each half measured apart:

1. the baseline: Redis up throughout;
2. the outage: Redis stopped half-way (started again, empty, before the next round).

It prints, per endpoint, requests/second, p99 and failures of the second halves (Redis up in the
baseline, stopped in the outage run; best of the rounds, as the machine is shared) with their
ratio, each round's totals, and how many submissions were answered and saved.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/bench_load.py [--duration 30] [--rounds 3] [--users 16] [--workers 4]

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
# Every run, warm-up included, to compare with what was saved.
SENT = {"idea": [0, 0], "signal": [0, 0]}  # sent, answered with success


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
        SENT["signal"][0] += 1
        response = self.client.post(
            "/api/signals/",
            json={"external_id": f"load-{uuid.uuid4().hex}", "title": f"Load {RUN_TAG} signal"},
            headers={"Authorization": f"Token {SETTINGS['api_token']}"},
            name="POST /api/signals/",
        )
        SENT["signal"][1] += response.status_code == 201


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
        SENT["idea"][0] += 1
        with self.client.post(
            "/submit/",
            data=urlencode(data),
            headers=FORM,
            allow_redirects=False,
            catch_response=True,
            name="POST /submit/",
        ) as response:
            if response.status_code == 302:
                SENT["idea"][1] += 1
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


def count_saved(env: dict, kind: str) -> int:
    code = (
        "import django; django.setup();"
        "from intake.models import Signal;"
        f"print(Signal.objects.filter(title__startswith='Load {RUN_TAG} {kind}').count())"
    )
    out = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip())


def summarize(rounds: list[tuple[list[dict], list[dict]]]) -> None:
    """Second halves compared: Redis up (baseline run) against Redis stopped (outage run)."""
    print(
        f"{'endpoint':20} {'Redis up: req/s':>16} {'p99 ms':>7} {'Redis stopped: req/s':>21} "
        f"{'p99 ms':>7} {'ratio':>6} {'failures up/stopped':>20}"
    )
    for name in [*ENDPOINTS, "all"]:
        up = [baseline[1][name] for baseline, _ in rounds]
        down = [outage[1][name] for _, outage in rounds]
        up_rps, down_rps = max(f["rps"] for f in up), max(f["rps"] for f in down)
        print(
            f"{name:20} {up_rps:16.1f} {min(f['p99'] for f in up):7.0f} {down_rps:21.1f} "
            f"{min(f['p99'] for f in down):7.0f} {down_rps / up_rps if up_rps else 0:6.2f} "
            f"{sum(f['failures'] for f in up):>10d}/{sum(f['failures'] for f in down)}"
        )
    for n, (baseline, outage) in enumerate(rounds, 1):
        halves = [baseline[0], baseline[1], outage[0], outage[1]]
        print(
            f"round {n}, all endpoints, req/s by half: baseline "
            + " / ".join(f"{h['all']['rps']:.0f}" for h in halves[:2])
            + ", outage (Redis up / stopped) "
            + " / ".join(f"{h['all']['rps']:.0f}" for h in halves[2:])
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per run (max 120)")
    parser.add_argument("--users", type=int, default=16, help="concurrent simulated users")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--rounds", type=int, default=3, help="baseline + outage runs (max 5)")
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
    rounds = []
    try:
        wait_for(f"{base}/roadmap/")
        for _ in range(min(args.rounds, 5)):
            if redis.process is None:
                redis.start()  # empty, as after a restart without persistence
                gevent.sleep(6)  # past the cache's 5 s pause after a failure
            baseline = run_load(base, args.users, duration, redis, stop_redis=False)
            outage = run_load(base, args.users, duration, redis, stop_redis=True)
            rounds.append((baseline, outage))
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        redis.stop()

    print(
        f"gunicorn {args.workers} sync workers, PostgreSQL, Redis cache and broker; locust "
        f"{args.users} users (visitors 4 : employees 2 : bots 2 : monitor 1); {len(rounds)} "
        f"rounds of a baseline run and an outage run, {duration} s each, on 127.0.0.1. Best of "
        "the rounds, second halves: Redis stopped at the start of the outage run's second half."
    )
    summarize(rounds)
    for kind, label in (("idea", "form submissions"), ("signal", "API signals")):
        sent, answered = SENT[kind]
        print(
            f"{label}: sent {sent}, answered with success {answered}, saved "
            f"{count_saved(env, kind)} (sent but unanswered: in flight when a run stopped)"
        )


if __name__ == "__main__":
    main()
