"""Per-source boilerplate, learned from the signals and applied before duplicate matching.

Each source (a GitHub repository, a subreddit, the sales form…) is learned on its own, so a
small tracker's template is not drowned by a big one's items (`boilerplate.learn`). The text of
an idea or a query is then cleaned with what every source taught: an idea's description was
copied from a signal of some source and may be edited since, and a template line of one tracker
("### 🏷️ Feature Request Type") is no request in any other, so the union is safe and makes the
cleaning independent of where a text came from.

Learning is cheap (the latest `LEARN_SAMPLE` items of a source, one pass) and happens when a
source first has enough items, again when it has grown by half, and for every source in
`similar_ideas --rebuild-index`.
"""

import time
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import urlsplit

from .boilerplate import Boilerplate, clean, learn
from .models import SourceBoilerplate

LEARN_SAMPLE = 2000
# Relearn when a source has this much more than it was learned from (and at least RELEARN_MIN).
RELEARN_GROWTH = 1.5
RELEARN_MIN = 20
CACHE_SECONDS = 60

_cache: dict = {"expires": 0.0, "union": Boilerplate()}


def source_key(source: str, url: str = "") -> str:
    """The source an item's template belongs to: the kind of signal, plus the tracker it came
    from when the URL names one (https://github.com/owner/repo/issues/1 → owner/repo)."""
    parts = urlsplit(url or "")
    segments = [s for s in parts.path.split("/") if s][:2]
    if not parts.netloc or not segments:
        return source
    return f"{source}:{parts.netloc.lower()}/{'/'.join(segments)}"


def _samples(sources: Iterable[str] | None = None) -> dict[str, list[tuple[str, str]]]:
    """The latest items of each source, grouped by source key."""
    from intake.models import Signal

    kinds = sorted(set(sources)) if sources is not None else Signal.Source.values
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for kind in kinds:
        rows = (
            Signal.objects.filter(source=kind)
            .order_by("-pk")
            .values_list("source", "url", "title", "body")[: LEARN_SAMPLE * 5]
        )
        for source, url, title, body in rows:
            items = grouped[source_key(source, url)]
            if len(items) < LEARN_SAMPLE:
                items.append((title, body))
    return grouped


def _store(key: str, items: list[tuple[str, str]], total: int) -> None:
    learned = learn(items)
    SourceBoilerplate.objects.update_or_create(
        source=key,
        defaults={
            "lines": sorted(learned.lines),
            "title_prefixes": sorted(learned.title_prefixes),
            "items": total,
        },
    )


def learn_all_sources() -> int:
    """Relearn every source's boilerplate from its latest signals; returns how many sources."""
    samples = _samples()
    for key, items in samples.items():
        _store(key, items, len(items))
    SourceBoilerplate.objects.exclude(source__in=list(samples)).delete()
    forget()
    return len(samples)


def learn_if_due(signals: Iterable) -> None:
    """Relearn the sources of newly arrived signals that were never learned or have grown."""
    known = {row.source: row.items for row in SourceBoilerplate.objects.all()}
    arrived = {source_key(s.source, s.url): s.source for s in signals}
    if not arrived:
        return
    due = set()
    samples = _samples(arrived.values())
    for key in arrived:
        count = len(samples.get(key, ()))
        learned_from = known.get(key)
        if learned_from is None or (
            count >= learned_from * RELEARN_GROWTH and count - learned_from >= RELEARN_MIN
        ):
            due.add(key)
    for key in due:
        _store(key, samples.get(key, []), len(samples.get(key, ())))
    if due:
        forget()


def forget() -> None:
    _cache["expires"] = 0.0


def boilerplate() -> Boilerplate:
    """What every source taught (cached in the process for a minute)."""
    now = time.monotonic()
    if _cache["expires"] <= now:
        union = Boilerplate()
        for lines, prefixes in SourceBoilerplate.objects.values_list("lines", "title_prefixes"):
            union = union | Boilerplate(frozenset(lines), frozenset(prefixes))
        _cache.update(union=union, expires=now + CACHE_SECONDS)
    return _cache["union"]


def clean_text(title: str, body: str = "") -> tuple[str, str]:
    """A title and body without any known source's boilerplate."""
    return clean(title or "", body or "", boilerplate())
