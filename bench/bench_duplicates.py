"""Duplicate suggestions among 100,000 ideas: top-5 latency after warm-up, and precision and
recall at 5 on the labelled set (tests/scoring/duplicate_pairs.py), for both engines.

    .venv/bin/python bench/bench_duplicates.py            # scratch SQLite in the temp dir
    .venv/bin/python bench/bench_duplicates.py --quick    # 10,000 ideas

Quality is measured twice for the lexical engine: on the labelled backlog alone (the same
corpus the semantic engine is measured on) and with the 100,000 generated ideas as extra
distractors. The semantic engine's latency is measured over 100,000 stored embeddings that are
real embeddings of generated titles (a few thousand distinct ones, reused), because embedding
100,000 texts on two shared cores takes longer than a benchmark should.
"""

import argparse
import random
import statistics
import time

from _setup import django_setup, make_ideas


def _percentiles(timings: list[float]) -> tuple[float, float]:
    return statistics.median(timings), statistics.quantiles(timings, n=20)[18]


def _latency(find, queries: list[str]) -> tuple[float, float]:
    for text in queries[:30]:  # warm-up
        find(text)
    timings = []
    for text in queries:
        t = time.perf_counter()
        find(text)
        timings.append((time.perf_counter() - t) * 1000)
    return _percentiles(timings)


def _quality(label: str, ids, engine_likely: float) -> None:
    from intake import similarity
    from tests.scoring.duplicate_pairs import PAIRS, evaluate

    def top5(text):
        return [(m.idea.pk, m.similarity) for m in similarity.find_similar(text, limit=5)]

    def likely(text):
        return [(pk, s) for pk, s in top5(text) if s >= engine_likely]

    for name, find in (("any suggestion", top5), ("likely duplicate", likely)):
        r = evaluate(find, ids)
        print(f"  {label}, {name} in top 5 ({len(PAIRS)} pairs): "
              f"precision {r['precision']:.2f}, recall {r['recall']:.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10,000 ideas instead of 100,000")
    args = parser.parse_args()
    total = 10_000 if args.quick else 100_000

    django_setup("bench_duplicates.sqlite3")
    from django.conf import settings
    from django.db import connection

    from intake import similarity
    from intake.models import Idea, IdeaEmbedding
    from tests.scoring.duplicate_pairs import PAIRS, create_backlog

    queries = [text for text, _, _ in PAIRS] * 3
    ids = create_backlog()
    similarity.rebuild_index()
    print(f"{connection.vendor}; labelled backlog only ({Idea.objects.count()} ideas):")
    _quality("lexical", ids, similarity.LexicalEngine.likely_similarity)

    try:
        from intake.semantic import SemanticEngine, embed
    except ImportError:
        embed = None
    semantic_ok = False
    if embed is not None:
        try:
            settings.DUPLICATE_ENGINE = "semantic"
            SemanticEngine.reset()
            similarity.rebuild_index()
            _quality("semantic", ids, SemanticEngine.likely_similarity)
            semantic_ok = True
        except Exception as error:  # noqa: BLE001 - the extra may be missing; say so
            print(f"  semantic engine unavailable: {error}")
        finally:
            settings.DUPLICATE_ENGINE = "lexical"

    make_ideas(total - len(ids))
    t = time.perf_counter()
    indexed = similarity.rebuild_index()
    print(f"\nlexical index of {indexed:,} ideas built in {time.perf_counter() - t:.1f} s")
    p50, p95 = _latency(lambda text: similarity.find_similar(text, limit=5), queries)
    print(f"lexical top-5 over {len(queries)} queries: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
          f"(target p95 ≤ 50 ms)")  # fmt: skip
    _quality(f"lexical among {indexed:,}", ids, similarity.LexicalEngine.likely_similarity)

    if semantic_ok:
        rng = random.Random(3)
        rows = list(Idea.objects.values_list("pk", "title"))
        phrases = sorted({title.rsplit(" #", 1)[0] for _, title in rows})
        sample = rng.sample(phrases, min(3000, len(phrases)))
        t = time.perf_counter()
        vectors = embed(sample)
        rate = len(sample) / (time.perf_counter() - t)
        known = dict(zip(sample, vectors, strict=True))
        labelled = set(ids.values())
        IdeaEmbedding.objects.exclude(idea_id__in=labelled).delete()
        IdeaEmbedding.objects.bulk_create(
            (
                IdeaEmbedding(
                    idea_id=pk,
                    vector=known.get(
                        title.rsplit(" #", 1)[0], vectors[pk % len(vectors)]
                    ).tobytes(),
                )
                for pk, title in rows
                if pk not in labelled
            ),
            batch_size=5000,
        )
        settings.DUPLICATE_ENGINE = "semantic"
        SemanticEngine.reset()
        p50, p95 = _latency(lambda text: similarity.find_similar(text, limit=5), queries)
        settings.DUPLICATE_ENGINE = "lexical"
        print(f"semantic top-5 over {IdeaEmbedding.objects.count():,} embeddings: p50 "
              f"{p50:.1f} ms, p95 {p95:.1f} ms; embedding rate {rate:.0f} texts/s")  # fmt: skip


if __name__ == "__main__":
    main()
