"""Importing a quarterly plan into roadmap items, and exporting it back.

The import is all or nothing by default and idempotent: a row updates the roadmap item with its
key (or, without one, the item with its name in its quarter) and saves only what changed.
"""

import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import DatabaseError, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Lower, Upper
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from intake.models import Team
from intake.roles import PM
from roadmap import services as roadmap_services
from roadmap.models import RoadmapItem

from . import csv_plan
from .csv_plan import EXPORT_HEADERS, ParsedPlan, PlanError, PlanRow
from .models import PlanEntry, PlanImport
from .vocabulary import collapse, normalize_quarter, parse_commitment

logger = logging.getLogger(__name__)

# Teams are few and long-lived: a plan that would create more is a wrong column or a typo storm.
MAX_NEW_TEAMS = 50


@dataclass
class RowOutcome:
    row: int
    action: str  # "create", "update" or "unchanged"
    item: str
    key: str
    quarter: str
    changes: list[str] = field(default_factory=list)  # column names that change


@dataclass
class ImportReport:
    filename: str = ""
    encoding: str = ""
    delimiter: str = ","
    dry_run: bool = False
    skip_invalid: bool = False
    applied: bool = False
    outcomes: list[RowOutcome] = field(default_factory=list)
    errors: list[PlanError] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    new_teams: list[str] = field(default_factory=list)
    new_pms: list[str] = field(default_factory=list)  # "Name (username)"
    quarters: list[str] = field(default_factory=list)
    plan_import_id: int | None = None
    fatal: bool = False  # the file as a whole cannot be imported

    @property
    def ok(self) -> bool:
        """True when the rows can be (or were) imported: no errors, or errors skipped."""
        if self.fatal:
            return False
        return not self.errors or self.skip_invalid

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    def summary(self) -> str:
        verb = "Would import" if not self.applied else "Imported"
        if not self.ok:
            return f"Nothing imported: {len(self.errors)} error(s)."
        text = (
            f"{verb} {len(self.outcomes)} row(s): {self.created} new, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )
        if self.skipped_rows:
            text += f"; skipped {len(self.skipped_rows)} invalid row(s)"
        return text + "."

    def lines(self) -> list[str]:
        """The report as plain text lines, for the command line and the import record."""
        lines = [self.summary()]
        delimiter = csv_plan.DELIMITER_NAMES.get(self.delimiter, self.delimiter)
        if self.encoding:
            lines.append(f"Read as {self.encoding}, {delimiter}-separated.")
        if self.quarters:
            lines.append("Quarter(s): " + ", ".join(self.quarters))
        if self.errors:
            lines.append("Skipped rows:" if self.ok else "Errors:")
            lines.extend(f"  {e}" for e in self.errors)
        if self.unknown_columns:
            lines.append("Unknown columns (ignored): " + ", ".join(self.unknown_columns))
        if self.missing_columns:
            lines.append(
                "Columns not in the file (left as they are): " + ", ".join(self.missing_columns)
            )
        lines.extend(self.warnings)
        if self.new_teams:
            lines.append("New teams: " + ", ".join(self.new_teams))
        if self.new_pms:
            lines.append(
                "New PM users (PM group, no password, not staff: give them access in the admin): "
                + ", ".join(self.new_pms)
            )
        for outcome in self.outcomes:
            if outcome.action == "create":
                lines.append(f"  row {outcome.row}: new: {outcome.item}")
            elif outcome.action == "update":
                changed = ", ".join(outcome.changes)
                lines.append(f"  row {outcome.row}: update {outcome.item}: {changed}")
        return lines


def _full_name(user: User) -> str:
    return collapse(f"{user.first_name} {user.last_name}")


def resolve_pms(names: list[str]) -> dict[str, User]:
    """Users for PM names: by full name, then username, then e-mail, case-insensitively.

    Keys are the casefolded names. Several users with one full name: PMs first, then the oldest.
    """
    written = {collapse(n) for n in names if collapse(n)}
    wanted = {n.casefold() for n in written}
    if not wanted:
        return {}
    # "Nair, Priya" is also tried as "Priya Nair".
    swapped = {name: _swap_comma(name) for name in wanted}
    variants = written | {n.lower() for n in written} | wanted | set(filter(None, swapped.values()))
    # The database lowers only ASCII on SQLite, so the comparison itself happens in Python;
    # the query narrows the candidates, and always includes the PM group (where new PMs go).
    users = list(
        User.objects.annotate(
            full=Concat("first_name", Value(" "), "last_name"),
            lfull=Lower(Concat("first_name", Value(" "), "last_name")),
            uname=Lower("username"),
            mail=Lower("email"),
        )
        .filter(
            Q(lfull__in=variants)
            | Q(uname__in=variants)
            | Q(mail__in=variants)
            | Q(full__in=variants)
            | Q(username__in=variants)
            | Q(groups__name=PM)
        )
        .distinct()
        .prefetch_related("groups")
        .order_by("pk")
    )
    for user in users:
        user.uname, user.mail = user.username, user.email

    def rank(user: User) -> tuple[int, int]:
        return (0 if any(g.name == PM for g in user.groups.all()) else 1, user.pk)

    found: dict[str, User] = {}
    for name in wanted:
        for attribute, candidate in (
            ("full", name),
            ("full", swapped[name]),
            ("uname", name),
            ("mail", name),
        ):
            if not candidate:
                continue
            matches = [u for u in users if collapse(getattr(u, attribute)).casefold() == candidate]
            if matches:
                found[name] = min(matches, key=rank)
                break
    return found


def _swap_comma(name: str) -> str:
    """ "Nair, Priya" -> "Priya Nair"; "" when the name has no single comma."""
    last, comma, first = name.partition(",")
    if not comma or "," in first or not first.strip() or not last.strip():
        return ""
    return collapse(f"{first} {last}")


def _new_username(name: str, taken: set[str]) -> str:
    base = slugify(name, allow_unicode=True).replace("-", ".")[:140] or "pm"
    username, n = base, 1
    while username.casefold() in taken or User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}{n}"
    taken.add(username.casefold())
    return username


