"""Benchmark: what an idle re-sync (nothing changed upstream) costs in GitHub rate-limit points.

    .venv/bin/python bench/bench_idle_syncs.py [--repos 20] [--labels 2] [--rounds 5]

The fake GitHub API of the tests (tests/connectors/fake_api.py) runs on 127.0.0.1 with
`--repos` repositories of 50 issues each, and counts rate-limit points as GitHub does: one per
answered request, none for a `304 Not Modified` to a conditional request. One connector syncs
every repository, with `--labels` labels (one listing per repository and label), until its
cursors are settled. Then, in the same run, on the same data, `--rounds` times each:

- baseline: an idle re-sync with the cursors' ETags removed (what every sync did before);
- with ETags: the same idle re-sync sending `If-None-Match`.

Prints the points and requests of each (medians) and their ratio. No seconds: the baseline
round also writes the ETags it learns back to the cursors, so its time is not the old code's.
Uses a throwaway SQLite file in the temp directory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repos", type=int, default=20)
    parser.add_argument("--labels", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="bench-idle-")) / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"  # arrivals are queued, not processed here
    os.environ["LOG_LEVEL"] = "WARNING"

    from tests.connectors.fake_api import GITHUB_TOKEN, FakeUpstream

    fake = FakeUpstream().start()
    os.environ["GITHUB_API_URL"] = fake.url
    os.environ["GITHUB_TOKEN"] = GITHUB_TOKEN
    try:
        _bench(fake, args)
    finally:
        fake.stop()


def _bench(fake, args) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from connectors import services
    from connectors.models import Connector, SyncCursor

    call_command("migrate", verbosity=0)
    labels = [f"label-{n}" for n in range(args.labels)]
    repos = [f"acme/repo-{n}" for n in range(args.repos)]
    for repo in repos:
        for number in range(1, 51):
            fake.add_issue(repo, number, f"Idea {number}", labels=(labels[number % len(labels)],))
    connector = services.save_connector(
        connector=Connector(name="idle", kind="github", options={"repos": repos, "labels": labels})
    )
    for _ in range(2):  # the first sync reads everything; the second keeps each listing's ETag
        services.sync_connector(connector_id=connector.pk)

    def idle_resync(*, forget_etags: bool) -> tuple[int, int]:
        if forget_etags:
            for cursor in SyncCursor.objects.filter(connector=connector):
                cursor.state.pop("etag", None)
                cursor.save(update_fields=["state"])
        kept = {c.pk: c.state for c in SyncCursor.objects.filter(connector=connector)}
        fake.github_points = 0
        run = services.sync_connector(connector_id=connector.pk)
        assert (run.created, run.updated) == (0, 0), run.error
        if forget_etags:  # put the settled cursors back for the next measurement
            for cursor in SyncCursor.objects.filter(connector=connector):
                cursor.state = {**kept[cursor.pk], **cursor.state}
                cursor.save(update_fields=["state"])
        return fake.github_points, run.requests

    baseline, etags = [], []
    for _ in range(args.rounds):
        baseline.append(idle_resync(forget_etags=True))
        idle_resync(forget_etags=False)  # re-learns the ETags dropped above
        etags.append(idle_resync(forget_etags=False))

    def median(rows, i):
        return statistics.median(r[i] for r in rows)

    listings = args.repos * args.labels
    print(f"{args.repos} repositories x {args.labels} labels = {listings} listings")
    print(f"{args.rounds} rounds, medians: rate-limit points / HTTP requests")
    b = [median(baseline, i) for i in range(2)]
    e = [median(etags, i) for i in range(2)]
    print(f"baseline idle re-sync (no ETag): {b[0]:5.0f} / {b[1]:5.0f}")
    print(f"idle re-sync with ETags:         {e[0]:5.0f} / {e[1]:5.0f}")
    print(f"points, ETags / baseline:        {e[0] / b[0]:.2f}")


if __name__ == "__main__":
    main()
