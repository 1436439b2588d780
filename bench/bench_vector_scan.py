"""The scan behind a semantic search, alone: the top 100 of 100,000 unit vectors by inner product.

    .venv/bin/python bench/bench_vector_scan.py [--rows 100000] [--queries 200]
    .venv/bin/pip install hnswlib usearch   # to compare the graph indexes too (not dependencies)

Compares, in one run over the same vectors and queries: the exact float32 product (numpy, what
the engine does below `vector_scan.QUANTIZED_FROM` rows), the engine's own scan
(`intake.duplicates.vector_scan`: faiss-cpu 8-bit scan, candidates rescored exactly), and, when
installed, approximate graph indexes (faiss HNSW, hnswlib, usearch) at settings that favour
recall. For each: build time, p50/p95 per query, p95 as a ratio to the exact scan, and recall of
the exact top 100 and top 5. The vectors are random unit vectors of 384 dimensions
(e5-small's); half the queries are stored vectors with a little noise (a request phrased
again), half are unrelated.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from intake.duplicates import vector_scan  # noqa: E402

DIM, KEEP = 384, 100


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype("float32")


def graph_indexes(matrix: np.ndarray) -> dict:
    """name -> build function returning a search function; only the libraries installed."""
    builds = {}
    ids = np.arange(len(matrix))
    try:
        import faiss

        def faiss_hnsw():
            index = faiss.IndexHNSWFlat(DIM, 16, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 128
            index.add(matrix)
            index.hnsw.efSearch = 256
            return lambda q: index.search(q[None, :], KEEP)[1][0]

        builds["faiss HNSW (M 16, ef 256)"] = faiss_hnsw
    except ImportError:
        pass
    try:
        import hnswlib

        def hnsw():
            index = hnswlib.Index(space="ip", dim=DIM)
            index.init_index(max_elements=len(matrix), ef_construction=128, M=16)
            index.add_items(matrix, ids)
            index.set_ef(256)
            return lambda q: index.knn_query(q, k=KEEP)[0][0]

        builds["hnswlib (M 16, ef 256)"] = hnsw
    except ImportError:
        pass
    try:
        from usearch.index import Index

        def usearch():
            index = Index(ndim=DIM, metric="ip", dtype="f32", connectivity=16,
                          expansion_add=128, expansion_search=256)  # fmt: skip
            index.add(ids, matrix)
            return lambda q: index.search(q, KEEP).keys

        builds["usearch (16, ef 256)"] = usearch
    except ImportError:
        pass
    return builds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(3)
    matrix = unit(rng.standard_normal((args.rows, DIM)))
    half = args.queries // 2
    near = matrix[rng.integers(0, args.rows, half)] + 0.05 * unit(rng.standard_normal((half, DIM)))
    queries = np.vstack([unit(near), unit(rng.standard_normal((args.queries - half, DIM)))])
    exact = [np.argsort(-(matrix @ q))[:KEEP] for q in queries]

    scan = vector_scan.QuantizedScan(DIM)

    def engine_scan():
        vector_scan.top_rows(matrix, args.rows, queries[0], KEEP, scan)  # builds the 8-bit copy
        return lambda q: vector_scan.top_rows(matrix, args.rows, q, KEEP, scan)[0]

    builds = {
        "exact float32 (numpy)": lambda: (
            lambda q: vector_scan.top_rows(matrix, args.rows, q, KEEP, None)[0]
        ),
        "8-bit faiss scan + exact rescoring (the engine)": engine_scan,
        **graph_indexes(matrix),
    }
    print(f"{args.rows:,} unit vectors × {DIM}, {args.queries} queries, top {KEEP}\n")
    print("| scan | build | p50 | p95 | p95 ÷ exact | recall of the exact top 100 | top 5 |")
    print("|---|---|---|---|---|---|---|")
    baseline = None
    for name, build in builds.items():
        t = time.perf_counter()
        search = build()
        built = time.perf_counter() - t
        timings, top100, top5 = [], [], []
        for query, truth in zip(queries, exact, strict=True):
            t = time.perf_counter()
            found = np.asarray(search(query))
            timings.append((time.perf_counter() - t) * 1000)
            top100.append(len(set(found.tolist()) & set(truth.tolist())) / KEEP)
            best5 = found[np.argsort(-(matrix[found] @ query))[:5]]
            top5.append(len(set(best5.tolist()) & set(truth[:5].tolist())) / 5)
        p50, p95 = statistics.median(timings), statistics.quantiles(timings, n=20)[18]
        baseline = baseline or p95
        print(
            f"| {name} | {built:.2f} s | {p50:.1f} ms | {p95:.1f} ms | {p95 / baseline:.2f} | "
            f"{np.mean(top100):.3f} | {np.mean(top5):.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
