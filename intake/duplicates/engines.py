"""Which engine answers, on what scale, and the query every engine reads.

- `hybrid` (the default): the semantic and lexical similarities of each candidate (found by
  either), ranked by (semantic + w × lexical / the query's best lexical) / (1 + w), `w` the
  model's (`ranking_weight`), and reported as (semantic + 0.2 × lexical) / 1.2
  (`LEXICAL_WEIGHT`); the form and `w` are chosen held out on the development set
  (bench/README.md: the plain combination lost to the lexical engine on one tracker). The
  ranking's `w` is relearned from this instance's own triage (`decisions.py`); the similarity
  reported (which thresholds judge) keeps its scale, so learning never moves it. A query none
  of whose words is indexed (another script, say) has no lexical evidence: the semantic engine
  answers it alone, on its own scale and thresholds.
- `semantic`: sentence embeddings alone (`semantic.py`).
- `lexical`: the stored term index alone (`lexical.py`); also what answers where the semantic
  model cannot run (its package is missing), with a warning logged once.

Each engine has its own similarity scale, so each carries its thresholds: `min_similarity` for
suggestions, `likely_similarity` for the inbox's "likely duplicate", `auto_attach_similarity`
for attaching without a person. The settings DUPLICATE_MIN_SIMILARITY,
DUPLICATE_LIKELY_SIMILARITY and DUPLICATE_AUTO_ATTACH_SIMILARITY override them (on the active
engine's scale); thresholds learned from enough PM decisions come next, never laxer than the
calibrated ones. Where the development set showed no similarity at which "likely duplicate" is
right 95% of the time, the calibrated value is OFF: nothing is flagged or attached unless a
setting says otherwise (thresholds learned from 50 or 100 decisions were right for half the
arrivals they flagged after them, held out: bench/README.md).
"""

import logging
import math
import os
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import lexical

logger = logging.getLogger(__name__)

ENGINES = ("hybrid", "semantic", "lexical")
DEFAULT_ENGINE = "hybrid"
DEFAULT_MODEL = "minilm"  # SEMANTIC_MODEL's default (semantic.MODELS)
# The lexical similarity's weight in the similarity a hybrid candidate reports: the scale its
# thresholds are calibrated on. How much it weighs in the ranking is the model's own
# (`ranking_weight`), chosen held out (bench/README.md), and relearned from triage.
LEXICAL_WEIGHT = 0.2
# Thresholds on the hybrid scale per semantic model, calibrated on the development set's
# arrival replay (and checked held out, bench/README.md): suggestions keep 99% of the
# duplicates found in the top 5; "likely" is right for 95% of the arrivals it flags, and
# auto-attach at least as strict; None (OFF) where no similarity was (MiniLM on 19 trackers:
# wrong candidates on one template scored above the right ones). A model calibrated only alone
# gets its semantic thresholds carried over (`_carried_over`).
HYBRID_THRESHOLDS: dict[str, dict[str, float | None]] = {
    "minilm": {
        "min_similarity": 0.232,
        "likely_similarity": None,
        "auto_attach_similarity": None,
    },
    "e5-small": {
        "min_similarity": 0.706,
        "likely_similarity": 0.9741,  # its one flag on the 19 trackers; 0 of 2 held out
        "auto_attach_similarity": 0.9741,
    },
}
CANDIDATES_EACH = 60
# A threshold the development set could not calibrate: no similarity reaches it.
OFF = math.inf


def calibrated_or_off(value: float | None) -> float:
    return OFF if value is None else value


class Query:
    """A cleaned title and body, with each engine's view of it computed once."""

    def __init__(self, title: str, body: str = ""):
        self.title, self.body = title, body

    @property
    def arrival(self) -> bool:
        return bool(self.body.strip())

    def lexical(self):
        return self._lexical

    @cached_property
    def _lexical(self):
        return lexical.query_vector(self.title, self.body)

    def semantic(self):
        return self._semantic

    @cached_property
    def _semantic(self):
        from .semantic import embed_query

        return embed_query(self.title, self.body)