def written_pm_name(entry_name: str, user: User | None) -> str:
    """The PM's name as the plan wrote it, while it still names the item's PM."""
    if user is None:
        return ""
    name = collapse(entry_name).casefold()
    names = {_full_name(user).casefold(), user.username.casefold(), user.email.casefold()}
    if name and (name in names or _swap_comma(name) in names):
        return collapse(entry_name)
    return _full_name(user) or user.username


@dataclass
class _Target:
    """What one valid row will do: the existing item (or None) and the values to set."""

    row: PlanRow
    item: RoadmapItem | None
    values: dict = field(default_factory=dict)  # RoadmapItem field -> value (team/pm by name)
    dependencies: list[str] | None = None
    entry: dict = field(default_factory=dict)


def _existing_items(rows: list[PlanRow]) -> list[RoadmapItem]:
    keys = {r.key for r in rows if r.key}
    keys |= {k.casefold() for k in keys} | {k.upper() for k in keys}
    quarters = {r.quarter for r in rows if r.quarter}
    return list(
        RoadmapItem.objects.annotate(lkey=Lower("key"), uquarter=Upper("quarter"))
        .filter(Q(lkey__in=keys) | Q(key__in=keys) | Q(uquarter__in=quarters))
        .select_related("team", "pm", "plan_entry")
        .prefetch_related("dependent_teams")
        .order_by("pk")
    )


def _entry_of(item: RoadmapItem) -> PlanEntry | None:
    try:
        return item.plan_entry
    except PlanEntry.DoesNotExist:
        return None


