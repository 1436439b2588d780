"""The words plan sheets use, and what they mean here.

Spreadsheets say "In progress", "Done", "N/A", "Stretch", "High"; this module turns them into
the roadmap's stages, priorities and commitment, decides whether a doc cell means the doc
exists, and says which docs an item needs at its stage.
"""

import re

from roadmap.models import RoadmapItem

Stage = RoadmapItem.Stage
Priority = RoadmapItem.Priority


def normalize_word(value: str) -> str:
    """Lower case, punctuation as spaces, single spaces: "In-Progress " -> "in progress"."""
    return " ".join(re.sub(r"[^\w]+|_", " ", value.casefold()).split())


def collapse(value: str) -> str:
    """Trim and fold runs of whitespace (including newlines) into one space."""
    return " ".join(value.split())


STAGE_WORDS = {
    Stage.NOT_STARTED: [
        "", "not started", "not yet started", "to do", "todo", "backlog", "planned", "planning",
        "tbd", "tbc", "new", "open", "proposed", "idea", "discovery", "n a", "na", "none",
        "queued", "ready",
    ],
    Stage.IN_DEVELOPMENT: [
        "in development", "development", "in dev", "dev", "in progress", "progress", "wip",
        "building", "build", "started", "ongoing", "implementation", "implementing", "in flight",
        "doing", "active", "design", "in design", "engineering",
    ],
    Stage.POC: ["poc", "p o c", "proof of concept", "prototype", "spike"],
    Stage.ALPHA: ["alpha", "private alpha", "internal alpha", "early access", "opt in"],
    Stage.BETA: [
        "beta", "private beta", "public beta", "open beta", "closed beta", "preview",
        "public preview", "private preview", "limited availability", "limited release",
    ],
    Stage.GA: [
        "ga", "g a", "general availability", "generally available", "rollout", "rolling out",
    ],
    Stage.SHIPPED: [
        "shipped", "done", "complete", "completed", "released", "launched", "delivered",
        "finished", "closed", "live",
    ],
}  # fmt: skip
_STAGE_BY_WORD = {word: stage for stage, words in STAGE_WORDS.items() for word in words}

PRIORITY_WORDS = {
    Priority.P0: ["p0", "0", "high", "highest", "critical", "urgent", "must", "must have"],
    Priority.P1: ["p1", "1", "medium", "med", "normal", "should", "should have", ""],
    Priority.P2: ["p2", "2", "low", "lowest", "could", "could have", "nice to have"],
}
_PRIORITY_BY_WORD = {word: p for p, words in PRIORITY_WORDS.items() for word in words}

COMMITTED_WORDS = {
    "committed", "commit", "yes", "y", "true", "1", "x", "locked", "confirmed", "firm", "planned",
    "at risk", "done", "shipped", "in", "commited",
}  # fmt: skip
UNCOMMITTED_WORDS = {
    "", "uncommitted", "not committed", "no", "n", "false", "0", "stretch", "stretch goal",
    "proposed", "tentative", "candidate", "maybe", "tbd", "tbc", "n a", "na", "none", "out",
    "optional", "backlog", "nice to have", "aspirational", "draft",
}  # fmt: skip
_CHECK_MARKS = {"✓", "✔", "☑", "✅"}
_CROSS_MARKS = {"✗", "✘", "☐", "❌", "-", "—", "–"}


def _lookup(table: dict[str, str], value: str) -> str | None:
    """A word, or the longest leading words of a phrase: "Beta (10%)" -> "beta"."""
    word = normalize_word(value)
    if word in table:
        return table[word]
    if word.replace(" ", "") in table:
        return table[word.replace(" ", "")]
    words = word.split()
    for n in range(len(words) - 1, 0, -1):
        head = " ".join(words[:n])
        if head in table and head:
            return table[head]
    return None


def parse_stage(value: str) -> str | None:
    """The stage a cell names, or None when the word is unknown."""
    return _lookup(_STAGE_BY_WORD, value)


def parse_priority(value: str) -> str | None:
    """P0-P2 from "P1", "1", "High", "P1 - should have"; None when unknown."""
    return _lookup(_PRIORITY_BY_WORD, value)


