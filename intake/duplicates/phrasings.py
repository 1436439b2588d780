"""The texts an idea is found by: its own title and description, and the other titles it is
known by, the ideas merged into it and the signals attached to it. After a PM merges "Okta user
sync" into "SCIM provisioning", a request worded either way finds it; each engine scores an
idea by its best phrasing.

An idea keeps at most MAX_EXTRA other titles (merged ideas first, then its signals, oldest
first), each of them worded differently from the ones before (other normalised terms): each is
a row of every process's semantic matrix, so they are bounded however popular the idea.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from . import cleaning
from .text import terms

MAX_EXTRA = 4
# Signals read per idea to find its other wordings: most repeat the idea's own title.
SIGNALS_READ = 20


@dataclass
class Phrasings:
    title: str
    body: str
    extra: list[str] = field(default_factory=list)

    def texts(self, own_text) -> list[str]:
        """The own text (as `own_text(title, body)` makes it), then each other title."""
        return [own_text(self.title, self.body), *self.extra]


def _wording(title: str) -> frozenset[str]:
    # Words of a script the lexical engine does not split compare as the whole text.
    return frozenset(terms(title)) or frozenset([" ".join(title.casefold().split())])


def _first_signal_titles(ids: list[int]) -> list[tuple[int, str]]:
    """(idea id, title) of each idea's first SIGNALS_READ signals, one slice per idea through
    the (idea, created_at) index: an idea with a million signals costs what one with ten does.
    A customer's "this matters to us" is left out: it is written on every idea of an item,
    titled after the item, and is no wording of a request."""
    from intake.models import CUSTOMER_INTEREST_PREFIX, Signal

    found = []
    for pk in ids:
        titles = (
            Signal.objects.filter(idea_id=pk)
            .exclude(
                source=Signal.Source.CUSTOMER_PORTAL,
                external_id__startswith=CUSTOMER_INTEREST_PREFIX,
            )
            .order_by("created_at", "pk")
            .values_list("title", flat=True)
        )
        found += [(pk, title) for title in titles[:SIGNALS_READ]]
    return found


def phrasings_of(rows: Iterable[tuple[int, str, str]]) -> dict[int, Phrasings]:
    """The cleaned phrasings of the ideas given as (id, title, description) rows."""
    from intake.models import Idea

    found = {
        pk: Phrasings(*cleaning.clean_text(title, description)) for pk, title, description in rows
    }
    if not found:
        return found
    ids = list(found)
    others: dict[int, list[str]] = {pk: [] for pk in ids}
    merged = (
        Idea.objects.filter(merged_into_id__in=ids, status=Idea.Status.MERGED)
        .order_by("merged_into_id", "pk")
        .values_list("merged_into_id", "title")
    )
    for pk, title in merged:
        others[pk].append(title)
    for pk, title in _first_signal_titles(ids):
        others[pk].append(title)
    for pk, titles in others.items():
        phrasing = found[pk]
        seen = {_wording(phrasing.title)}
        for title in titles:
            if len(phrasing.extra) >= MAX_EXTRA:
                break
            cleaned = cleaning.clean_text(title, "")[0].strip()
            wording = _wording(cleaned)
            if cleaned and wording and wording not in seen:
                seen.add(wording)
                phrasing.extra.append(cleaned)
    return found
