"""Full-text search of Ideas and Signals, as the admin's lists search them, on both databases.

`search_ideas(queryset, text)` and `search_signals(queryset, text)` narrow a queryset to the rows
whose words match what a PM typed, read as a web search engine reads it: words (each must
appear, in any English form: "nodes" finds "node", "failing" finds "fails"), "a quoted phrase",
`or` between two alternatives, `-word` to leave a word out. The last word may be the start of
one ("exit nod" finds "exit nodes"), which the admin's autocomplete of ideas, searching as the
PM types, needs. Nothing typed is an error.

- PostgreSQL: `document @@ websearch_to_tsquery('english', …)` over a table of its own per
  model (`intake_idea_search`, `intake_signal_search`: the row's id and its stored vector,
  `to_tsvector('english', title || ' ' || …)`, with a GIN index), kept by triggers that fire
  only when a searched column is written (why a table of its own: see below).
- SQLite (the embedded default): an FTS5 table per model, with external content (it holds the
  index, not a second copy of the text), kept by triggers on insert, update and delete, and
  queried by `id IN (SELECT rowid … MATCH …)`. The text is parsed here and every term quoted, so
  nothing typed can be an FTS5 operator or a syntax error.

"english" rather than "simple": stemming is what lets "exit nodes" find "exit node", and the
words it leaves out ("the", "for", "to") are in nearly every text, so they only made a search
slower and no narrower. FTS5's porter tokenizer stems the same way, and the SQLite query leaves
out the commonest of those words, so both databases find the same rows for the same words.
"""

import re
from dataclasses import dataclass

from django.db import NotSupportedError, connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from .models import Idea, Signal
from .text import strip_control_characters

CONFIG = "english"


@dataclass(frozen=True)
class Document:
    """What of a model's rows is searched, and the database objects that index it."""

    table: str
    columns: tuple[str, ...]  # the fields' names, which are also their columns' names
    index_name: str  # the GIN index on PostgreSQL

    @property
    def fts_table(self) -> str:
        return f"{self.table}_fts"

    @property
    def trigger_names(self) -> tuple[str, ...]:
        return tuple(f"{self.fts_table}_after_{event}" for event in ("insert", "update", "delete"))

    @property
    def search_table(self) -> str:
        return f"{self.table}_search"

    def postgresql_vector_sql(self, row: str) -> str:
        # What SearchVector(*columns, config=CONFIG) computes, of the trigger's row.
        text = " || ' ' || ".join(f"coalesce({row}.{column}, '')" for column in self.columns)
        return f"to_tsvector('{CONFIG}'::regconfig, {text})"


IDEAS = Document("intake_idea", ("title", "description", "product_area"), "idea_search_idx")
SIGNALS = Document("intake_signal", ("title", "body", "author"), "signal_search_idx")
DOCUMENTS = (IDEAS, SIGNALS)


def search_ideas(queryset: QuerySet[Idea], text: str) -> QuerySet[Idea]:
    """The ideas of `queryset` whose title, description or product area match `text`; the whole
    queryset for blank text. At most one row per idea, in the queryset's own order."""
    text = _clean(text)
    if not text:
        return queryset
    return queryset.filter(_matches(IDEAS, text, vendor=connections[queryset.db].vendor))


def search_signals(queryset: QuerySet[Signal], text: str) -> QuerySet[Signal]:
    """The signals of `queryset` whose title, body or author match `text`, or whose URL, author
    e-mail or external id is `text`; the whole queryset for blank text. At most one row each."""
    text = _clean(text)
    if not text:
        return queryset
    # Full-text search cuts an address or an upstream id into words; pasted whole, it is
    # looked up as it is (each of these columns has an index).
    exact = Q(url=text) | Q(author_email=text) | Q(external_id=text)
    vendor = connections[queryset.db].vendor
    return queryset.filter(_matches(SIGNALS, text, vendor=vendor) | exact)


def _clean(text: str) -> str:
    # PostgreSQL refuses NUL in a query's text; no control character is a word anyway.
    return strip_control_characters(text or "").strip()


# --- What a PM typed ----------------------------------------------------------------------

# Quoted phrases (an unclosed quote runs to the end), else runs of non-space.
_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# The words of a term as FTS5's unicode61 tokenizer cuts them: letters and digits. (It keeps
# diacritics, as PostgreSQL's "english" does: "café" is not "cafe" on either.)
_WORD = re.compile(r"[^\W_]+")
# The commonest of the words PostgreSQL's "english" configuration leaves out of a query: FTS5
# indexes every word, and requiring "the" would miss rows PostgreSQL finds.
_STOP_WORDS = frozenset(
    "a an and are as at be been but by can do does for from had has have he her his i if in "
    "into is it its me my no not of on or our she so such than that the their them then there "
    "these they this those to was we were what when which who will with you your".split()
)


