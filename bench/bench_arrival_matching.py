"""A connector's page of arrivals matched against the ideas: together, or one search each.

    .venv/bin/python bench/bench_arrival_matching.py --data ../shared/data/duplicates-dev
    .venv/bin/python bench/bench_arrival_matching.py --ideas 10000 --page 200 --repeat 3

What a connector's follow-up does with each stored page (`intake.duplicates.match_signals`):
every untriaged arrival gets its closest idea. Real feature requests of the development set
(the shared set and bench/duplicates-data, with their templated bodies) arrive as GitHub
signals; the rest of the development set's requests are the ideas, topped up with generated
ones to `--ideas`. In one run, on the same arrivals, alternately:

- **together**: `match_signals(page)`, which embeds the page's texts together (a few dozen per
  call to the model) and reads the ideas of all its searches in one query;
- **one by one**: one search per arrival (`find_similar_to`), each embedding its own texts and
  reading its own ideas: what `match_signals` did until 8 Dec 2026.

The process's embedding cache is emptied before each timing, and both must give the same
closest idea to every arrival. Prints the median of `--repeat` timings of each and their ratio.
Runs on a scratch SQLite file unless DATABASE_URL points at a scratch database (it is emptied).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, django_setup, make_ideas  # noqa: E402
from bench_duplicates import load_data  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data/duplicates-dev"))
    parser.add_argument("--ideas", type=int, default=2000, help="ideas to match against")
    parser.add_argument("--page", type=int, default=200, help="arrivals in the page")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not (Path(args.data) / "duplicates-dev.json").exists():
        sys.exit(f"No development set at {args.data} (give --data).")
    django_setup("bench_arrival_matching.sqlite3")
    from intake import duplicates
    from intake.duplicates import engine_name, rebuild_index, semantic
    from intake.models import Idea, Signal

    issues = load_data(Path(args.data))["issues"]
    # Every tenth request arrives (spread over the trackers); the others are ideas.
    arriving = issues[::10][: args.page]
    kept = [i for n, i in enumerate(issues) if n % 10][: args.ideas]
    Idea.objects.bulk_create(
        [Idea(title=i["title"][:300], description=(i["body"] or "")[:5000]) for i in kept],
        batch_size=1000,
    )
    if args.ideas > len(kept):
        make_ideas(args.ideas - len(kept))
    page = Signal.objects.bulk_create(
        [
            Signal(
                source=Signal.Source.GITHUB_ISSUE,
                external_id=f"{i['repo']}#{i['number']}",
                url=i["url"],
                title=i["title"][:300],
                body=i["body"] or "",
            )
            for i in arriving
        ]
    )
    page = list(Signal.objects.filter(pk__in=[s.pk for s in page]).order_by("pk"))
    engine = engine_name() + (f" ({semantic.model_name()})" if engine_name() != "lexical" else "")
    print(f"engine {engine}; indexing {Idea.objects.count():,} ideas ...", flush=True)
    rebuild_index()
    duplicates.match_signals(page)  # learns the template, fills the process's memory

    def together():
        return duplicates.match_signals(page)

    def one_by_one():
        found = {}
        for s in page:
            matches = duplicates.find_similar_to(title=s.title, body=s.body, limit=1)
            found[s.pk] = matches[0] if matches else None
        return found

    timings = {"together": [], "one by one": []}
    results = {}
    for _ in range(args.repeat):
        for name, run in (("together", together), ("one by one", one_by_one)):
            with semantic._cache_lock:
                semantic._cache.clear()
            start = time.perf_counter()
            results[name] = run()
            timings[name].append(time.perf_counter() - start)
    same = {k: (m.idea.pk if m else None) for k, m in results["together"].items()} == {
        k: (m.idea.pk if m else None) for k, m in results["one by one"].items()
    }
    print(f"{len(page)} arrivals against {Idea.objects.count():,} ideas, median of {args.repeat}:")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"  {name}: {median:.2f} s ({1000 * median / len(page):.0f} ms per arrival; "
              f"min {min(values):.2f}, max {max(values):.2f})")  # fmt: skip
    ratio = statistics.median(timings["one by one"]) / statistics.median(timings["together"])
    print(f"  one by one / together: {ratio:.2f}x; the same closest idea for every arrival: {same}")


if __name__ == "__main__":
    main()