def _match(rows: list[PlanRow], items: list[RoadmapItem], headers: dict[str, str]) -> list:
    """Pair each row with the item it updates (or None to create); errors for ambiguity."""
    by_key = {i.key.casefold(): i for i in items if i.key}
    by_name: dict[tuple[str, str], list[RoadmapItem]] = {}
    for item in items:
        name = (collapse(item.title).casefold(), normalize_quarter(item.quarter))
        by_name.setdefault(name, []).append(item)

    def _header(column: str) -> str:
        return headers.get(column, EXPORT_HEADERS[column])

    claimed: dict[int, int] = {}  # item pk -> row number
    seen: dict[str, int] = {}  # the row's identity in the file -> row number
    pairs = []
    for row in rows:
        identity = (
            f"key:{row.key.casefold()}" if row.key else f"name:{row.item.casefold()}|{row.quarter}"
        )
        if identity in seen:
            what = f'key "{row.key}"' if row.key else f'item "{row.item}" in {row.quarter}'
            column = "key" if row.key else "item"
            row.errors.append(
                PlanError(row.number, _header(column), f"Same {what} as row {seen[identity]}.")
            )
            continue
        seen[identity] = row.number
        item = by_key.get(row.key.casefold()) if row.key else None
        if item is None:
            candidates = by_name.get((row.item.casefold(), row.quarter), [])
            if row.key:
                candidates = [c for c in candidates if not c.key]
            if len(candidates) > 1:
                row.errors.append(
                    PlanError(
                        row.number,
                        _header("item"),
                        f'{len(candidates)} roadmap items are named "{row.item}" in '
                        f"{row.quarter}: give this row a key.",
                    )
                )
                continue
            item = candidates[0] if candidates else None
        if item is None and not (row.item and row.quarter):
            # A row naming only a key must update an existing item.
            column = "item" if not row.item else "quarter"
            what = "item name" if not row.item else "quarter"
            row.errors.append(
                PlanError(
                    row.number,
                    _header(column),
                    f'The {what} is empty and no roadmap item has the key "{row.key}".',
                )
            )
            continue
        if item is not None and item.pk in claimed:
            row.errors.append(
                PlanError(
                    row.number,
                    _header("item"),
                    f"Updates the same roadmap item as row {claimed[item.pk]}.",
                )
            )
            continue
        if item is not None:
            claimed[item.pk] = row.number
        pairs.append((row, item))
    return pairs


def _desired(row: PlanRow, item: RoadmapItem | None, teams: dict, pms: dict) -> _Target:
    """The values a row sets; columns missing from the file leave the item as it is."""
    target = _Target(row=row, item=item)
    present = row.present
    values = target.values
    if row.item:
        values["title"] = row.item
    if "team" in present:
        values["team"] = teams.get(row.team.casefold()) if row.team else None
    if "pm" in present:
        values["pm"] = pms.get(row.pm.casefold()) if row.pm else None
        target.entry["pm_name"] = row.pm
    if "priority" in present:
        values["priority"] = row.priority
    if "stage" in present:
        values["stage"] = row.stage
    if "commitment" in present:
        values["committed"] = row.committed
        target.entry["commitment"] = row.commitment
    for doc in ("problem_doc", "one_pager", "project_doc"):
        if doc in present:
            values[doc] = getattr(row, doc)
    if row.quarter:
        values["quarter"] = row.quarter
    if row.key:
        values["key"] = row.key
    if "dependencies" in present:
        target.dependencies = row.dependencies
    return target


_COLUMN_OF_FIELD = {
    "title": "item",
    "team": "team",
    "pm": "pm",
    "priority": "priority",
    "stage": "stage",
    "committed": "commitment",
    "problem_doc": "problem_doc",
    "one_pager": "one_pager",
    "project_doc": "project_doc",
    "quarter": "quarter",
    "key": "key",
}


def _changes(target: _Target, headers: dict[str, str]) -> list[str]:
    """The columns (as the file names them) whose values differ from the item's."""

    def _header(column: str) -> str:
        return headers.get(column, EXPORT_HEADERS[column])

    item = target.item
    if item is None:
        return []
    changed = []
    for name, wanted in target.values.items():
        current = getattr(item, name)
        if name in ("team", "pm"):
            if isinstance(wanted, str) or getattr(current, "pk", None) != getattr(
                wanted, "pk", None
            ):
                changed.append(_header(_COLUMN_OF_FIELD[name]))
        elif current != wanted:
            changed.append(_header(_COLUMN_OF_FIELD[name]))
    if target.dependencies is not None:
        current = {t.name.casefold() for t in item.dependent_teams.all()}
        if current != {d.casefold() for d in target.dependencies}:
            changed.append(_header("dependencies"))
    # The words as written matter only where an export would write something else.
    written = _written_words(item)
    for name, wanted in target.entry.items():
        if written[name] != wanted:
            column = _header("pm" if name == "pm_name" else "commitment")
            if column not in changed:
                changed.append(column + " (as written)")
    return changed


def _differs(current, wanted) -> bool:
    """Teams and users compare by primary key."""
    if hasattr(current, "pk") or hasattr(wanted, "pk"):
        return getattr(current, "pk", None) != getattr(wanted, "pk", None)
    return current != wanted


