"""The public roadmap under load, compared with a static file of the same size.

Sets up its own PostgreSQL database (default `h_roadmap_bench`; migrate and the demo data),
starts gunicorn on 127.0.0.1 with DEBUG off behind one trusted proxy (`TRUSTED_PROXY_COUNT=1`),
saves the rendered public page as a static file served by the same gunicorn (whitenoise), then
loads both URLs from a second process with `wrk` (Debian: `apt-get install wrk`), alternating,
in three modes: one address; many visitors (each pair of requests names another visitor in
`X-Forwarded-For`, as a front-page spike from many people would); and conditional requests
(`If-None-Match` with the current ETag: 304s against the static file's 304s). Prints
requests/second, p99 latency, non-2xx/3xx answers and the ratio. Bounded: ROUNDS x 3 x 2 runs
of DURATION seconds each.

    .venv/bin/python bench/bench_public_roadmap.py [--duration 10] [--rounds 2]

Environment: DATABASE_URL (a PostgreSQL URL; default postgres://postgres@127.0.0.1:5432/
h_roadmap_bench), REDIS_URL (optional: the shared cache, as in production).
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/h_roadmap_bench"
STATIC_NAME = "bench/public-roadmap.html"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=900)


RENDER = """
import django; django.setup()
from django.test import Client
body = Client().get("/roadmap/").content
open({path!r}, "wb").write(body)
print(len(body))
"""


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    """The project under gunicorn (sync workers) on 127.0.0.1:port."""
    return subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout} s")


def run_wrk(url: str, duration: int, connections: int, script: str | None = None) -> dict:
    """One wrk run (optionally with a Lua `script`, e.g. for POST bodies)."""
    extra = ["-s", script] if script else []
    result = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 30,
    )
    out = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": rps,
        "p99_ms": float(p99.group(1)) * scale,
        "errors": int(errors.group(1)) if errors else 0,
    }


def best_of(runs: list[dict]) -> tuple[float, float, int]:
    """The best requests/second and p99 of a URL's runs, and their errors added up."""
    return (
        max(r["rps"] for r in runs),
        min(r["p99_ms"] for r in runs),
        sum(r["errors"] for r in runs),
    )


def load_test_setup(description: str, default_db: str) -> tuple[argparse.Namespace, dict]:
    """The arguments of a wrk benchmark (bounded) and the environment of a migrated
    PostgreSQL database of its own, for gunicorn and manage.py."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--duration", type=int, default=10, help="seconds per run (max 30)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (max 5)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    args.duration, args.rounds = min(args.duration, 30), min(args.rounds, 5)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false"}
    # One load generator from one address would hit the per-address rate limits at once.
    env["RATE_LIMIT_API"] = ""
    env.setdefault("DATABASE_URL", default_db)
    if not env["DATABASE_URL"].startswith("postgres"):
        raise SystemExit("DATABASE_URL must point at PostgreSQL for this benchmark")
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v0")
    return args, env


# Many visitors behind one trusted proxy: each pair of requests names another visitor, as the
# proxy would append it (a front-page spike from many people, all of whom should get a 200).
MANY_VISITORS_LUA = """
counter = 0
request = function()
  counter = counter + 1
  local visitor = math.floor(counter / 2)
  wrk.headers["X-Forwarded-For"] = string.format("100.%d.%d.%d",
    math.floor(visitor / 62500) % 250, math.floor(visitor / 250) % 250, visitor % 250)
  return wrk.format(nil)
end
"""
# A browser or CDN that holds the current version asks again with its ETag.
CONDITIONAL_LUA = """
wrk.headers["If-None-Match"] = {etag!r}
"""
MODES = ("one-address", "many-visitors", "conditional")


def lua_file(text: str) -> str:
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(text)
    script.close()
    return script.name


def etag_of(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.headers["ETag"]


def main() -> None:
    args, env = load_test_setup(__doc__.splitlines()[0], DEFAULT_DB)
    duration, rounds = args.duration, args.rounds
    # As in production behind one proxy (nginx, a load balancer): its entry counts.
    env["TRUSTED_PROXY_COUNT"] = "1"
    manage(env, "load_demo")

    static_file = ROOT / "staticfiles" / STATIC_NAME
    static_file.parent.mkdir(parents=True, exist_ok=True)
    size = subprocess.run(
        [PYTHON, "-c", RENDER.format(path=str(static_file))],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()

    port = free_port()
    gunicorn = start_gunicorn(env, port, args.workers)
    scripts: list[str] = []
    try:
        base = f"http://127.0.0.1:{port}"
        urls = {"page": f"{base}/roadmap/", "static": f"{base}/static/{STATIC_NAME}"}
        for url in urls.values():
            wait_for(url)
            for _ in range(args.workers * 4):  # every worker renders and caches once
                urllib.request.urlopen(url, timeout=5).read()
        many = lua_file(MANY_VISITORS_LUA)
        scripts.append(many)
        plans = {"one-address": dict.fromkeys(urls), "many-visitors": dict.fromkeys(urls, many)}
        plans["conditional"] = {}
        for name, url in urls.items():
            scripts.append(lua_file(CONDITIONAL_LUA.format(etag=etag_of(url))))
            plans["conditional"][name] = scripts[-1]
        results = {mode: {"page": [], "static": []} for mode in MODES}
        for _ in range(rounds):
            for mode in MODES:
                for name, url in urls.items():
                    run = run_wrk(url, duration, args.connections, plans[mode][name])
                    results[mode][name].append(run)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
        for script in scripts:
            os.unlink(script)

    cache = "Redis" if env.get("REDIS_URL") else "local memory"
    print(f"public roadmap page: {size} bytes, PostgreSQL, {cache} cache, gunicorn "
          f"{args.workers} sync workers behind one trusted proxy, wrk 1 thread "
          f"{args.connections} connections, {rounds} x {duration} s each")  # fmt: skip
    for mode in MODES:
        page_rps, page_p99, page_errors = best_of(results[mode]["page"])
        static_rps, static_p99, static_errors = best_of(results[mode]["static"])
        print(f"  {mode}:")
        print(f"    /roadmap/     {page_rps:8.0f} req/s  p99 {page_p99:6.1f} ms  "
              f"non-2xx/3xx {page_errors}")  # fmt: skip
        print(f"    static file   {static_rps:8.0f} req/s  p99 {static_p99:6.1f} ms  "
              f"non-2xx/3xx {static_errors}")  # fmt: skip
        print(f"    ratio page/static: {page_rps / static_rps:.2f} (goal >= 0.90)")
        for name, runs in results[mode].items():
            print(f"    runs {name}: " + ", ".join(f"{r['rps']:.0f}" for r in runs))


if __name__ == "__main__":
    main()
