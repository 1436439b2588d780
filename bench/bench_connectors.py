"""Benchmark: syncing GitHub issues into signals, against PyGithub alone on the same pages.

    .venv/bin/python bench/bench_connectors.py [--issues 10000] [--repeats 3]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_connectors]

The fake GitHub API of the tests (tests/connectors/fake_api.py) runs in a child process on
127.0.0.1 with `--issues` issues. Each round measures, on the same pages:

- PyGithub alone: iterating `Repository.get_issues(state="all")` (Link-header pagination),
  touching each issue's number and title, no database;
- the connector's fetch alone: the same pages through the GitHub source, mapped to items,
  no database;
- a full sync into an empty database (`connectors.services.sync_connector`);
- a re-sync with nothing changed upstream.

Figures are medians over the rounds; ratios compare runs made in the same process, minutes
apart. Uses a throwaway SQLite file unless `--database-url` names a PostgreSQL database (it is
created if missing, and must be one of your own: its signals are deleted between rounds).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from _setup import ensure_postgres_database, fake_github


def _prepare_database(url: str | None) -> str:
    if url is None:
        path = Path(tempfile.mkdtemp(prefix="bench-connectors-")) / "bench.sqlite3"
        return f"sqlite:///{path}"
    if url.startswith("postgres"):
        ensure_postgres_database(url)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = _prepare_database(args.database_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)
    # Duplicate matching and rescoring of arrived signals are queued for workers after each
    # page commits (in-memory broker here, nobody consumes); bench_duplicates measures them.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"

    with fake_github(args.issues) as url:
        _bench(url, args)


def _bench(url: str, args) -> None:
    import django

    os.environ["GITHUB_API_URL"] = url
    from tests.connectors import fake_api

    os.environ["GITHUB_TOKEN"] = fake_api.GITHUB_TOKEN
    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from github import Auth, Github

    from connectors import services
    from connectors.models import Connector, SyncCursor, SyncRun
    from connectors.registry import source_for
    from intake.models import Signal

    call_command("migrate", verbosity=0)
    Connector.objects.filter(name="bench").delete()
    Signal.objects.filter(source="github_issue").delete()
    connector = services.save_connector(
        connector=Connector(name="bench", kind="github", options={"repos": ["acme/vpn"]})
    )

    def pygithub_alone() -> int:
        github = Github(
            auth=Auth.Token(fake_api.GITHUB_TOKEN),
            base_url=url,
            per_page=100,
            retry=0,
            seconds_between_requests=None,
            seconds_between_writes=None,
            lazy=True,
        )
        issues = github.get_repo("acme/vpn").get_issues(
            state="all", sort="updated", direction="desc"
        )
        return sum(1 for issue in issues if issue.number and issue.title)

    def fetch_alone() -> int:
        source = source_for(connector)
        return sum(len(b.items) for b in source.fetch(source.targets()[0], {}))

    def full_sync() -> SyncRun:
        Signal.objects.filter(source="github_issue").delete()
        SyncCursor.objects.filter(connector=connector).delete()
        return services.sync_connector(connector_id=connector.pk)

    pygithub_alone()  # warm the fake's page cache and the connection
    rounds = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        fetched = pygithub_alone()
        t_pygithub = time.perf_counter() - started

        started = time.perf_counter()
        fetched_items = fetch_alone()
        t_fetch = time.perf_counter() - started

        started = time.perf_counter()
        run = full_sync()
        t_sync = time.perf_counter() - started
        assert run.outcome == SyncRun.Outcome.SUCCESS, run.error
        assert run.created == fetched == fetched_items == args.issues, (run.created, fetched)

        started = time.perf_counter()
        rerun = services.sync_connector(connector_id=connector.pk)
        t_resync = time.perf_counter() - started
        assert (rerun.created, rerun.updated) == (0, 0)
        rounds.append((t_pygithub, t_fetch, t_sync, t_resync, run.requests, rerun.requests))

    med = [statistics.median(r[i] for r in rounds) for i in range(4)]
    t_pygithub, t_fetch, t_sync, t_resync = med
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"issues: {args.issues}, rounds: {args.repeats}, medians below")
    print(f"PyGithub alone (get_issues, no DB):       {t_pygithub:6.2f}s")
    print(f"connector fetch alone (no DB):            {t_fetch:6.2f}s")
    print(
        f"full sync into signals:                   {t_sync:6.2f}s  "
        f"{args.issues / t_sync:7.0f} signals/s, {rounds[-1][4]} requests"
    )
    print(f"re-sync, nothing changed:                 {t_resync:6.3f}s  {rounds[-1][5]} requests")
    print(f"sync / PyGithub alone:                    {t_sync / t_pygithub:6.2f}  (target <= 1.30)")
    print(f"sync / connector fetch alone:             {t_sync / t_fetch:6.2f}")
    print(
        f"re-sync / full sync:                      {100 * t_resync / t_sync:5.1f}%  (target <= 5%)"
    )
    Signal.objects.filter(source="github_issue").delete()
    services.delete_connector(connector=connector)


if __name__ == "__main__":
    main()
