"""Rescore 100,000 ideas after a policy change, against one plain UPDATE of the same rows.

    .venv/bin/python bench/bench_scoring.py            # scratch SQLite in /tmp
    createdb bench_scoring && DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scoring \
        .venv/bin/python bench/bench_scoring.py
"""

import random
import time
from decimal import Decimal

from _setup import django_setup, make_ideas

IDEAS = 100_000
SIGNALS = 400_000


def main() -> None:
    django_setup("bench_scoring.sqlite3")
    from django.db import connection

    from intake.models import Idea, Organization, Signal
    from scoring import selectors, services

    rng = random.Random(5)
    started = time.perf_counter()
    ids = make_ideas(IDEAS)
    orgs = Organization.objects.bulk_create(
        Organization(name=f"Org {n}", plan=rng.choice(["free", "business", "enterprise"]))
        for n in range(300)
    )
    sources = ["github_issue", "github_discussion", "reddit_post", "sales", "employee", "api"]
    batch = []
    for n in range(SIGNALS):
        source = rng.choices(sources, weights=[30, 10, 20, 20, 15, 5])[0]
        sales = source == "sales"
        batch.append(
            Signal(
                source=source,
                external_id=f"b{n}",
                idea_id=rng.choice(ids),
                author=f"person{rng.randint(1, 50000)}",
                votes=rng.choice([0, 1, 3, 10, 40, 300]) if not sales else 0,
                organization=rng.choice(orgs) if source in ("sales", "api") else None,
                importance=rng.choice([1, 1, 2, 3]),
                arr_at_stake=Decimal(rng.choice([0, 5000, 60000])) if sales else None,
                urgency="important" if sales else "",
                deal_stage="open" if sales else "",
            )
        )
        if len(batch) == 10000:
            Signal.objects.bulk_create(batch)
            batch = []
    print(f"{connection.vendor}: {IDEAS:,} ideas, {SIGNALS:,} signals "
          f"(set-up {time.perf_counter() - started:.0f} s)")  # fmt: skip

    services.rescore_all()  # warm: first scores written
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        Idea.objects.update(score=0.0, score_policy_version=None)
        baseline = time.perf_counter() - t
        policy = selectors.current_policy()
        policy.pillar_feature += 1
        t = time.perf_counter()
        # Publishing queues the rescore of every idea on commit; tasks run eagerly here.
        services.publish_policy(policy=policy)
        rescore = time.perf_counter() - t
        runs.append((rescore, baseline))
        assert not Idea.objects.exclude(score_policy_version=policy.version).exists()
    rescore, baseline = sorted(runs)[1]
    print(f"rescore after a policy change: {rescore:.2f} s (median of 3; target ≤ 5 s)")
    print(f"one plain UPDATE of the same rows: {baseline:.2f} s; ratio {rescore / baseline:.1f}×")
    t = time.perf_counter()
    services.rescore_all()
    full = time.perf_counter() - t
    print(
        f"full rescore recounting demand from every signal (`rescore`): {full:.2f} s; "
        f"ratio {full / baseline:.1f}×"
    )


if __name__ == "__main__":
    main()