def combine(semantic: float | None, lexical_score: float | None, weight: float) -> float:
    """The hybrid similarity of one candidate from its two (a missing one counts as 0)."""
    return round(((semantic or 0.0) + weight * (lexical_score or 0.0)) / (1 + weight), 4)


_pools: dict[int, ThreadPoolExecutor] = {}


def _embedding_pool() -> ThreadPoolExecutor:
    # One per process: a pool's threads do not survive a fork (Celery's and gunicorn's workers).
    pid = os.getpid()
    if pid not in _pools:
        _pools.clear()
        _pools[pid] = ThreadPoolExecutor(max_workers=2, thread_name_prefix="duplicates-embedding")
    return _pools[pid]


def _carried_over(semantic_engine, name: str) -> float:
    """A hybrid threshold for a model calibrated only alone, never laxer than its own: a
    suggestion as lax as its semantic one with no lexical support, a likely or certain
    duplicate as strict as its semantic one with full lexical support."""
    value = getattr(semantic_engine, name)
    if name == "min_similarity":
        return combine(value, 0.0, LEXICAL_WEIGHT)
    return combine(value, 1.0, LEXICAL_WEIGHT)


class HybridEngine:
    name = "hybrid"

    def __init__(self, weight: float | None = None):
        from .semantic import SemanticEngine, model_name

        self.semantic = SemanticEngine(beside="hybrid")
        self.lexical = lexical.LexicalEngine()
        # The ranking's weight; similarities are reported with the calibrated one.
        self.weight = ranking_weight() if weight is None else weight
        self._calibrated = HYBRID_THRESHOLDS.get(model_name())

    def _threshold(self, name: str) -> float:
        if self._calibrated is not None:
            return calibrated_or_off(self._calibrated[name])
        return _carried_over(self.semantic, name)

    @property
    def min_similarity(self) -> float:
        return self._threshold("min_similarity")

    @property
    def likely_similarity(self) -> float:
        return self._threshold("likely_similarity")

    @property
    def auto_attach_similarity(self) -> float:
        return self._threshold("auto_attach_similarity")

    def for_query(self, query):
        """The engine that answers this query: the semantic one alone when no word of the
        query is indexed (no lexical evidence for any idea), else this one."""
        from .semantic import SemanticEngine

        return self if query.lexical()[0] else SemanticEngine()

    def embed_ahead(self, queries) -> None:
        """Embeds these queries together before they are searched one by one, each as the
        engine that will answer it reads it (`for_query`: this one, or the semantic alone)."""
        from .semantic import embed_ahead

        def reads_body(query) -> bool:
            answering = self.for_query(query)
            return getattr(answering, "semantic", answering).title_weight < 1.0

        embed_ahead(queries, reads_body)

    def _embed(self, query):
        vectors = query.semantic()
        if self.semantic.title_weight < 1.0:
            vectors.body  # noqa: B018 - embedded here, beside the lexical search
        return vectors

    def components(self, query, *, each: int = CANDIDATES_EACH, also=()) -> dict[int, tuple]:
        """Every candidate either engine ranks in its top `each` (and `also`), with both of its
        similarities (semantic, lexical)."""
        # The query's embedding (the model, no database) is made beside the lexical search (the
        # database, on this thread's connection): the model releases the GIL, so a search costs
        # about the longer of the two instead of their sum.
        embedding = _embedding_pool().submit(self._embed, query)
        lex = dict(self.lexical.search(query)[:each])
        embedding.result()
        sem = dict(self.semantic.search(query)[:each])
        wanted = set(sem) | set(lex) | set(also)
        sem.update(self.semantic.scores(query, wanted - set(sem)))
        lex.update(self.lexical.scores(query, wanted - set(lex)))
        return {pk: (sem.get(pk), lex.get(pk)) for pk in wanted}

    def search(self, query) -> list[tuple[int, float]]:
        """(idea id, similarity), best first (`hybrid_order`)."""
        return hybrid_order(self.components(query), self.weight)


