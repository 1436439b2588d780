"""The lexical engine: a stored index of normalised terms per phrasing of an idea (`IdeaTerm`),
on SQLite and PostgreSQL alike, ranked by tf-idf cosine. Words are normalised by `text.terms`,
weighted by rarity and by field (a title's words above a body's), and a misspelt query word is
matched to an indexed word one edit away. Kept current always, so switching engines needs no
rebuild, and the hybrid engine reads it beside the semantic one."""

import math
import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection
from django.db.models import Count

from .models import IdeaTerm
from .text import CANONICAL, terms

TITLE_WEIGHT = 1.0
BODY_WEIGHT = 0.35
BODY_CHARS = 2000
# Candidate retrieval reads posting lists rarest first and stops past this many rows: common
# words add little to the ranking, and reading them all would cost the most.
POSTINGS_BUDGET = 10000
CANDIDATES = 100
FUZZY_WEIGHT = 0.8
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def field_weights(title: str, body: str = "") -> dict[str, float]:
    """Each distinct term with the weight of the field it appears in (title beats body)."""
    weights = dict.fromkeys(terms((body or "")[:BODY_CHARS]), BODY_WEIGHT)
    weights.update(dict.fromkeys(terms(title), TITLE_WEIGHT))
    return weights


def idf(df: int, n: int) -> float:
    return math.log(1 + (n + 1) / (df + 1))


COUNT_CACHED_FROM = 10_000


def indexed_count() -> int:
    from intake.models import Idea

    # A large corpus's size only moves idf slowly, so a few minutes' staleness changes no
    # ranking and saves a count; a small one is counted each time (a new instance grows fast).
    n = cache.get("similarity:idea-count")
    if n is None:
        n = Idea.objects.count()
        if n >= COUNT_CACHED_FROM:
            cache.set("similarity:idea-count", n, 300)
    return n


# Document frequencies move slowly and the same words recur in every query (and the typo
# variants of unknown words are mostly absent), so each process remembers them for a minute;
# indexing an idea forgets its own terms at once.
DF_TTL_SECONDS = 60
DF_CACHE_SIZE = 200_000
_df_cache: dict[str, tuple[int, float]] = {}


def document_frequencies(words: Iterable[str]) -> dict[str, int]:
    """How many ideas have each word (in any phrasing), for the words that any has."""
    now = time.monotonic()
    words = set(words)
    found, missing = {}, []
    for word in words:
        cached = _df_cache.get(word)
        if cached is not None and cached[1] > now:
            found[word] = cached[0]
        else:
            missing.append(word)
    if missing:
        counts = dict(
            IdeaTerm.objects.filter(term__in=sorted(missing))
            .values_list("term")
            .order_by()
            .annotate(n=Count("idea_id", distinct=True))
        )
        if len(_df_cache) > DF_CACHE_SIZE:
            _df_cache.clear()
        expires = now + DF_TTL_SECONDS
        for word in missing:
            found[word] = counts.get(word, 0)
            _df_cache[word] = (found[word], expires)
    return {word: n for word, n in found.items() if n}


def forget_frequencies(words: Iterable[str] | None = None) -> None:
    if words is None:
        _df_cache.clear()
    for word in words or ():
        _df_cache.pop(word, None)


def _edits(word: str) -> set[str]:
    """Every word one edit (delete, swap, replace, insert) away from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in LETTERS]
    inserts = [a + c + b for a, b in splits for c in LETTERS]
    return set(deletes + swaps + replaces + inserts) - {word}


def query_vector(title: str, body: str = "") -> tuple[dict[str, float], dict[str, int]]:
    """The query's weighted terms (typos folded to a known word) and their frequencies."""
    query = field_weights(title, body)
    if not query:
        return {}, {}
    df = document_frequencies(query)
    # Only a word no idea has can be a typo: its few hundred one-edit variants are looked up
    # only then (looking them up for every word cost most of a title search).
    fuzzy = {
        w: _edits(w)
        for w in query
        if not df.get(w) and len(w) >= 5 and w.isalpha() and w not in CANONICAL
    }
    if fuzzy:
        df.update(document_frequencies(v for vs in fuzzy.values() for v in vs))
    n = indexed_count()
    vector = {}
    for word, weight in query.items():
        if df.get(word):
            vector[word] = max(vector.get(word, 0), weight * idf(df[word], n))
            continue
        # Unknown word: most likely a typo of an indexed word one edit away.
        known = [v for v in fuzzy.get(word, ()) if df.get(v)]
        if known:
            best = max(known, key=lambda v: (df[v], v))
            vector[best] = max(vector.get(best, 0), FUZZY_WEIGHT * weight * idf(df[best], n))
    return vector, df


