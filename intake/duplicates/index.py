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
from .models import IdeaEmbedding, IdeaTerm
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


@transaction.atomic
def index_ideas(ideas: Iterable) -> int:
    """(Re)build the index rows of these ideas (lexical terms, and the embeddings when the
    semantic engine runs) from their cleaned phrasings; returns how many were indexed."""
    from intake.models import Idea

    ideas = list(ideas)
    if not ideas:
        return 0
    # Two workers indexing one idea at once would each write its rows: one waits for the other,
    # then reads the text as it is now (not as its caller read it before the wait).
    rows = list(
        Idea.objects.select_for_update()
        .filter(pk__in=[idea.pk for idea in ideas])
        .order_by("pk")
        .values_list("pk", "title", "description")
    )
    phrasings = phrasings_of(rows)
    by_idea = {pk: _term_weights(p) for pk, p in phrasings.items()}
    df = document_frequencies(t for docs in by_idea.values() for t in _distinct_terms(docs))
    n = max(indexed_count(), len(ideas))
    IdeaTerm.objects.filter(idea_id__in=by_idea).delete()
    IdeaTerm.objects.bulk_create(
        IdeaTerm(idea_id=pk, phrasing=nth, term=term, weight=round(w * idf(df.get(term, 0), n), 4))
        for pk, docs in by_idea.items()
        for nth, doc in enumerate(docs)
        for term, w in doc.items()
    )
    if engine_name() in ("semantic", "hybrid"):
        from .semantic import embed_ideas

        embed_ideas(ideas, phrasings)
    Idea.objects.filter(pk__in=by_idea).update(search_stale=False)
    forget_frequencies(t for docs in by_idea.values() for t in _distinct_terms(docs))
    return len(by_idea)


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


def rebuild_index(*, batch_size: int = 5000, progress=None) -> int:
    """Relearn every source's boilerplate, then rebuild the whole index in one pass, with exact
    document frequencies (and every embedding, when the semantic engine runs). `progress`, if
    given, is called as progress(done, total) while embeddings are computed."""
    from intake.models import Idea

    cleaning.learn_all_sources()
    phrasings = {}
    rows = Idea.objects.values_list("id", "title", "description").order_by("pk")
    for start in range(0, rows.count(), 2000):
        phrasings.update(phrasings_of(rows[start : start + 2000]))
    weights = {pk: _term_weights(p) for pk, p in phrasings.items()}
    df = Counter(term for docs in weights.values() for term in _distinct_terms(docs))
    n = len(weights)
    if n >= COUNT_CACHED_FROM:
        cache.set("similarity:idea-count", n, 300)
    forget_frequencies()
    rows = [
        (pk, nth, term, round(weight * idf(df[term], n), 4))
        for pk, docs in weights.items()
        for nth, doc in enumerate(docs)
        for term, weight in doc.items()
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM intake_ideaterm")
        for start in range(0, len(rows), batch_size):
            cursor.executemany(
                "INSERT INTO intake_ideaterm (idea_id, phrasing, term, weight) "
                "VALUES (%s, %s, %s, %s)",
                rows[start : start + batch_size],
            )
        Idea.objects.filter(pk__in=list(phrasings)).update(search_stale=False)
    if engine_name() in ("semantic", "hybrid"):
        from .semantic import embed_ideas

        # Batch by batch, each in its own transaction: embedding every idea takes minutes, and
        # searches go on meanwhile with the embeddings already written.
        IdeaEmbedding.objects.exclude(idea_id__in=list(phrasings)).delete()
        ids = list(phrasings)
        step = 256
        for start in range(0, len(ids), step):
            chunk = [Idea(pk=pk) for pk in ids[start : start + step]]
            embed_ideas(chunk, phrasings)
            if progress is not None:
                progress(min(start + step, len(ids)), len(ids))
    return n