def parse_commitment(value: str) -> bool | None:
    """True for committed, False for not committed, None when the word is unknown."""
    raw = value.strip()
    if raw in _CHECK_MARKS:
        return True
    if raw in _CROSS_MARKS:
        return False
    word = normalize_word(raw)
    if word in COMMITTED_WORDS:
        return True
    if word in UNCOMMITTED_WORDS:
        return False
    if word.startswith(("not ", "uncommitted", "no ")):
        return False
    if word.startswith("committed"):
        return True
    return None


# Doc cells hold a link, a status word, or nothing.
DOC_PRESENT = "present"
DOC_IN_PROGRESS = "in_progress"
DOC_MISSING = "missing"

DOC_MISSING_WORDS = {
    "", "n a", "na", "none", "no", "tbd", "tbc", "todo", "to do", "missing", "not started",
    "needed", "required", "pending", "not yet", "false", "0", "nil", "null", "no doc",
    "not needed", "not applicable", "not written",
}  # fmt: skip
DOC_IN_PROGRESS_WORDS = {
    "in progress", "wip", "draft", "drafting", "writing", "started", "in review", "under review",
    "review", "in draft", "ongoing", "doing", "in preparation",
}  # fmt: skip


def doc_state(value: str) -> str:
    """Whether a doc cell means the doc exists.

    A link or any other text (a done word such as "Done", "Approved", "Yes", a document name)
    means it exists; "In progress", "Draft", "In review" mean it is being written; empty, "N/A",
    "TBD", "No", "Missing" and the like mean it does not exist.
    """
    raw = value.strip()
    if _LINK.search(raw):
        return DOC_PRESENT
    if raw in _CROSS_MARKS:
        return DOC_MISSING
    word = normalize_word(raw)
    if not word:
        return DOC_PRESENT if raw in _CHECK_MARKS else DOC_MISSING
    # "TBD (due Nov 1)" and "Draft v2" are read by their first words.
    state = _lookup(_DOC_STATE_BY_WORD, raw)
    if state:
        return state
    if word.startswith(("no ", "not ")):
        return DOC_MISSING
    return DOC_PRESENT


_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
_DOC_STATE_BY_WORD = {
    **{word: DOC_IN_PROGRESS for word in DOC_IN_PROGRESS_WORDS},
    **{word: DOC_MISSING for word in DOC_MISSING_WORDS if word},
}


DOC_FIELDS = ("problem_doc", "one_pager", "project_doc")
DOC_LABELS = {"problem_doc": "Problem doc", "one_pager": "One-pager", "project_doc": "Project doc"}

# The order of paperwork: a problem doc, then a one-pager, then a project doc before commitment.
EARLY_STAGES = {Stage.NOT_STARTED}
BUILD_STAGES = {Stage.IN_DEVELOPMENT, Stage.POC}


def required_docs(*, stage: str, committed: bool) -> tuple[str, ...]:
    """The docs an item needs at its stage and commitment.

    Every item needs a problem doc; from in development and POC on it needs a one-pager too;
    from Alpha on, and whenever it is committed, it needs all three.
    """
    if committed or stage not in EARLY_STAGES | BUILD_STAGES:
        return DOC_FIELDS
    if stage in BUILD_STAGES:
        return DOC_FIELDS[:2]
    return DOC_FIELDS[:1]


REQUIRED_DOCS_EXPLANATION = [
    ("Not started, not committed", "Problem doc"),
    ("In development or POC, not committed", "Problem doc and one-pager"),
    (
        "Committed (any stage), or Alpha, Beta, GA, shipped",
        "Problem doc, one-pager and project doc",
    ),
]

_QUARTER_PATTERNS = [
    re.compile(r"^Q([1-4])\W*(?:FY)?\W*'?(\d{2}|\d{4})$"),
    re.compile(r"^(?:FY)?\W*(\d{2}|\d{4})\W*Q([1-4])$"),
]


def normalize_quarter(value: str) -> str:
    """Quarters compare case- and space-insensitively: " q4  fy26 " -> "Q4 FY26"."""
    return collapse(value).upper()


def quarter_sort_key(quarter: str) -> tuple[int, int, str]:
    """Orders "Q4 FY26" before "Q1 FY27"; labels in another form sort first, by text."""
    text = normalize_quarter(quarter)
    first = _QUARTER_PATTERNS[0].match(text)
    if first:
        q, year = int(first.group(1)), int(first.group(2))
    else:
        second = _QUARTER_PATTERNS[1].match(text)
        if not second:
            return (0, 0, text)
        year, q = int(second.group(1)), int(second.group(2))
    if year < 100:
        year += 2000
    return (year, q, text)
