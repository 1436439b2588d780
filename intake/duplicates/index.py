"""Keeping both indexes current: `index_ideas` is the one entry point that (re)indexes ideas;
services call it (through the outbox) for the ideas they write or whose signals change, and an
idea saved some other way (the admin, a bulk import) is marked `search_stale` and indexed
before the next search."""

from collections import Counter
from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection, transaction

from . import cleaning
from .engines import engine_name
from .lexical import (
    COUNT_CACHED_FROM,
    document_frequencies,
    field_weights,
    forget_frequencies,
    idf,
    indexed_count,
)
from .models import IdeaTerm
from .phrasings import Phrasings, phrasings_of

STALE_BATCH = 500
STALE_BATCH_SEMANTIC = 32


def _term_weights(phrasing: Phrasings) -> list[dict[str, float]]:
    """Phrasing 0 (own title and description), then each other title."""
    return [field_weights(phrasing.title, phrasing.body)] + [
        field_weights(title) for title in phrasing.extra
    ]


def _distinct_terms(weights: list[dict[str, float]]) -> set[str]:
    return {term for doc in weights for term in doc}


# A stored weight within this share of what the idea would be given now is kept: idf drifts
# slowly as the backlog grows, and rewriting every touched idea for it cost a connector's first
# sync most of its time.
WEIGHT_DRIFT = 0.02


def _stored_rows(ids: list[int]) -> dict[int, dict[int, dict[str, float]]]:
    """Each idea's indexed terms and weights by phrasing number, as the lexical index holds
    them."""
    found: dict[int, dict[int, dict[str, float]]] = {}
    rows = IdeaTerm.objects.filter(idea_id__in=ids).values_list(
        "idea_id", "phrasing", "term", "weight"
    )
    for pk, nth, term, weight in rows.iterator(chunk_size=10_000):
        found.setdefault(pk, {}).setdefault(nth, {})[term] = weight
    return found


def _same(stored: dict[int, dict[str, float]], fresh: dict[int, dict[str, float]]) -> bool:
    if stored.keys() != fresh.keys():
        return False
    for nth, doc in fresh.items():
        old = stored[nth]
        if old.keys() != doc.keys():
            return False
        if any(abs(old[t] - w) > WEIGHT_DRIFT * max(abs(w), 1e-9) for t, w in doc.items()):
            return False
    return True


def _weighted(docs: list[dict[str, float]], df: dict[str, int], n: int) -> dict[int, dict]:
    """The rows an idea's phrasings would be stored as now, by phrasing number (a phrasing
    with no indexable word, another script say, has none)."""
    return {
        nth: {term: round(w * idf(df.get(term, 0), n), 4) for term, w in doc.items()}
        for nth, doc in enumerate(docs)
        if doc
    }


def _term_rows(weighted: dict[int, dict[int, dict[str, float]]]):
    """(idea id, phrasing, term, weight) of each index row of these ideas' `_weighted` rows."""
    for pk, docs in weighted.items():
        for nth, doc in docs.items():
            for term, weight in doc.items():
                yield pk, nth, term, weight


@transaction.atomic
def index_ideas(ideas: Iterable, *, only_changed: bool = False) -> int:
    """(Re)build the index rows of these ideas (lexical terms, and the embeddings when the
    semantic engine runs) from their cleaned phrasings; returns how many were indexed.

    `only_changed` leaves alone an idea whose stored rows are what it would be given now (the
    same words, weights within WEIGHT_DRIFT): what a signal joining an idea usually leaves (it
    repeats a known wording), so a connector's first sync that attaches thousands of signals
    does not rewrite thousands of ideas' rows."""
    from intake.models import Idea

    ideas = list(ideas)
    if not ideas:
        return 0
    # Two workers indexing one idea at once would each write its rows: one waits for the other,
    # then reads the text as it is now (not as its caller read it before the wait).
    # FOR NO KEY UPDATE on PostgreSQL: a signal or index row pointing at the idea (a foreign
    # key check at commit) does not wait for it.
    rows = list(
        Idea.objects.select_for_update(no_key=True)
        .filter(pk__in=[idea.pk for idea in ideas])
        .order_by("pk")
        .values_list("pk", "title", "description")
    )
    phrasings = phrasings_of(rows)
    by_idea = {pk: _term_weights(p) for pk, p in phrasings.items()}
    df = document_frequencies(t for docs in by_idea.values() for t in _distinct_terms(docs))
    n = max(indexed_count(), len(ideas))
    fresh = {pk: _weighted(docs, df, n) for pk, docs in by_idea.items()}
    if only_changed:
        stored = _stored_rows(list(fresh))
        fresh = {pk: f for pk, f in fresh.items() if not _same(stored.get(pk, {}), f)}
    IdeaTerm.objects.filter(idea_id__in=fresh).delete()
    IdeaTerm.objects.bulk_create(
        IdeaTerm(idea_id=pk, phrasing=nth, term=term, weight=weight)
        for pk, nth, term, weight in _term_rows(fresh)
    )
    if engine_name() in ("semantic", "hybrid"):
        from .semantic import embed_ideas

        # Every idea: an unchanged one keeps its row (embed_ideas compares the texts), and one
        # indexed before the semantic engine ran gains its embeddings.
        embed_ideas(ideas, phrasings)
    if fresh:
        Idea.objects.filter(pk__in=fresh).update(search_stale=False)
    forget_frequencies(t for pk in fresh for t in _distinct_terms(by_idea[pk]))
    return len(fresh)