def ranking_weight() -> float:
    """The hybrid's ranking weight of the lexical similarity beside the active model's."""
    from .semantic import MODELS, model_name

    return MODELS[model_name()].lexical_weight


def hybrid_order(
    found: dict[int, tuple], weight: float = LEXICAL_WEIGHT
) -> list[tuple[int, float]]:
    """Candidates with their (semantic, lexical) similarities, best first, each with the
    similarity it reports (the plain combination with the calibrated weight, the scale the
    thresholds judge).

    The order combines the semantic similarity with the lexical one taken relative to the
    query's best (`weight` beside it): a long query's cosines are all small and a short one's
    large, and the share of the best is what says how much of the query a candidate matches."""
    best = max((lx or 0.0 for _, lx in found.values()), default=0.0) or 1.0
    key = {pk: combine(s, (lx or 0.0) / best, weight) for pk, (s, lx) in found.items()}
    order = sorted(found, key=lambda pk: (-key[pk], pk))
    return [(pk, combine(*found[pk], LEXICAL_WEIGHT)) for pk in order]


_unavailable: dict[str, str] = {}


def semantic_runs() -> bool:
    """Whether the semantic engine's model loads here (asked once per process and model)."""
    name = getattr(settings, "SEMANTIC_MODEL", DEFAULT_MODEL)
    if name not in _unavailable:
        try:
            from . import semantic
        except ImportError as error:  # numpy, say, has no wheel for this platform
            _unavailable[name] = str(error)
        else:
            try:
                semantic.model()
                _unavailable[name] = ""
            except semantic.ModelUnavailable as error:
                _unavailable[name] = str(error)
        if _unavailable[name]:
            logger.warning(
                "Duplicate engine: semantic cannot run (%s); using lexical.", _unavailable[name]
            )
    return not _unavailable[name]


def engine_name() -> str:
    """The engine that answers: DUPLICATE_ENGINE, or lexical where semantic cannot run."""
    name = getattr(settings, "DUPLICATE_ENGINE", DEFAULT_ENGINE)
    if name not in ENGINES:
        raise ImproperlyConfigured(
            f"DUPLICATE_ENGINE={name!r}: choose one of {', '.join(ENGINES)}."
        )
    if name != "lexical" and not semantic_runs():
        return "lexical"
    return name


def engine_key() -> str:
    """The engine that answers and, if it embeds, its model: what a similarity was made by."""
    name = engine_name()
    if name == "lexical":
        return name
    from .semantic import model_name

    return f"{name}:{model_name()}"


def get_engine():
    name = engine_name()
    if name == "semantic":
        from .semantic import SemanticEngine

        return SemanticEngine()
    if name == "hybrid":
        from .decisions import learned

        return HybridEngine(learned().weight)
    return lexical.LexicalEngine()


THRESHOLD_SETTINGS = {
    "min_similarity": "DUPLICATE_MIN_SIMILARITY",
    "likely_similarity": "DUPLICATE_LIKELY_SIMILARITY",
    "auto_attach_similarity": "DUPLICATE_AUTO_ATTACH_SIMILARITY",
}


def threshold(name: str, engine=None) -> float:
    """A threshold on the active engine's scale: its setting if set, else what this instance's
    decisions taught (once there are enough), else the calibrated value."""
    configured = getattr(settings, THRESHOLD_SETTINGS[name], None)
    if configured is not None:
        return float(configured)
    engine = engine or get_engine()
    calibrated = getattr(engine, name)
    if name != "min_similarity":
        from .decisions import learned

        tuning = learned()
        value = tuning.thresholds.get(name) if tuning.engine == engine.name else None
        if value is not None:
            # Decisions may make a threshold stricter, never laxer than calibrated held out:
            # a few lucky decisions must not let the engine attach on its own more readily.
            return max(value, calibrated)
    return calibrated