def _written_words(item: RoadmapItem) -> dict[str, str]:
    """The PM and commitment as an export writes them for the item."""
    entry = _entry_of(item)
    commitment = entry.commitment if entry else ""
    if parse_commitment(commitment) is not item.committed:
        commitment = "Committed" if item.committed else "Uncommitted"
    return {
        "pm_name": written_pm_name(entry.pm_name if entry else "", item.pm),
        "commitment": commitment,
    }


_AND = re.compile(r"\s*&\s*|\s+and\s+|\s*\+\s*", re.IGNORECASE)


def _split_known(names: list[str], known: dict, *, owner: str) -> list[str]:
    """ "Client & Platform" names two known teams, unless a team has that very name."""
    result: list[str] = []
    for name in names:
        parts = [p for p in _AND.split(name) if p]
        if (
            name.casefold() not in known
            and len(parts) > 1
            and all(p.casefold() in known for p in parts)
        ):
            result.extend(parts)
        else:
            result.append(name)
    seen, unique = {owner.casefold()}, []
    for name in result:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            unique.append(name)
    return unique


def import_plan(
    *,
    data: bytes,
    filename: str = "",
    quarter: str = "",
    dry_run: bool = False,
    skip_invalid: bool = False,
    user: User | None = None,
    plan_import: PlanImport | None = None,
) -> ImportReport:
    """Import a plan file into roadmap items and return what happened (or would happen).

    Guarantees: with any error and without `skip_invalid`, nothing is written and every error is
    listed by row and column; with `skip_invalid`, the valid rows are imported and the invalid
    ones listed. All writes happen in one transaction. A row that matches an item and changes
    nothing saves nothing, so importing the same file twice changes nothing. PMs are matched to
    users by full name, then username, then e-mail; a PM named in the plan without a user gets
    a new PM-group user with an unusable password. Teams are matched by name; unknown teams are
    created. Both are listed in the report.
    """
    max_bytes = settings.PLANNING_MAX_IMPORT_BYTES
    report = ImportReport(filename=filename, dry_run=dry_run, skip_invalid=skip_invalid)
    if len(data) > max_bytes:
        report.errors.append(
            PlanError(None, "", f"The file is larger than {max_bytes / 1_000_000:g} MB.")
        )
        report.fatal = True
        return report
    parsed: ParsedPlan = csv_plan.parse_plan(
        data, default_quarter=quarter, max_rows=settings.PLANNING_MAX_IMPORT_ROWS
    )
    report.encoding, report.delimiter = parsed.encoding, parsed.delimiter
    report.unknown_columns = parsed.unknown_columns
    report.missing_columns = parsed.missing_columns
    report.warnings = parsed.warnings
    report.errors = list(parsed.errors)
    if parsed.errors:
        report.fatal = True
        return report

    rows = [r for r in parsed.rows if not r.errors]
    pairs = _match(rows, _existing_items(rows), parsed.headers)
    # Errors from parsing first, then from matching, all in row order.
    invalid = [r for r in parsed.rows if r.errors]
    for row in invalid:
        report.errors.extend(row.errors)
    report.errors.sort(key=lambda e: e.row or 0)
    report.skipped_rows = sorted({r.number for r in invalid})
    if report.errors and not skip_invalid:
        report.outcomes = []
        return report

    valid_rows = [row for row, _ in pairs]
    known_teams = {collapse(t.name).casefold(): t for t in Team.objects.order_by("pk")}
    team_names = {}
    for row in valid_rows:
        row.dependencies = _split_known(row.dependencies, known_teams, owner=row.team)
        for name in ([row.team] if row.team else []) + row.dependencies:
            team_names.setdefault(name.casefold(), name)
    teams = {k: known_teams.get(k, name) for k, name in team_names.items()}
    report.new_teams = sorted(name for k, name in team_names.items() if k not in known_teams)
    if len(report.new_teams) > MAX_NEW_TEAMS:
        shown = ", ".join(report.new_teams[:MAX_NEW_TEAMS])
        more = len(report.new_teams) - MAX_NEW_TEAMS
        report.errors.append(
            PlanError(
                None,
                "",
                f"The plan names {len(report.new_teams)} new teams; one import creates at most "
                f"{MAX_NEW_TEAMS}. Check the Team and Dependencies columns, or create the teams "
                f"in the admin first. New teams: {shown} and {more} more.",
            )
        )
        report.new_teams = []
        report.fatal = True
        return report

    pm_names = {row.pm.casefold(): row.pm for row in valid_rows if row.pm}
    pms: dict[str, User | str] = dict(resolve_pms(list(pm_names.values())))
    taken: set[str] = set()
    new_pm_users: dict[str, str] = {}
    for key, name in sorted(pm_names.items()):
        if key not in pms:
            username = _new_username(name, taken)
            new_pm_users[key] = username
            pms[key] = name
            report.new_pms.append(f"{name} ({username})")

    targets = []
    for row, item in pairs:
        target = _desired(row, item, teams, pms)
        changes = _changes(target, parsed.headers)
        action = "create" if item is None else ("update" if changes else "unchanged")
        report.outcomes.append(
            RowOutcome(
                row.number,
                action,
                row.item or item.title,
                row.key,
                row.quarter or item.quarter,
                changes,
            )
        )
        targets.append((target, action))
    report.quarters = sorted({o.quarter for o in report.outcomes if o.quarter})

    if dry_run:
        return report
    try:
        with transaction.atomic():
            _apply(
                targets=targets,
                report=report,
                teams=teams,
                pms=pms,
                new_pm_users=new_pm_users,
                user=user,
                plan_import=plan_import,
                filename=filename,
                quarter=quarter,
                data=data,
            )
    except DatabaseError:
        # Checked rows should never get here (a race on a key, a locked database): say so.
        logger.exception("Plan import %r failed in the database", filename)
        # The database's own words (constraint names, SQL) are for the log, not the page.
        report.errors.append(
            PlanError(
                None,
                "",
                "The database refused the import, nothing was saved. The server log has the "
                "details.",
            )
        )
        report.applied = False
        report.fatal = True
        report.outcomes = []
    return report