def cosines(vector: dict[str, float], idea_ids: Iterable[int]) -> dict[int, list[float]]:
    """Each idea's cosine against a query vector, phrasing by phrasing (the own text first).

    The database sums each phrasing's dot product with the query and its squared norm, so a
    search reads back a row per phrasing rather than every term row of every candidate (most
    of a connector arrival's matching time, before)."""
    idea_ids = sorted(set(idea_ids))
    if not vector or not idea_ids:
        return {}
    words = sorted(vector)
    cases = " ".join(["WHEN %s THEN %s"] * len(words))
    ids = ", ".join(["%s"] * len(idea_ids))
    sql = (
        f"SELECT idea_id, phrasing, SUM(weight * CASE term {cases} ELSE 0 END), "  # noqa: S608
        f"SUM(weight * weight) FROM intake_ideaterm WHERE idea_id IN ({ids}) "
        "GROUP BY idea_id, phrasing ORDER BY idea_id, phrasing"
    )
    params = [x for w in words for x in (w, vector[w])]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *idea_ids])
        rows = cursor.fetchall()
    q_norm = math.sqrt(sum(v * v for v in vector.values()))
    found: dict[int, list[float]] = {}
    for idea_id, _, dot, norm2 in rows:
        score = (dot or 0.0) / (q_norm * math.sqrt(norm2 or 0.0) or 1)
        found.setdefault(idea_id, []).append(round(score, 4))
    return found


def best_cosines(vector: dict[str, float], idea_ids: Iterable[int]) -> dict[int, float]:
    """Each idea's best cosine over its phrasings, against a query vector."""
    return {pk: max(scores) for pk, scores in cosines(vector, idea_ids).items()}


def candidates(vector: dict[str, float], df: dict[str, int]) -> list[int]:
    """The ideas whose phrasings share the most weight with the query, rarest words first."""
    chosen, budget = [], 0
    for word in sorted(vector, key=lambda w: (df.get(w, 0), w)):
        if chosen and budget + df.get(word, 0) > POSTINGS_BUDGET:
            break
        chosen.append(word)
        budget += df.get(word, 0)
    if not chosen:
        return []
    cases = " ".join(["WHEN %s THEN %s"] * len(chosen))
    placeholders = ", ".join(["%s"] * len(chosen))
    params = [x for w in chosen for x in (w, vector[w])]
    sql = (
        f"SELECT idea_id FROM intake_ideaterm WHERE term IN ({placeholders}) "  # noqa: S608
        f"GROUP BY idea_id, phrasing ORDER BY SUM(weight * CASE term {cases} ELSE 0 END) DESC, "
        f"idea_id LIMIT {CANDIDATES}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*chosen, *params])
        return list(dict.fromkeys(row[0] for row in cursor.fetchall()))


class LexicalEngine:
    name = "lexical"
    # Calibrated held out on the development set (bench/bench_duplicates.py).
    min_similarity = 0.04
    likely_similarity = 0.6
    auto_attach_similarity = 0.8

    def for_query(self, query):
        return self

    def search(self, query) -> list[tuple[int, float]]:
        """(idea id, similarity) pairs, best first, merged ideas included."""
        vector, df = query.lexical()
        found = best_cosines(vector, candidates(vector, df))
        return sorted(found.items(), key=lambda item: (-item[1], item[0]))

    def scores(self, query, idea_ids: Iterable[int]) -> dict[int, float]:
        return best_cosines(query.lexical()[0], idea_ids)
