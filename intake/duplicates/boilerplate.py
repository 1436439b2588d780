"""What a source repeats in every item, learned from its items, and text with it removed.

Issue templates make long bodies look alike ("### What are you trying to do?", "- [x] I searched
for duplicates", "If you'd like to see this implemented, add a 👍"), and title prefixes such as
"FR:" or "[Feature]" carry no meaning. No fixed list could know every tracker's template, so a
source's boilerplate is learned from its own items: a line (or title prefix) that recurs across
many of them is template, not request. Both the indexed ideas and the query are cleaned the same
way before the duplicate engine sees them.

Plain functions over strings, no database: `cleaning.py` stores what is learned per source.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

# A line counts as boilerplate when it recurs in at least this share of a source's items, and in
# at least MIN_ITEMS of them (so two people quoting the same error line stay content).
MIN_SHARE = 0.05
MIN_ITEMS = 3
# Enough items to tell a template from a coincidence; fewer learn nothing.
MIN_SAMPLE = 6

HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
# Markdown decoration around a line: headings, quotes, bullets, checkboxes, emphasis.
LINE_DECORATION = re.compile(r"^(?:[#>*+\-\s]|\d+[.)]\s|\[[ xX]*\])+|[*_`:\s]+$")
NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
# A leading tag: "[Feature]", "(Request)", or up to four words ended by ":" or " - ".
TITLE_PREFIX = re.compile(
    r"^\s*(?:\[(?P<bracket>[^\]]{1,40})\]|\((?P<paren>[^)]{1,40})\)"
    r"|(?P<words>[^\s:\[\]()]+(?:\s+[^\s:\[\]()]+){0,3}?)\s*(?::|\s[-–—]\s))\s*[-:–—]?\s*"
)


def line_key(line: str) -> str:
    """A line as the learning compares it: no markdown decoration, case or punctuation."""
    line = LINE_DECORATION.sub("", line.strip())
    return NON_WORD.sub(" ", line.lower()).strip()


def _prefix(title: str) -> tuple[str, str] | None:
    """(the prefix's key, the title after it), or None when the title has no leading tag."""
    match = TITLE_PREFIX.match(title or "")
    if not match:
        return None
    tag = match.group("bracket") or match.group("paren") or match.group("words") or ""
    rest = title[match.end() :]
    key = NON_WORD.sub(" ", tag.lower()).strip()
    return (key, rest) if key and rest.strip() else None


@dataclass(frozen=True)
class Boilerplate:
    lines: frozenset[str] = frozenset()
    title_prefixes: frozenset[str] = frozenset()

    def to_json(self) -> dict:
        return {"lines": sorted(self.lines), "title_prefixes": sorted(self.title_prefixes)}

    @classmethod
    def from_json(cls, data: dict | None) -> "Boilerplate":
        data = data or {}
        return cls(frozenset(data.get("lines", ())), frozenset(data.get("title_prefixes", ())))

    def __or__(self, other: "Boilerplate") -> "Boilerplate":
        return Boilerplate(self.lines | other.lines, self.title_prefixes | other.title_prefixes)


def learn(items: Iterable[tuple[str, str]], *, min_share: float = MIN_SHARE) -> Boilerplate:
    """The boilerplate of one source, from its items' (title, body) pairs."""
    line_counts: Counter[str] = Counter()
    prefix_counts: Counter[str] = Counter()
    total = 0
    for title, body in items:
        total += 1
        body = HTML_COMMENT.sub("\n", body or "")
        line_counts.update({line_key(line) for line in body.splitlines()} - {""})
        prefix = _prefix(title)
        if prefix:
            prefix_counts[prefix[0]] += 1
    if total < MIN_SAMPLE:
        return Boilerplate()
    needed = max(MIN_ITEMS, math.ceil(min_share * total))
    return Boilerplate(
        lines=frozenset(key for key, n in line_counts.items() if n >= needed),
        title_prefixes=frozenset(key for key, n in prefix_counts.items() if n >= needed),
    )


def clean_title(title: str, boilerplate: Boilerplate) -> str:
    """The title without the source's recurring leading tags ("FR:", "[Feature]")."""
    title = (title or "").strip()
    while (prefix := _prefix(title)) and prefix[0] in boilerplate.title_prefixes:
        title = prefix[1].strip()
    return title


def clean_body(body: str, boilerplate: Boilerplate) -> str:
    """The body without HTML comments (template instructions nobody sees on the page) and
    without the source's recurring lines; blank runs collapsed."""
    body = HTML_COMMENT.sub("\n", body or "")
    kept = []
    for line in body.splitlines():
        key = line_key(line)
        if not key:
            if kept and kept[-1]:
                kept.append("")
            continue
        if key in boilerplate.lines:
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def clean(title: str, body: str, boilerplate: Boilerplate) -> tuple[str, str]:
    return clean_title(title, boilerplate), clean_body(body, boilerplate)