def _apply(
    *, targets, report: ImportReport, teams, pms, new_pm_users, user, plan_import, filename,
    quarter, data,
) -> None:  # fmt: skip
    created_teams = {}
    for key, team in teams.items():
        if isinstance(team, str):
            created_teams[key] = Team.objects.get_or_create(name=team)[0]
    teams.update(created_teams)
    pm_group = Group.objects.get_or_create(name=PM)[0]
    for key, username in new_pm_users.items():
        name = _swap_comma(pms[key]) or pms[key]
        first, _, last = name.partition(" ")
        new_user = User(username=username, first_name=first[:150], last_name=last[:150])
        new_user.set_unusable_password()
        new_user.save()
        new_user.groups.add(pm_group)
        pms[key] = new_user

    if plan_import is None:
        plan_import = PlanImport(
            filename=filename[:255],
            quarter=normalize_quarter(quarter),
            skip_invalid=report.skip_invalid,
            content=data,
            uploaded_by=user,
        )
    report.applied = True
    plan_import.status = PlanImport.Status.APPLIED
    plan_import.applied_at = timezone.now()
    plan_import.created, plan_import.updated = report.created, report.updated
    plan_import.unchanged, plan_import.skipped = report.unchanged, len(report.skipped_rows)
    plan_import.report = "\n".join(report.lines())
    plan_import.save()
    report.plan_import_id = plan_import.pk

    new_items: list[RoadmapItem] = []
    new_targets: list[_Target] = []
    for target, action in targets:
        if action == "unchanged":
            continue
        values = dict(target.values)
        if values.get("team") is not None:
            values["team"] = teams[target.row.team.casefold()]
        if values.get("pm") is not None:
            values["pm"] = pms[target.row.pm.casefold()]
        if target.item is None:
            new_items.append(roadmap_services.stamp_item(RoadmapItem(**values)))
            new_targets.append(target)
            continue
        item = target.item
        previous_stage, previous_horizon = item.stage, item.horizon
        dirty = [name for name, value in values.items() if _differs(getattr(item, name), value)]
        if dirty:  # not when only the plan's wording of the PM or commitment changed
            for name in dirty:
                setattr(item, name, values[name])
            roadmap_services.stamp_item(item)
            item.save()
        if target.dependencies is not None:
            wanted = [teams[d.casefold()] for d in target.dependencies]
            if {t.pk for t in item.dependent_teams.all()} != {t.pk for t in wanted}:
                item.dependent_teams.set(wanted)
        if dirty:
            # As when a PM saves the item in the admin: its ideas, webhooks and caches follow.
            roadmap_services.item_changed(
                item=item, previous_stage=previous_stage, previous_horizon=previous_horizon
            )
        entry = _entry_of(item) or PlanEntry(item=item)
        for name, value in target.entry.items():
            setattr(entry, name, value)
        entry.last_import = plan_import
        entry.save()

    if not new_items:
        return
    # New items in bulk (with their history rows): a plan of thousands imports in seconds.
    created = bulk_create_with_history(new_items, RoadmapItem, batch_size=500, default_user=user)
    Through = RoadmapItem.dependent_teams.through
    links, entries = [], []
    for item, target in zip(created, new_targets, strict=True):
        for name in target.dependencies or []:
            links.append(Through(roadmapitem_id=item.pk, team_id=teams[name.casefold()].pk))
        entries.append(PlanEntry(item=item, last_import=plan_import, **target.entry))
    Through.objects.bulk_create(links, batch_size=1000)
    PlanEntry.objects.bulk_create(entries, batch_size=1000)
    # bulk_create sends no post_save; new items start internal, but say so explicitly.
    roadmap_services.invalidate_public_roadmap()