# The text's last term when it is a bare word: no quote, minus or `or` before it.
_LAST_WORD = re.compile(r"(?:^|(\S+)\s+)([^\W_]{3,})$")


def _typed_word_start(text: str) -> int | None:
    """Where the last word of `text` starts, if it may be a word still being typed: a bare word
    (not in quotes, not left out, not an alternative) of three or more letters, not a common one.
    Shorter ones would match too many words to be of use."""
    match = _LAST_WORD.search(text)
    if match is None or text.count('"') % 2 or (match.group(1) or "").lower() == "or":
        return None
    return None if match.group(2).lower() in _STOP_WORDS else match.start(2)


def _matches(document: Document, text: str, *, vendor: str) -> Q:
    if vendor == "postgresql":
        return Q(pk__in=_postgresql_ids(document, text))
    if vendor == "sqlite":
        return _fts5_matches(document, text)
    raise NotSupportedError(f"intake.search has no full-text search for {vendor}")


def _postgresql_ids(document: Document, text: str) -> RawSQL:
    """The ids whose stored vector matches `text`, read as a web search engine reads it."""
    table = document.search_table
    query, params = f"websearch_to_tsquery('{CONFIG}', %s)", [text]
    start = _typed_word_start(text)
    if start is not None:
        # The word is letters and digits only: nothing in it is tsquery syntax.
        query = f"websearch_to_tsquery('{CONFIG}', %s) && to_tsquery('{CONFIG}', %s)"
        params = [text[:start], f"{text[start:]}:*"]
    return RawSQL(f"SELECT id FROM {table} WHERE document @@ ({query})", params)  # noqa: S608, S611


# --- SQLite: FTS5 --------------------------------------------------------------------------
# The names put into SQL below are DOCUMENTS' own; what a person typed is only ever a parameter.


def fts5_query(text: str) -> tuple[str, str]:
    """`text` as two FTS5 queries: what a row must match, and what it must not ("" for none).

    Every term becomes a quoted FTS5 string of its letters and digits, so FTS5 reads none of
    the text as syntax (`"`, `*`, `NEAR(`, `OR`, `^`, `col:` are all plain words or nothing).
    """
    wanted: list[list[str]] = []  # all of these groups, each any of its phrases
    unwanted: list[str] = []
    after_or = False
    for match in _TERM.finditer(text):
        sign, quoted, bare = match.groups()
        if bare is not None:
            if bare.lower() == "or":
                after_or = bool(wanted)
                continue
            sign, bare = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
        words = _WORD.findall(bare if quoted is None else quoted)
        if quoted is None and len(words) == 1 and words[0].lower() in _STOP_WORDS:
            words = []
        if words:
            phrase = '"' + " ".join(words) + '"'
            if sign:
                unwanted.append(phrase)
            elif after_or:
                wanted[-1].append(phrase)
            else:
                wanted.append([phrase])
        after_or = False
    if wanted and _typed_word_start(text) is not None:
        wanted[-1][-1] += "*"  # the last term, a word of its own (see _typed_word_start)
    return " AND ".join(_any_of(group) for group in wanted), _any_of(unwanted)


def _any_of(phrases: list[str]) -> str:
    if len(phrases) <= 1:
        return "".join(phrases)
    return "(" + " OR ".join(phrases) + ")"


def _fts5_matches(document: Document, text: str) -> Q:
    wanted, unwanted = fts5_query(text)
    if not wanted and not unwanted:
        return Q(pk__in=[])  # punctuation or common words only: like PostgreSQL, nothing
    if wanted and unwanted:
        return Q(pk__in=_fts5_rowids(document, f"({wanted}) NOT {unwanted}"))
    if wanted:
        return Q(pk__in=_fts5_rowids(document, wanted))
    return ~Q(pk__in=_fts5_rowids(document, unwanted))


def _fts5_rowids(document: Document, query: str) -> RawSQL:
    table = document.fts_table
    return RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [query])  # noqa: S608, S611


def create_sqlite_tables(schema_editor) -> None:
    """Create each document's FTS5 table and triggers, and index the rows already there."""
    for document in DOCUMENTS:
        columns = ", ".join(document.columns)
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {document.fts_table} USING fts5({columns}, "
            f"content='{document.table}', content_rowid='id', "
            "tokenize='porter unicode61 remove_diacritics 0')",
            params=None,
        )
    restore_sqlite_triggers(schema_editor.connection, force=True)


