"""Plan CSV files as spreadsheets write them: decoding, dialect, headers, cells; and writing back.

No database here: bytes go in, rows of cleaned values (or errors by row and column) come out.
Spreadsheet exports vary, so this reads UTF-8 with or without a BOM, UTF-16, and cp1252; commas,
semicolons, tabs or pipes; quoted cells with newlines; blank lines; title rows above the header;
trailing empty columns; and headers in any case, order and wording a planner might use.
"""

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from intake.text import control_characters_problem

from .vocabulary import (
    collapse,
    normalize_quarter,
    normalize_word,
    parse_commitment,
    parse_priority,
    parse_stage,
)

# Canonical columns, in the order an export writes them.
COLUMNS = (
    "item", "team", "pm", "priority", "stage", "commitment", "problem_doc", "one_pager",
    "project_doc", "dependencies", "quarter", "key",
)  # fmt: skip
EXPORT_HEADERS = {
    "item": "Item",
    "team": "Team",
    "pm": "PM",
    "priority": "Priority",
    "stage": "Stage",
    "commitment": "Commitment",
    "problem_doc": "Problem doc",
    "one_pager": "One-pager",
    "project_doc": "Project doc",
    "dependencies": "Dependencies",
    "quarter": "Quarter",
    "key": "Key",
}

HEADER_SYNONYMS = {
    "item": [
        "item", "items", "item name", "title", "name", "initiative", "project", "project name",
        "feature", "epic", "roadmap item", "plan item", "summary", "deliverable", "work item",
    ],
    "team": [
        "team", "owning team", "owner team", "team owner", "squad", "primary team", "lead team",
        "eng team", "engineering team", "responsible team",
    ],
    "pm": [
        "pm", "owner pm", "pm owner", "product manager", "owner", "dri", "product owner",
        "responsible pm", "assigned pm", "pm assigned", "lead pm", "owning pm",
    ],
    "priority": ["priority", "prio", "pri", "p level", "priority level"],
    "stage": [
        "stage", "status", "phase", "maturity", "release stage", "current stage", "item status",
        "delivery stage", "launch stage", "progress",
    ],
    "commitment": [
        "commitment", "commitment status", "committed", "commit", "commit status",
        "commitment level", "commitments", "is committed", "plan status", "planning status",
    ],
    "problem_doc": [
        "problem doc", "problem document", "problem statement", "problem", "problem docs",
        "problem statement doc", "problem brief", "problem definition",
    ],
    "one_pager": [
        "one pager", "onepager", "one pagers", "1 pager", "1pager", "one page", "one page doc",
        "one pager doc", "pitch", "brief",
    ],
    "project_doc": [
        "project doc", "project document", "project docs", "project plan", "design doc",
        "tech spec", "technical spec", "spec", "technical design", "prd", "project brief",
    ],
    "dependencies": [
        "dependencies", "dependency", "dependent teams", "depends on", "depends on teams",
        "teams the item depends on", "deps", "other teams", "cross team dependencies",
        "team dependencies", "dependent on", "teams involved", "involved teams",
        "supporting teams", "cross team", "teams depended on", "depending teams",
        "other teams involved", "impacted teams", "teams impacted", "dependent on teams",
        "teams it depends on", "depends on team", "blocked by teams", "dependency teams",
    ],
    "quarter": ["quarter", "qtr", "planning quarter", "target quarter", "fiscal quarter", "q"],
    "key": [
        "key", "id", "item key", "item id", "ref", "reference", "jira key", "jira", "issue key",
        "ticket", "plan key", "plan id", "uid",
    ],
}  # fmt: skip
_FIELD_BY_HEADER = {syn: f for f, syns in HEADER_SYNONYMS.items() for syn in syns}
# Words a header may end with that say nothing about the column: "One-pager link", "PM name".
_HEADER_NOISE = {"link", "links", "url", "urls", "name", "names", "doc status", "status", "column"}

MAX_LENGTHS = {
    "item": 200,
    "team": 100,
    "pm": 200,
    "commitment": 100,
    "problem_doc": 500,
    "one_pager": 500,
    "project_doc": 500,
    "quarter": 20,
    "key": 100,
}
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# Cells a spreadsheet would run as a formula; neutralised with a leading quote on export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATORS = re.compile(r"[,;/|\n\r\t]+")
EMPTY_LIST_WORDS = {"", "none", "n a", "na", "no", "tbd", "nil"}
# An item touches a handful of teams; more in one cell is a pasted column, not a dependency list.
MAX_DEPENDENCIES = 20
HEADER_SEARCH_ROWS = 10


