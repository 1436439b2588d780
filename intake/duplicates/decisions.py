"""Learning from the PM: every attach, merge and "new idea" a PM makes in triage is a labelled
answer to "which idea does this text duplicate?" on this instance's own data.

`record` stores, with each decision, the candidates the engine ranked for the text just before
(each with its semantic and lexical similarity), the idea chosen (none for a new idea) and the
engine and model that ranked them (decisions of another engine or model are not learned from).
`learned` then fits, on this instance's decisions:
- the hybrid engine's ranking weight of the lexical similarity, once MIN_FOR_WEIGHT decisions
  chose an idea: the weight under which the chosen ideas ranked best (mean reciprocal rank), so
  a tracker whose requests share exact product words leans on them, one that words things every
  way leans on meaning (the similarity reported keeps the calibrated weight, `engines.py`);
- the "likely duplicate" and auto-attach thresholds, once MIN_FOR_THRESHOLDS decisions on
  arrivals (texts with a body, which is what those thresholds judge) are recorded: the lowest
  similarity at which the best candidate was the PM's choice at least LIKELY_PRECISION of the
  time (auto-attach: never wrong). `engines.threshold` never lets them below the calibrated ones.
Until then the values calibrated held out on the development set apply. Learning reads at most
the latest MAX_DECISIONS decisions and is remembered for a few minutes, forgotten at each new one.
"""

import logging
import time
import uuid
from dataclasses import asdict, dataclass, field

from django.core.cache import cache
from django.db import transaction

from .engines import (
    LEXICAL_WEIGHT,
    HybridEngine,
    engine_key,
    engine_name,
    hybrid_order,
    ranking_weight,
)
from .models import DuplicateDecision

logger = logging.getLogger(__name__)

MIN_FOR_WEIGHT = 20
MIN_FOR_THRESHOLDS = 50
MAX_DECISIONS = 500
LIKELY_PRECISION = 0.95
WEIGHTS = tuple(round(0.1 * n, 1) for n in range(0, 21))
CANDIDATES_KEPT = 20
# Versioned: a Tuning of an older release in a shared cache is never read as this one's.
CACHE_KEY = "duplicates:learned:v5"
CACHE_SECONDS = 300
# A token replaced at each new decision: a Tuning is only read back under the token it was
# learned under, so a learn that read the decisions just before a new one cannot store its
# older answer over the new decision's `forget` for CACHE_SECONDS.
GENERATION_KEY = "duplicates:decisions-generation"


@dataclass(frozen=True)
class Tuning:
    engine: str
    key: str = ""  # the engine and model (`engines.engine_key`) it was learned for
    weight: float = LEXICAL_WEIGHT
    thresholds: dict = field(default_factory=dict)
    decisions: int = 0
    generation: str | None = None  # GENERATION_KEY's token when the decisions were read


def _open_ideas(pks) -> set[int]:
    from intake.models import Idea

    return set(
        Idea.objects.filter(pk__in=pks)
        .exclude(status=Idea.Status.MERGED)
        .values_list("pk", flat=True)
    )


def _candidates(query, chosen_idea_id: int | None, exclude) -> list[list]:
    also = [chosen_idea_id] if chosen_idea_id else []
    if engine_name() != "lexical":
        found = HybridEngine().components(query, each=CANDIDATES_KEPT, also=also)
    else:
        from .lexical import LexicalEngine

        engine = LexicalEngine()
        lex = dict(engine.search(query)[:CANDIDATES_KEPT])
        lex.update(engine.scores(query, [pk for pk in also if pk not in lex]))
        found = {pk: (None, s) for pk, s in lex.items()}
    # What the PM could have been shown: open ideas, not the text's own.
    shown = _open_ideas([pk for pk in found if pk not in exclude])
    return [[pk, sem, lex] for pk, (sem, lex) in found.items() if pk in shown]


def record(
    *, kind: str, title: str, body: str = "", chosen_idea_id: int | None, exclude=()
) -> DuplicateDecision | None:
    """Store one triage decision on a text, with the candidates ranked for it now (call it
    before the decision changes the index: the chosen idea must not yet know the text).
    `exclude`: ideas that hold the text itself (a merged idea, a signal's current idea).
    Learning is a by-product of triage: if it fails, the PM's action goes on without it."""
    from .search import cleaned_query

    try:
        with transaction.atomic():
            query = cleaned_query(title, body)
            decision = DuplicateDecision.objects.create(
                kind=kind,
                # What the thresholds will judge: a text whose body is left after cleaning.
                arrival=bool(query and query.arrival),
                chosen_idea_id=chosen_idea_id,
                engine=engine_key(),
                candidates=_candidates(query, chosen_idea_id, set(exclude)) if query else [],
            )
    except Exception:  # noqa: BLE001 - the model, the scan or the database: never the PM's action
        logger.exception("Duplicate engine: a triage decision could not be recorded.")
        return None
    transaction.on_commit(forget)
    return decision


