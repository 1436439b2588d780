"""Searching for the ideas a text duplicates, and what the inbox stores of it."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from . import cleaning
from .engines import OFF, Query, get_engine, threshold
from .index import refresh_stale_index
from .text import terms


@dataclass(frozen=True)
class Match:
    idea: object  # intake.models.Idea
    similarity: float
    # The engine that scored it, whose thresholds judge it (None: the active engine).
    engine: object = field(default=None, compare=False, repr=False)


def cleaned_query(title: str, body: str = "") -> Query | None:
    title, body = cleaning.clean_text(title, body)
    if not f"{title}{body}".strip():
        return None
    return Query(title, body)


def ranked(query: Query, engine=None) -> list[tuple[int, float]]:
    """(idea id, similarity) of every candidate, best first, merged and deleted ideas included."""
    refresh_stale_index()
    return (engine or get_engine()).search(query)


def _above(query: Query | None, level: str, engine=None) -> tuple[object, list]:
    """The engine that answers `query` and its candidates at or above the `level` threshold,
    best first (none for an empty query, or a threshold that is off)."""
    if query is None:
        return None, []
    engine = (engine or get_engine()).for_query(query)
    if engine.name == "lexical" and not terms(f"{query.title} {query.body}"):
        return engine, []
    minimum = threshold(level, engine)
    if minimum == OFF:
        return engine, []
    return engine, [(pk, s) for pk, s in ranked(query, engine) if s >= minimum]


def _open_matches(searches: list[tuple[object, list]], limit: int) -> list[list[Match]]:
    """Up to `limit` open ideas of each search's candidates, best first. The ideas of every
    search are read together, twice as many per search as wanted at a time (one round almost
    always): merged ideas stand for their survivor (never suggested), and an idea deleted
    since this process indexed it is forgotten by its engine."""
    from intake.models import Idea

    matches: list[list[Match]] = [[] for _ in searches]
    step = max(2 * limit, 1)
    pending = [n for n, (_, found) in enumerate(searches) if found]
    start = 0
    while pending:
        chunks = {n: searches[n][1][start : start + step] for n in pending}
        ideas = Idea.objects.only("id", "title", "status").in_bulk(
            {pk for chunk in chunks.values() for pk, _ in chunk}
        )
        for n, chunk in chunks.items():
            engine = searches[n][0]
            deleted = [pk for pk, _ in chunk if pk not in ideas]
            if deleted:
                _forget(engine, deleted)
            matches[n] += [
                Match(ideas[pk], s, engine)
                for pk, s in chunk
                if pk in ideas and ideas[pk].status != Idea.Status.MERGED
            ]
        start += step
        pending = [n for n in pending if len(matches[n]) < limit and len(searches[n][1]) > start]
    return [found[:limit] for found in matches]


def _matches(title: str, body: str, *, limit: int, level: str) -> list[Match]:
    return _open_matches([_above(cleaned_query(title, body), level)], limit)[0]


def _forget(engine, deleted: list[int]) -> None:
    for part in (engine, getattr(engine, "semantic", None)):
        if hasattr(part, "forget"):
            part.forget(deleted)


def find_similar(text: str, *, limit: int = 5) -> list[Match]:
    """Up to `limit` open ideas that look like `text` (what the forms and the Slack modal show
    as a title is typed), best first."""
    return _matches(text, "", limit=limit, level="min_similarity")


def find_similar_to(*, title: str, body: str = "", limit: int = 5) -> list[Match]:
    """Like `find_similar`, for an item with a title and a body (a signal, an issue)."""
    return _matches(title, body, limit=limit, level="min_similarity")


def auto_attach_idea(*, title: str, body: str = "") -> object | None:
    """The idea an incoming item certainly duplicates (above `auto_attach_similarity`), or None."""
    matches = _matches(title, body, limit=1, level="auto_attach_similarity")
    return matches[0].idea if matches else None


# Arrivals matched together: their texts are embedded together (the model batches them by
# length) and their ideas read in one query. A chunk's texts stay well within the embedding
# cache (semantic.EMBED_CACHE), where each search finds them.
MATCH_CHUNK = 200


def match_signals(signals: Iterable) -> dict[int, Match | None]:
    """Each untriaged signal's closest idea, its first suggestion (or None): one search per
    signal, on its cleaned title and body; whether it is likely or certain is judged on it
    alone. Learns the boilerplate of sources that are new or have grown first."""
    signals = [s for s in signals if s.idea_id is None]
    cleaning.learn_if_due(signals)
    found = {}
    engine = get_engine()
    for start in range(0, len(signals), MATCH_CHUNK):
        chunk = signals[start : start + MATCH_CHUNK]
        queries = [cleaned_query(s.title, s.body) for s in chunk]
        if hasattr(engine, "embed_ahead"):
            engine.embed_ahead([q for q in queries if q is not None])
        searches = [_above(q, "min_similarity", engine) for q in queries]
        for signal, matches in zip(chunk, _open_matches(searches, 1), strict=True):
            found[signal.pk] = matches[0] if matches else None
    return found


def is_certain_duplicate(match: Match | None) -> bool:
    """Whether a match may attach a signal without a person (`auto_attach_similarity`, which
    an operator may set without setting the likely one)."""
    return match is not None and match.similarity >= threshold(
        "auto_attach_similarity", match.engine
    )


def flags_likely_duplicates() -> bool:
    """Whether the engine in use flags likely duplicates at all (calibrated, or set)."""
    return threshold("likely_similarity") != OFF


def is_likely_duplicate(match: Match) -> bool:
    """Whether a suggestion is close enough to call it a likely duplicate (engine's scale)."""
    return match.similarity >= threshold("likely_similarity", match.engine)


def store_likely_ideas(signals: Iterable, matches: dict[int, Match | None]) -> int:
    """Store each signal's closest idea and, if it is close enough, its likely duplicate (or
    none) for the inbox; returns how many got a likely duplicate."""
    from intake.models import Signal

    signals = list(signals)
    for signal in signals:
        match = matches.get(signal.pk)
        likely = match if match and is_likely_duplicate(match) else None
        signal.closest_idea = match.idea if match else None
        signal.closest_similarity = match.similarity if match else None
        signal.likely_idea = likely.idea if likely else None
        signal.likely_similarity = likely.similarity if likely else None
    Signal.objects.bulk_update(
        signals,
        ["closest_idea", "closest_similarity", "likely_idea", "likely_similarity"],
        batch_size=500,
    )
    return sum(1 for s in signals if s.likely_idea_id)


def suggest_ideas_for_signals(signals: Iterable) -> int:
    """Store each untriaged signal's closest idea and likely duplicate (or none) for the inbox;
    returns how many signals got a likely duplicate. The inbox action reruns it on demand."""
    signals = [s for s in signals if s.idea_id is None]
    return store_likely_ideas(signals, match_signals(signals))