@dataclass
class PlanError:
    row: int | None  # the spreadsheet row number (the header is usually row 1); None: the file
    column: str  # the column as the file names it
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row is not None else "File"
        return (
            f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass
class PlanRow:
    """One row, cleaned. Only the fields in `present` were in the file."""

    number: int
    present: frozenset[str]
    item: str = ""
    team: str = ""
    pm: str = ""
    priority: str = ""
    stage: str = ""
    commitment: str = ""
    committed: bool = False
    problem_doc: str = ""
    one_pager: str = ""
    project_doc: str = ""
    dependencies: list[str] = field(default_factory=list)
    quarter: str = ""
    key: str = ""
    errors: list[PlanError] = field(default_factory=list)


@dataclass
class ParsedPlan:
    encoding: str = ""
    delimiter: str = ","
    headers: dict[str, str] = field(default_factory=dict)  # field -> header as written
    unknown_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    rows: list[PlanRow] = field(default_factory=list)
    errors: list[PlanError] = field(default_factory=list)  # errors about the whole file
    warnings: list[str] = field(default_factory=list)


class PlanFileError(Exception):
    """The file cannot be read as a plan at all."""


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with: BOMs first, then UTF-8, then cp1252."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise PlanFileError(
                    f"The file starts with a {encoding} byte-order mark but is not valid "
                    f"{encoding} (byte {error.start})."
                ) from error
    head = data[:4096]
    # UTF-16 without a BOM: every other byte of ASCII text is zero.
    if head and head.count(0) > len(head) // 4:
        for encoding in ("utf-16-le", "utf-16-be"):
            zero_at = 1 if encoding == "utf-16-le" else 0
            if head[zero_at::2].count(0) > len(head) // 4:
                try:
                    return data.decode(encoding), encoding
                except UnicodeDecodeError:
                    break
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first non-blank line most often (outside quotes)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    in_quotes = False
    seen_text = False
    for char in text[:65536]:
        if char == '"':
            in_quotes = not in_quotes
        elif in_quotes:
            continue
        elif char in "\r\n":
            if seen_text and any(counts.values()):
                break
            continue
        elif char in counts:
            counts[char] += 1
        if not char.isspace():
            seen_text = True
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties keep the comma (first)
    return best if counts[best] else ","


def choose_delimiter(text: str) -> str:
    """The delimiter under which the header names the most known columns."""
    sample = text[:65536]
    best, best_score = None, 0
    for delimiter in DELIMITERS:
        records = []
        try:
            for cells in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
                if any(clean_cell(c) for c in cells):
                    records.append((0, cells))
                if len(records) >= HEADER_SEARCH_ROWS:
                    break
        except csv.Error:
            continue
        found = _find_header(records)
        if found and len(found[1]) > best_score:
            best, best_score = delimiter, len(found[1])
    return best or sniff_delimiter(text)


def unescape_formula(value: str) -> str:
    """Undo `escape_formula`: drop the quote an export put before formula-like text."""
    if value.startswith("'"):
        rest = value[1:]
        if rest.startswith(FORMULA_STARTS) or (
            rest.startswith("'") and rest.lstrip("'").startswith(FORMULA_STARTS)
        ):
            return rest
    return value


def escape_formula(value: str) -> str:
    """Make a cell inert in spreadsheets: "=cmd|..." is written as "'=cmd|...".

    Values that already start with quotes before formula text get one more, so that
    `unescape_formula(escape_formula(v)) == v` for every value (an export re-imports unchanged).
    """
    if value.startswith(FORMULA_STARTS) or (
        value.startswith("'") and value.lstrip("'").startswith(FORMULA_STARTS)
    ):
        return "'" + value
    return value


# NULs (which PostgreSQL refuses), other control characters (terminal escapes in a report) and
# zero-width characters are dropped; tabs and newlines stay until cells are collapsed.
_INVISIBLE = dict.fromkeys(
    [
        *(c for c in range(32) if c not in (9, 10, 13)),
        *range(127, 160),
        *map(ord, "\ufeff\u200b\u200c\u200d\u2060"),
    ],
    None,
)


def clean_cell(value: str) -> str:
    """Trim (including no-break spaces), drop NULs and zero-width characters, undo escaping."""
    value = value.translate(_INVISIBLE).replace("\u00a0", " ").strip()
    return unescape_formula(value).strip()


def normalize_header(header: str) -> str:
    return normalize_word(header.replace("&", " and "))