def refresh_stale_index(*, limit: int | None = None) -> int:
    """Index ideas written without going through a service (admin edits, bulk imports)."""
    from intake.models import Idea

    if not Idea.objects.filter(search_stale=True).exists():
        return 0
    if limit is None:
        # Embedding is the slow part of indexing: a search catches up a few ideas at a time.
        limit = STALE_BATCH_SEMANTIC if engine_name() != "lexical" else STALE_BATCH
    with transaction.atomic():
        stale = list(
            Idea.objects.select_for_update(skip_locked=True)
            .filter(search_stale=True)
            .only("id", "title", "description")[:limit]
        )
        return index_ideas(stale)


# Ideas rewritten per transaction, each locked meanwhile (about a second).
LEXICAL_CHUNK = 500
SEMANTIC_CHUNK = 64


def _chunks(ids: list[int], size: int):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _phrasings(ids: list[int], *, locked: bool = False) -> dict[int, Phrasings]:
    """The phrasings of these ideas as they are now; `locked`: each idea locked until the
    transaction ends, so a reindex of one of them meanwhile waits and then writes its newer
    text."""
    from intake.models import Idea

    rows = Idea.objects.filter(pk__in=ids).order_by("pk")
    if locked:
        rows = rows.select_for_update(no_key=True)
    return phrasings_of(list(rows.values_list("id", "title", "description")))


def document_frequencies_of_all(ids: list[int]) -> Counter:
    """How many of these ideas have each term, in any phrasing (read without locking)."""
    df = Counter()
    for chunk in _chunks(ids, LEXICAL_CHUNK):
        for phrasing in _phrasings(chunk).values():
            df.update(_distinct_terms(_term_weights(phrasing)))
    return df


def rebuild_index(*, batch_size: int = 5000, progress=None) -> int:
    """Relearn every source's boilerplate, then rebuild the whole index with exact document
    frequencies (and every embedding, when the semantic engine runs). `progress`, if given, is
    called as progress(done, total) while embeddings are computed.

    It runs while connectors and PMs go on: the frequencies come from a first read, then the
    ideas are rewritten chunk by chunk from what they say at that moment, each chunk locked
    while it is written (embeddings are made first, unlocked, then checked again under the
    lock), so an idea edited during the rebuild is never left with the words or the embedding
    it had before."""
    from intake.models import Idea

    cleaning.learn_all_sources()
    ids = list(Idea.objects.order_by("pk").values_list("pk", flat=True))
    df = document_frequencies_of_all(ids)
    n = len(ids)
    if n >= COUNT_CACHED_FROM:
        cache.set("similarity:idea-count", n, 300)
    forget_frequencies()
    for chunk in _chunks(ids, LEXICAL_CHUNK):
        with transaction.atomic():
            weights = {
                pk: _weighted(_term_weights(p), df, n)
                for pk, p in _phrasings(chunk, locked=True).items()
            }
            rows = list(_term_rows(weights))
            IdeaTerm.objects.filter(idea_id__in=chunk).delete()
            with connection.cursor() as cursor:
                for start in range(0, len(rows), batch_size):
                    cursor.executemany(
                        "INSERT INTO intake_ideaterm (idea_id, phrasing, term, weight) "
                        "VALUES (%s, %s, %s, %s)",
                        rows[start : start + batch_size],
                    )
            Idea.objects.filter(pk__in=list(weights)).update(search_stale=False)
    if engine_name() in ("semantic", "hybrid"):
        from .semantic import embed_ideas

        # Chunk by chunk: embedding every idea takes minutes to hours, and searches go on
        # meanwhile with the embeddings already written. Embedding holds no lock; the short
        # locked pass after it re-embeds only an idea whose texts changed in between.
        for done, chunk in enumerate(_chunks(ids, SEMANTIC_CHUNK), 1):
            with transaction.atomic():
                phrasings = _phrasings(chunk)
                embed_ideas([Idea(pk=pk) for pk in phrasings], phrasings)
            with transaction.atomic():
                phrasings = _phrasings(chunk, locked=True)
                embed_ideas([Idea(pk=pk) for pk in phrasings], phrasings)
            if progress is not None:
                progress(min(done * SEMANTIC_CHUNK, len(ids)), len(ids))
    return n