def _order(candidates: list, engine: str, weight: float) -> list[tuple[int, float]]:
    """A decision's candidates in the engine's order, with the similarity it reports."""
    if engine == "hybrid":
        return hybrid_order({pk: (sem, lex) for pk, sem, lex in candidates}, weight)
    scored = [(pk, lex if engine == "lexical" else sem) for pk, sem, lex in candidates]
    scored = [(pk, s) for pk, s in scored if s is not None]
    return sorted(scored, key=lambda item: (-item[1], item[0]))


def _reciprocal_rank(decision, engine: str, weight: float) -> float:
    for rank, (pk, _) in enumerate(_order(decision.candidates, engine, weight), 1):
        if pk == decision.chosen_idea_id:
            return 1 / rank
    return 0.0


def _best_weight(decisions: list, engine: str, default: float) -> float:
    chose = [d for d in decisions if d.chosen_idea_id]
    if engine != "hybrid" or len(chose) < MIN_FOR_WEIGHT:
        return default
    # Ties go to the weight nearest the calibrated one.
    return max(
        WEIGHTS,
        key=lambda w: (
            round(sum(_reciprocal_rank(d, engine, w) for d in chose), 6),
            -abs(w - default),
        ),
    )


def lowest_with_precision(points: list[tuple[float, bool]], precision: float) -> float | None:
    """The lowest score at which everything at or above it is right with this precision."""
    best, right = None, 0
    ranked = sorted(points, key=lambda p: -p[0])
    for n, (score, ok) in enumerate(ranked, 1):
        right += ok
        # A threshold keeps every point at its score: ties are taken together.
        if (n == len(ranked) or ranked[n][0] != score) and right / n >= precision:
            best = score
    return best


def _thresholds(decisions: list, engine: str, weight: float) -> dict:
    arrivals = [d for d in decisions if d.arrival]
    if len(arrivals) < MIN_FOR_THRESHOLDS:
        return {}
    points = []
    for d in arrivals:
        ranked = _order(d.candidates, engine, weight)
        if ranked:
            points.append((ranked[0][1], ranked[0][0] == d.chosen_idea_id))
    likely = lowest_with_precision(points, LIKELY_PRECISION)
    if likely is None or sum(ok for _, ok in points) < 5:
        return {}
    never_wrong = lowest_with_precision(points, 1.0)
    return {
        "likely_similarity": likely,
        "auto_attach_similarity": max(likely, never_wrong if never_wrong is not None else 1.0),
    }


def learn(generation: str | None = None) -> Tuning:
    key = engine_key()
    decisions = list(
        DuplicateDecision.objects.filter(engine=key).order_by("-decided_at", "-pk")[:MAX_DECISIONS]
    )
    engine = engine_name()
    default = ranking_weight() if engine == "hybrid" else LEXICAL_WEIGHT
    weight = _best_weight(decisions, engine, default)
    return Tuning(
        engine=engine,
        key=key,
        weight=weight,
        thresholds=_thresholds(decisions, engine, weight),
        decisions=len(decisions),
        generation=generation,
    )


# Each process also keeps what it learned for a few seconds: a search asks for it more than
# once, and with the shared cache down it would otherwise relearn at every search.
MEMO_SECONDS = 30
_memo: dict[str, tuple[float, Tuning]] = {}


def forget() -> None:
    """Forget what was learned (a new decision): this process at once, the others' shared
    cache too; another process's own memo lasts at most MEMO_SECONDS."""
    _memo.clear()
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    cache.delete(CACHE_KEY)


def learned() -> Tuning:
    """What this instance's decisions taught the engine in use (remembered for CACHE_SECONDS
    in the shared cache, MEMO_SECONDS in the process)."""
    key = engine_key()
    memo = _memo.get(key)
    if memo is not None and memo[0] > time.monotonic():
        return memo[1]
    shared = cache.get_many([CACHE_KEY, GENERATION_KEY])
    generation, cached = shared.get(GENERATION_KEY), shared.get(CACHE_KEY)
    if generation is None:
        # Never set, or evicted: a fresh token, so a Tuning stored before cannot match.
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    tuning = Tuning(**cached) if isinstance(cached, dict) else None
    if tuning is None or tuning.key != key or tuning.generation != generation:
        tuning = learn(generation)
        cache.set(CACHE_KEY, asdict(tuning), CACHE_SECONDS)
    _memo.clear()
    _memo[key] = (time.monotonic() + MEMO_SECONDS, tuning)
    return tuning
