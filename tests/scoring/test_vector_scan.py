"""The scan behind a semantic search among many ideas: quantized for speed, exact in result."""

import numpy as np
import pytest

from intake.duplicates import vector_scan

pytestmark = pytest.mark.skipif(not vector_scan.available(), reason="faiss-cpu is not installed")

DIM = 384


def unit_rows(rng, n):
    rows = rng.standard_normal((n, DIM)).astype("float32")
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def exact_top(matrix, count, query, keep):
    return set(np.argsort(-(matrix[:count] @ query))[:keep].tolist())


@pytest.fixture
def large(monkeypatch):
    monkeypatch.setattr(vector_scan, "QUANTIZED_FROM", 1000)
    rng = np.random.default_rng(11)
    matrix = np.zeros((6000, DIM), dtype="float32")
    matrix[:5000] = unit_rows(rng, 5000)
    return rng, matrix


def test_the_quantized_scan_finds_the_same_closest_rows_as_the_exact_one(large):
    rng, matrix = large
    scan = vector_scan.QuantizedScan(DIM)
    # Queries near stored rows (a request phrased again), and unrelated ones.
    near = matrix[rng.integers(0, 5000, 25)] + 0.05 * unit_rows(rng, 25)
    queries = np.vstack([near / np.linalg.norm(near, axis=1, keepdims=True), unit_rows(rng, 25)])
    for query in queries:
        found = vector_scan.top_rows(matrix, 5000, query, 100, scan)[0]
        assert set(found.tolist()) == exact_top(matrix, 5000, query, 100)


def test_rows_appended_or_changed_in_place_are_found(large):
    rng, matrix = large
    scan = vector_scan.QuantizedScan(DIM)
    query = unit_rows(rng, 1)[0]
    vector_scan.top_rows(matrix, 5000, query, 10, scan)  # builds the 8-bit copy

    matrix[5000] = query  # a new idea, exactly the query
    assert 5000 in vector_scan.top_rows(matrix, 5001, query, 10, scan)[0].tolist()

    matrix[42] = query  # an idea edited to say the same
    scan.invalidate()
    assert 42 in vector_scan.top_rows(matrix, 5001, query, 10, scan)[0].tolist()


def test_a_small_matrix_is_scanned_exactly_without_the_copy(large):
    rng, matrix = large
    scan = vector_scan.QuantizedScan(DIM)
    query = unit_rows(rng, 1)[0]
    found, _ = vector_scan.top_rows(matrix, 500, query, 100, scan)
    assert set(found.tolist()) == exact_top(matrix, 500, query, 100)
    assert scan._index is None