def match_header(header: str) -> str | None:
    """The canonical column a header names, or None.

    Tries the header as written, then without parenthesised notes ("Priority (P0-P2)"), then
    each part of a slashed header ("Item / Initiative"); words like "link" or "status" at the
    end ("One-pager link") are ignored.
    """
    header = header.replace("(s)", "s")
    candidates = [header, re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", header), *header.split("/")]
    for candidate in candidates:
        column = _match_words(normalize_header(candidate))
        if column:
            return column
    return None


def _is_exact(header: str, column: str) -> bool:
    """The header is the column's own name ("Stage"), not a synonym ("Status")."""
    return normalize_header(header) in {
        normalize_header(EXPORT_HEADERS[column]),
        HEADER_SYNONYMS[column][0],
    }


def _match_words(word: str) -> str | None:
    while word:
        if word in _FIELD_BY_HEADER:
            return _FIELD_BY_HEADER[word]
        if word.replace(" ", "") in _FIELD_BY_HEADER:
            return _FIELD_BY_HEADER[word.replace(" ", "")]
        for noise in sorted(_HEADER_NOISE, key=len, reverse=True):
            if word.endswith(" " + noise):
                word = word[: -len(noise) - 1]
                break
        else:
            return None
    return None


def split_list(value: str) -> list[str]:
    """A list cell: items separated by commas, semicolons, slashes, pipes or newlines."""
    names, seen = [], set()
    for part in LIST_SEPARATORS.split(value):
        name = collapse(part)
        if normalize_word(name) in EMPTY_LIST_WORDS or name.casefold() in seen:
            continue
        seen.add(name.casefold())
        names.append(name)
    return names


def _find_header(records: list[tuple[int, list[str]]]) -> tuple[int, dict[int, str]] | None:
    """Among the first non-blank records, the one that names the most known columns."""
    best = None
    for index, (_, cells) in enumerate(records[:HEADER_SEARCH_ROWS]):
        mapping = {i: f for i, cell in enumerate(cells) if (f := match_header(clean_cell(cell)))}
        named = set(mapping.values())
        if named & {"item", "key"} and (best is None or len(mapping) > len(best[1])):
            best = (index, mapping)
    return best


def parse_plan(data: bytes, *, default_quarter: str = "", max_rows: int = 5000) -> ParsedPlan:
    """Read a plan file into cleaned rows; every problem is an error with row and column."""
    plan = ParsedPlan()
    try:
        text, plan.encoding = decode(data)
    except PlanFileError as error:
        plan.errors.append(PlanError(None, "", str(error)))
        return plan
    plan.delimiter = choose_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=plan.delimiter)
    records: list[tuple[int, list[str]]] = []  # (spreadsheet row number, cells)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if any(clean_cell(c) for c in cells):
                records.append((number, cells))
                if len(records) > max_rows + HEADER_SEARCH_ROWS:
                    plan.errors.append(
                        PlanError(None, "", f"The file has more than {max_rows} rows.")
                    )
                    return plan
    except csv.Error as error:
        plan.errors.append(
            PlanError(number + 1, "", f"Cannot read this row ({error}); check its quotes.")
        )
        return plan
    if not records:
        plan.errors.append(PlanError(None, "", "The file is empty."))
        return plan

    found = _find_header(records)
    if found is None:
        synonyms = ", ".join(f'"{s}"' for s in HEADER_SYNONYMS["item"][:4])
        plan.errors.append(
            PlanError(
                None, "", f"No header row found: one column must be named {synonyms} (or Key)."
            )
        )
        return plan
    header_index, mapping = found
    header_row, header_cells = records[header_index]
    if header_index:
        plan.warnings.append(f"Ignored {header_index} row(s) above the header (row {header_row}).")

    columns: dict[str, int] = {}
    for index, cell in enumerate(header_cells):
        name = collapse(clean_cell(cell))
        column = mapping.get(index)
        if column is None:
            if name:
                plan.unknown_columns.append(name)
        elif column in columns:
            # Two columns for one field ("Stage" and "Status"): the exact name wins, else the
            # first; the other is ignored and reported.
            first = plan.headers[column]
            if _is_exact(name, column) and not _is_exact(first, column):
                columns[column], plan.headers[column] = index, name
                first, name = name, first
            plan.unknown_columns.append(name)
            plan.warnings.append(
                f'Column "{name}" ignored: "{first}" is the {EXPORT_HEADERS[column]} column.'
            )
        else:
            columns[column] = index
            plan.headers[column] = name
    plan.missing_columns = [EXPORT_HEADERS[c] for c in COLUMNS if c not in columns]
    if plan.errors:
        return plan

    default_quarter = normalize_quarter(default_quarter)
    if len(records) - header_index - 1 > max_rows:
        plan.errors.append(PlanError(None, "", f"The file has more than {max_rows} rows."))
        return plan
    for number, cells in records[header_index + 1 :]:
        values = {
            column: clean_cell(cells[index]) if index < len(cells) else ""
            for column, index in columns.items()
        }
        row = _parse_row(number, values, plan.headers, default_quarter)
        # clean_cell drops control characters, but a cell that held one is damaged (or the
        # file is binary): say so rather than import a silently changed value.
        for column, index in columns.items():
            problem = control_characters_problem(cells[index]) if index < len(cells) else ""
            if problem:
                row.errors.append(PlanError(number, plan.headers[column], problem))
        plan.rows.append(row)
    if not plan.rows:
        plan.errors.append(PlanError(None, "", "The file has a header but no rows."))
    return plan


