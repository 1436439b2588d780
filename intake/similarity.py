"""Which existing ideas look like a piece of text: the duplicate engine's single entry point."""

import re
from dataclasses import dataclass

from .models import Idea

STOPWORDS = frozenset(
    "a an and are as at be but by can could for from has have i in is it its me my of on or "
    "our please should so that the their there this to us we with would you your support add "
    "allow option ability want need".split()
)
TOKEN = re.compile(r"[a-z0-9]+")
MIN_SIMILARITY = 0.2


@dataclass(frozen=True)
class Match:
    idea: Idea
    similarity: float


def tokens(text: str) -> set[str]:
    words = TOKEN.findall((text or "").lower())
    # A light stem ("themes" ~ "theme") keeps plural and singular together.
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words if w not in STOPWORDS}


def trigrams(words: set[str]) -> set[str]:
    grams = set()
    for word in words:
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a: str, b: str) -> float:
    """Blend of word overlap and character trigrams, so typos still match."""
    wa, wb = tokens(a), tokens(b)
    if not wa or not wb:
        return 0.0
    words = len(wa & wb) / len(wa | wb)
    ga, gb = trigrams(wa), trigrams(wb)
    chars = len(ga & gb) / len(ga | gb)
    return round(0.5 * words + 0.5 * chars, 4)


def find_similar(text: str, *, limit: int = 5) -> list[Match]:
    """Up to `limit` open ideas whose title looks like `text`, most similar first."""
    if not tokens(text):
        return []
    candidates = Idea.objects.exclude(status=Idea.Status.MERGED).only("id", "title", "status")
    scored = [Match(idea, similarity(text, idea.title)) for idea in candidates]
    scored = [m for m in scored if m.similarity >= MIN_SIMILARITY]
    scored.sort(key=lambda m: (-m.similarity, m.idea.pk))
    return scored[:limit]