def preview_upload(*, data: bytes, filename: str, quarter: str, skip_invalid: bool, user: User):
    """Keep an uploaded plan for confirmation and say what importing it would do."""
    report = import_plan(
        data=data, filename=filename, quarter=quarter, skip_invalid=skip_invalid, dry_run=True
    )
    plan_import = None
    if report.ok:
        # One pending preview per user: an abandoned one is replaced, not kept.
        PlanImport.objects.filter(uploaded_by=user, status=PlanImport.Status.PREVIEWED).delete()
        plan_import = PlanImport.objects.create(
            filename=filename[:255],
            quarter=normalize_quarter(quarter),
            skip_invalid=skip_invalid,
            content=data,
            uploaded_by=user,
            report="\n".join(report.lines()),
        )
    return report, plan_import


def confirm_upload(*, plan_import: PlanImport, user: User) -> ImportReport:
    """Import a previewed upload: the same bytes, checked again against today's roadmap."""
    return import_plan(
        data=bytes(plan_import.content),
        filename=plan_import.filename,
        quarter=plan_import.quarter,
        skip_invalid=plan_import.skip_invalid,
        user=user,
        plan_import=plan_import,
    )


def plan_rows(items) -> list[dict[str, str]]:
    """Roadmap items as plan rows (canonical column -> text), ready for `csv_plan.write_plan`.

    The PM and commitment are written as the plan wrote them while they still hold, so that
    importing an export changes nothing.
    """
    stage_labels = dict(RoadmapItem.Stage.choices)
    rows = []
    for item in items:
        written = _written_words(item)
        rows.append(
            {
                "item": item.title,
                "team": item.team.name if item.team else "",
                "pm": written["pm_name"],
                "priority": item.priority,
                "stage": str(stage_labels.get(item.stage, item.stage)),
                "commitment": written["commitment"],
                "problem_doc": item.problem_doc,
                "one_pager": item.one_pager,
                "project_doc": item.project_doc,
                "dependencies": "; ".join(
                    sorted((t.name for t in item.dependent_teams.all()), key=str.casefold)
                ),
                "quarter": item.quarter,
                "key": item.key,
            }
        )
    return rows


def export_queryset(*, quarter: str = ""):
    """The roadmap items of a plan export: one quarter, or every item that has a quarter."""
    items = RoadmapItem.objects.exclude(quarter="")
    if quarter:
        items = items.annotate(uquarter=Upper("quarter")).filter(
            uquarter=normalize_quarter(quarter)
        )
    return with_plan_columns(items)


def with_plan_columns(items):
    return items.select_related("team", "pm", "plan_entry").prefetch_related("dependent_teams")


def export_plan(stream, *, items, delimiter: str = ",") -> int:
    """Write items as a plan CSV to a text stream; returns the number of rows."""
    rows = plan_rows(items)
    csv_plan.write_plan(rows, stream, delimiter=delimiter)
    return len(rows)
