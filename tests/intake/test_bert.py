"""The numpy encoder gives all-MiniLM-L6-v2's own vectors.

The reference vectors were made by sentence-transformers 6.3.0 on PyTorch 2.13.0 (CPU) from the
same package's folder: `SentenceTransformer(folder).encode(texts, normalize_embeddings=True)`.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from intake.duplicates import bert, semantic

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def encoder():
    return semantic.MiniLM()._encoder


@pytest.fixture(scope="module")
def reference():
    texts = json.loads((DATA / "minilm_sentence_transformers.json").read_text(encoding="utf-8"))
    return texts, np.load(DATA / "minilm_sentence_transformers.npy")


def test_vectors_match_sentence_transformers(encoder, reference):
    texts, expected = reference
    # Batched (padded) and one at a time: padding must change nothing.
    together = encoder.encode(texts)
    alone = np.stack([encoder.encode([t])[0] for t in texts])
    assert np.abs(together - expected).max() < 1e-5
    assert np.abs(alone - expected).max() < 1e-5


def test_vectors_are_unit_length_in_the_given_order(encoder, reference):
    texts, expected = reference
    shuffled = texts[::-1]
    vectors = encoder.encode(shuffled)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.abs(vectors - expected[::-1]).max() < 1e-5
    assert encoder.encode([]).shape == (0, 384)


def test_long_text_is_cut_at_the_models_length(encoder):
    # The model reads 256 tokens; what lies beyond them does not move the vector.
    start = "The VPN client loses its subnet routes after the laptop wakes from sleep. " * 30
    a, b = encoder.encode([start + "Unrelated ending about billing.", start + "Something else."])
    assert np.allclose(a, b, atol=1e-6)


def test_paraphrase_is_closer_than_another_topic(encoder):
    sso, okta, billing = encoder.encode(
        [
            "Single sign-on with Okta",
            "Log in through our Okta identity provider",
            "Export invoices as PDF",
        ]
    )
    assert sso @ okta > sso @ billing + 0.2


def test_erf_matches_the_exact_function():
    from math import erf

    x = np.linspace(-6, 6, 2001, dtype="float32")
    exact = np.array([erf(float(v)) for v in x])
    assert np.abs(bert.erf(x) - exact).max() < 5e-7  # a few float32 steps


def test_minilm_is_the_default_model(settings):
    del settings.SEMANTIC_MODEL
    assert semantic.model_name() == "minilm"
