"""Bulk flag evaluation over OFREP under load, compared with a static file of the same size.

Sets up its own PostgreSQL database (default `rollout_bench`): 50 flags of every kind (stage
states, a 25 % rollout, plan, allow and deny lists, client version gates, an experiment with
string variants, a killed flag) and an SDK key. Starts gunicorn on 127.0.0.1 with DEBUG off,
saves one bulk answer as a static file served by the same gunicorn (whitenoise), then loads
`POST /ofrep/v1/evaluate/flags` (a random organization per request: "cold" among 100,000, so
every answer is evaluated, and "polling" among 1,000, as products polling with their contexts)
and the static file from a second process with `wrk`, alternating, and prints requests/second,
p99 latency and the ratio. Bounded: ROUNDS x 3 runs of DURATION seconds.

    .venv/bin/python bench/bench_rollout.py [--duration 10] [--rounds 2]

Environment: DATABASE_URL (a PostgreSQL URL; default postgres://postgres@127.0.0.1:5432/
rollout_bench). Debian: `apt-get install -y wrk`.
"""

import os
import signal
import subprocess
import sys
import tempfile
import urllib.request

from bench_public_roadmap import (
    ROOT,
    best_of,
    free_port,
    load_test_setup,
    run_wrk,
    start_gunicorn,
    wait_for,
)

PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/rollout_bench"
STATIC_NAME = "bench/ofrep-bulk-50.json"
FLAGS = 50
# A random organization per request: "cold" among 100,000 (every answer evaluated), "polling"
# among 1,000 (products polling with the same contexts: answers kept per flag revision).
SCENARIOS = {"cold": 100_000, "polling": 1_000}

SETUP = """
import django, json, sys; django.setup()
from django.test import Client
from intake.models import Organization
from rollout import services
from rollout.models import ClientVersionCount, Flag, RolloutState, SdkKey
from roadmap.models import RoadmapItem

Flag.objects.all().delete()
SdkKey.objects.all().delete()
RoadmapItem.objects.filter(title__startswith="Bench item").delete()
orgs = [Organization.objects.get_or_create(name=f"Bench org {n}")[0] for n in range(40)]
services.replace_client_versions(rows=[
    {"version": "1.60.0", "devices": 100}, {"version": "1.64.0", "devices": 900}])
kinds = ["everyone", "percentage", "internal", "opted_in", "off"]
path, flags = sys.argv[1], int(sys.argv[2])
for n in range(flags):
    item = RoadmapItem.objects.create(
        title=f"Bench item {n}", stage=["poc", "alpha", "beta", "ga"][n % 4],
        surface="client" if n % 5 == 0 else "platform",
        min_client_version="1.62" if n % 5 == 0 else "")
    variants = ({"off": "current", "a": "per-seat", "b": "per-device"} if n % 10 == 9
                else {"on": True, "off": False})
    flag = Flag.objects.create(
        key=f"bench-flag-{n:02d}", item=item, variants=variants, state=kinds[n % 5],
        percentage=25, plans=["enterprise", "business"] if n % 3 == 0 else [])
    flag.allow.add(*orgs[n % 7 : n % 7 + 5])
    flag.deny.add(*orgs[20 + n % 5 : 22 + n % 5])
    flag.opted_in.add(*orgs[10:20])
    if n == 49:
        services.kill_flag(flag=flag, reason="bench")
services.bump_revision()
key = services.create_sdk_key(name="bench")[1]
body = Client().post("/ofrep/v1/evaluate/flags", data=json.dumps({"context": {
    "targetingKey": "12345", "plan": "enterprise", "clientVersion": "1.64.0"}}),
    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}").content
assert len(json.loads(body)["flags"]) == flags
open(path, "wb").write(body)
print(key, len(body))
"""

LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {key}"
request = function()
  local body = string.format(
    '{{"context": {{"targetingKey": "%d", "plan": "enterprise", "clientVersion": "1.64.0"}}}}',
    math.random(1, {organizations}))
  return wrk.format(nil, nil, nil, body)
end
"""


def main() -> None:
    args, env = load_test_setup(__doc__.splitlines()[0], DEFAULT_DB)
    duration, rounds = args.duration, args.rounds

    static_file = ROOT / "staticfiles" / STATIC_NAME
    static_file.parent.mkdir(parents=True, exist_ok=True)
    key, size = subprocess.run(
        [PYTHON, "-c", SETUP, str(static_file), str(FLAGS)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()[-2:]  # fmt: skip
    scripts = {}
    for name, organizations in SCENARIOS.items():
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write(LUA.format(key=key, organizations=organizations))
        script.close()
        scripts[name] = script.name

    port = free_port()
    gunicorn = start_gunicorn(env, port, args.workers)
    try:
        base = f"http://127.0.0.1:{port}"
        bulk, static = f"{base}/ofrep/v1/evaluate/flags", f"{base}/static/{STATIC_NAME}"
        wait_for(static)
        warm = urllib.request.Request(
            bulk, data=b'{"context": {}}', headers={"Authorization": f"Bearer {key}"}
        )
        for _ in range(args.workers * 4):  # every worker compiles the flags once
            urllib.request.urlopen(warm, timeout=5).read()
        results = {name: [] for name in [*SCENARIOS, "static"]}
        for _ in range(rounds):
            for name, script in scripts.items():
                results[name].append(run_wrk(bulk, duration, args.connections, script))
            results["static"].append(run_wrk(static, duration, args.connections))
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
        for script in scripts.values():
            os.unlink(script)
        static_file.unlink(missing_ok=True)

    static_rps, static_p99, static_errors = best_of(results["static"])
    print(f"bulk evaluation of {FLAGS} flags: {size} bytes, PostgreSQL, gunicorn {args.workers} "
          f"sync workers, wrk 1 thread {args.connections} connections, "
          f"{rounds} x {duration} s each")  # fmt: skip
    print(f"  static file, same size   {static_rps:8.0f} req/s  p99 {static_p99:6.1f} ms  "
          f"errors {static_errors}")  # fmt: skip
    for name, organizations in SCENARIOS.items():
        rps, p99, errors = best_of(results[name])
        print(f"  bulk, {name:<7} ({organizations:>6} orgs) {rps:8.0f} req/s  p99 {p99:6.1f} ms  "
              f"errors {errors}  ratio {rps / static_rps:.2f} (target >= 0.50)")  # fmt: skip
    for name, runs in results.items():
        print(f"  runs {name}: " + ", ".join(f"{r['rps']:.0f}" for r in runs))


if __name__ == "__main__":
    main()
