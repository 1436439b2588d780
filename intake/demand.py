"""Each idea's demand counts (signals, organizations, source kinds), stored on the idea.

Lists show and sort by these columns at any size: they are written when an idea's signals
change (the `signal.*` and `idea.merged`/`idea.unmerged` events, config/events.py), never
counted over the signals while a page is drawn.
"""

from collections.abc import Iterable

from django.db import connection, transaction


def _in(column: str, idea_ids: list[int] | None) -> tuple[str, list]:
    if idea_ids is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(idea_ids))})", idea_ids


def _recount(idea_ids: list[int] | None) -> None:
    ideas, params = _in("id", idea_ids)
    signals, signal_params = _in("idea_id", idea_ids)
    # Only placeholders are interpolated (noqa below). Ideas whose last signal left have no
    # group in the second statement: zero them first. Rows already at zero are not rewritten.
    zero = (
        "UPDATE intake_idea SET signal_count = 0, organization_count = 0, source_kind_count = 0"  # noqa: S608
        " WHERE signal_count + organization_count + source_kind_count > 0" + ideas
    )
    count = (
        "UPDATE intake_idea SET signal_count = c.signals, organization_count = c.orgs, "  # noqa: S608
        "source_kind_count = c.kinds FROM (SELECT idea_id, COUNT(*) AS signals, "
        "COUNT(DISTINCT organization_id) AS orgs, COUNT(DISTINCT source) AS kinds "
        "FROM intake_signal WHERE idea_id IS NOT NULL" + signals + " GROUP BY idea_id) c "
        "WHERE intake_idea.id = c.idea_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(zero, params)
        cursor.execute(count, signal_params)


BATCH = 5000  # ideas per statement: well under SQLite's limit of bound parameters


@transaction.atomic
def recount(*, idea_ids: Iterable[int | None]) -> int:
    """Store the demand counts of these ideas from their signals; returns how many ideas.

    Set-based (two statements per batch, whatever the number of signals) and safe to repeat.
    """
    ids = sorted({int(i) for i in idea_ids if i is not None})
    for start in range(0, len(ids), BATCH):
        _recount(ids[start : start + BATCH])
    return len(ids)


@transaction.atomic
def recount_all() -> None:
    """Store every idea's demand counts: after loading signals in bulk (demo, imports)."""
    _recount(None)