def drop_sqlite_tables(schema_editor) -> None:
    for document in DOCUMENTS:
        for trigger in document.trigger_names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}", params=None)
        schema_editor.execute(f"DROP TABLE IF EXISTS {document.fts_table}", params=None)


def restore_sqlite_triggers(connection, *, force: bool = False) -> None:
    """Give each FTS5 table its triggers back where they are missing, and index its rows again.

    Runs after every `migrate` (intake's post_migrate): on SQLite, a migration that alters a
    column of ideas or signals rebuilds their table, and a dropped table takes its triggers
    with it, after which the FTS5 table would silently fall behind.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = {name for (name,) in cursor.fetchall()}
        for document in DOCUMENTS:
            if document.fts_table not in existing:
                continue  # migrated back before 0013, or not yet to it
            if not force and set(document.trigger_names) <= existing:
                continue
            for statement in _trigger_sql(document):
                cursor.execute(statement)
            fts = document.fts_table
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608


def _trigger_sql(document: Document) -> list[str]:
    table, fts = document.table, document.fts_table
    columns = ", ".join(document.columns)
    new = ", ".join(f"new.{column}" for column in document.columns)
    old = ", ".join(f"old.{column}" for column in document.columns)
    # An external-content FTS5 table forgets a row when told its old values, exactly.
    add = f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {new});"  # noqa: S608
    forget = f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.id, {old});"  # noqa: S608
    insert, update, delete = document.trigger_names
    return [
        f"CREATE TRIGGER IF NOT EXISTS {insert} AFTER INSERT ON {table} BEGIN {add} END",
        # Only when a searched column is written: updating scores and counts costs nothing here.
        f"CREATE TRIGGER IF NOT EXISTS {update} AFTER UPDATE OF {columns} ON {table} "
        f"BEGIN {forget} {add} END",
        f"CREATE TRIGGER IF NOT EXISTS {delete} AFTER DELETE ON {table} BEGIN {forget} END",
    ]


# --- PostgreSQL: a table of vectors, kept by triggers, and its GIN index ----------------------
# Stored, not an index on the expression: a word in most rows makes the planner scan instead of
# using the index, and the expression then costs a to_tsvector() per row (24 s to count one
# common word over 1,000,000 signals, against 0.5 s over a stored vector). In a table of its
# own, not a generated column: every update of an idea (a policy change rescores all of them,
# and the score is indexed, so none is in place) would write each row's vector and GIN entries
# again (a bare UPDATE of 100,000 ideas took 10.4 s with the column, 4.1 s without). The
# triggers fire only when a searched column is written. No foreign key: Django's test flush
# truncates the models' tables only; a TRUNCATE trigger empties the vectors with them.


def add_postgresql_tables(schema_editor, documents=DOCUMENTS) -> None:
    """Create each document's vector table, its GIN index and triggers; index the rows there."""
    for document in documents:
        table, search = document.table, document.search_table
        columns = ", ".join(document.columns)
        vector = document.postgresql_vector_sql("NEW")
        for statement in (
            f"CREATE TABLE {search} (id bigint PRIMARY KEY, document tsvector NOT NULL)",
            f"INSERT INTO {search} (id, document) "  # noqa: S608
            f"SELECT id, {document.postgresql_vector_sql(table)} FROM {table}",
            f"CREATE INDEX {document.index_name} ON {search} USING gin (document)",
            f"CREATE FUNCTION {search}_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608
            f"INSERT INTO {search} (id, document) VALUES (NEW.id, {vector}) "
            "ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document; RETURN NULL; END $$",
            f"CREATE FUNCTION {search}_forget() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608
            f"DELETE FROM {search} WHERE id = OLD.id; RETURN NULL; END $$",
            f"CREATE FUNCTION {search}_empty() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"TRUNCATE {search}; RETURN NULL; END $$",
            f"CREATE TRIGGER {search}_write AFTER INSERT OR UPDATE OF {columns} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {search}_write()",
            f"CREATE TRIGGER {search}_forget AFTER DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {search}_forget()",
            f"CREATE TRIGGER {search}_empty AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {search}_empty()",
        ):
            schema_editor.execute(statement, params=None)


def drop_postgresql_tables(schema_editor, documents=DOCUMENTS) -> None:
    """Drop each document's triggers, functions and vector table."""
    for document in documents:
        table, search = document.table, document.search_table
        for trigger in ("write", "forget", "empty"):
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {search}_{trigger} ON {table}", params=None
            )
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {search}_{trigger}()", params=None)
        schema_editor.execute(f"DROP TABLE IF EXISTS {search}", params=None)