def _parse_row(
    number: int, values: dict[str, str], headers: dict[str, str], default_quarter: str
) -> PlanRow:
    row = PlanRow(number=number, present=frozenset(values) | {"quarter"})

    def error(column: str, message: str) -> None:
        row.errors.append(PlanError(number, headers.get(column, EXPORT_HEADERS[column]), message))

    for column in ("item", "team", "pm", "key"):
        setattr(row, column, collapse(values.get(column, "")))
    for column in ("problem_doc", "one_pager", "project_doc"):
        setattr(row, column, collapse(values.get(column, "")))
    row.commitment = collapse(values.get("commitment", ""))
    for column, limit in MAX_LENGTHS.items():
        value = getattr(row, column, "") if column != "quarter" else ""  # checked below
        if len(value) > limit:
            error(column, f"Too long: {len(value)} characters, at most {limit}.")

    if re.search(r"[/;|&]| and ", row.pm):
        error("pm", f'Name one PM per item, not "{row.pm[:60]}".')
    if not row.item and not row.key:
        # With a key, an empty name keeps the name of the item with that key (checked later).
        error("item", "The item name is empty.")
    if "priority" in values:
        priority = parse_priority(values["priority"])
        if priority is None:
            error("priority", f'Unknown priority "{values["priority"][:50]}": use P0, P1 or P2.')
        row.priority = priority or ""
    if "stage" in values:
        stage = parse_stage(values["stage"])
        if stage is None:
            error(
                "stage",
                f'Unknown stage "{values["stage"][:50]}": use Not started, In development, '
                "POC, Alpha, Beta, GA or Shipped.",
            )
        row.stage = stage or ""
    if "commitment" in values:
        committed = parse_commitment(row.commitment)
        if committed is None:
            error(
                "commitment",
                f'Unknown commitment status "{row.commitment[:50]}": use Committed or '
                "Uncommitted (Stretch, Proposed and TBD also mean not committed).",
            )
        row.committed = bool(committed)
    if "dependencies" in values:
        row.dependencies = split_list(values["dependencies"])
        if len(row.dependencies) > MAX_DEPENDENCIES:
            error(
                "dependencies",
                f"{len(row.dependencies)} teams named: at most {MAX_DEPENDENCIES} per item.",
            )
        for name in row.dependencies:
            if len(name) > MAX_LENGTHS["team"]:
                error("dependencies", f"A team name is too long: at most {MAX_LENGTHS['team']}.")
                break
        if row.team:
            row.dependencies = [d for d in row.dependencies if d.casefold() != row.team.casefold()]

    quarter = normalize_quarter(values.get("quarter", ""))
    if not quarter:
        quarter = default_quarter
        if not quarter and not row.key:
            error(
                "quarter", "No quarter: fill the Quarter column or give a quarter to import into."
            )
    elif default_quarter and quarter != default_quarter:
        error("quarter", f'The row is for "{quarter}", not the chosen quarter "{default_quarter}".')
    if len(quarter) > MAX_LENGTHS["quarter"]:
        error("quarter", f"The quarter is too long: at most {MAX_LENGTHS['quarter']} characters.")
    row.quarter = quarter
    return row


def write_plan(rows: list[dict[str, str]], stream, *, delimiter: str = ",") -> None:
    """Write plan rows (canonical column -> text) as CSV with the export headers.

    Cells that a spreadsheet would run as a formula are written with a leading quote.
    """
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([EXPORT_HEADERS[c] for c in COLUMNS])
    for row in rows:
        writer.writerow([escape_formula(row.get(c, "")) for c in COLUMNS])
