"""Planning health: load per PM, paperwork, stages and cross-team coupling for one quarter.

Three queries whatever the plan's size: the quarters, the quarter's items (one row each, with
team, PM and what the plan wrote), and the teams they depend on. Doc cells are free text
("Done", a link, "TBD"), so whether a doc exists is decided in Python by `vocabulary.doc_state`.
"""

from dataclasses import dataclass
from itertools import combinations

from django.conf import settings
from django.db.models import Count, Subquery
from django.db.models.functions import Upper

from roadmap.models import RoadmapItem

from .vocabulary import (
    DOC_FIELDS,
    DOC_PRESENT,
    collapse,
    doc_state,
    normalize_quarter,
    quarter_sort_key,
    required_docs,
)

NO_PM = "(no PM)"
NO_TEAM = "(no team)"


@dataclass(frozen=True)
class Thresholds:
    max_items_per_pm: int
    min_doc_completion: float  # 0 to 1

    @classmethod
    def from_settings(cls) -> "Thresholds":
        return cls(
            max_items_per_pm=settings.PLANNING_MAX_ITEMS_PER_PM,
            min_doc_completion=settings.PLANNING_MIN_DOC_COMPLETION,
        )


def quarters() -> list[str]:
    """Every quarter that has roadmap items, latest first."""
    labels = (
        RoadmapItem.objects.exclude(quarter="")
        .annotate(uquarter=Upper("quarter"))
        .values_list("uquarter", flat=True)
        .distinct()
    )
    unique = {normalize_quarter(q) for q in labels}
    return sorted(unique, key=quarter_sort_key, reverse=True)


def default_quarter(known: list[str]) -> str:
    """The quarter of the plan imported last; without imports, the latest quarter."""
    from .models import PlanEntry, PlanImport

    last_import = (
        PlanImport.objects.filter(status=PlanImport.Status.APPLIED, entries__isnull=False)
        .order_by("-applied_at", "-pk")
        .values("pk")[:1]
    )
    # The quarter most of that import's rows are in.
    latest = (
        PlanEntry.objects.filter(last_import=Subquery(last_import))
        .exclude(item__quarter="")
        .values("item__quarter")
        .annotate(n=Count("pk"))
        .order_by("-n", "item__quarter")
        .values_list("item__quarter", flat=True)
        .first()
    )
    if latest and normalize_quarter(latest) in known:
        return normalize_quarter(latest)
    return known[0] if known else ""


def _pm_name(row: dict) -> str:
    """The PM's name as the plan wrote it, while it still names the item's PM."""
    if row["pm_id"] is None:
        return NO_PM
    full = collapse(f"{row['pm__first_name']} {row['pm__last_name']}")
    written = collapse(row["plan_entry__pm_name"] or "")
    if written and written.casefold() in {
        full.casefold(),
        row["pm__username"].casefold(),
        (row["pm__email"] or "").casefold(),
    }:
        return written
    return full or row["pm__username"]


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 2) if whole else 0.0


def planning_health(*, quarter: str, thresholds: Thresholds | None = None) -> dict:
    """The quarter's planning figures, in the shape `planning_health --json` prints.

    `pms`: items, committed items, doc completion (the share of the docs their items require
    that exist, 0 to 1) and items without any doc, per PM as the plan names them. `teams`: items
    owned, and of those the ones that touch another team. `stages`: counts per stage.
    `coupling.matrix[a][b]`: items that involve both team a and team b (as owner or dependency);
    `avg_teams_per_item`: owner plus dependencies, averaged over items. `flags`: PMs over the
    item load or under the doc completion thresholds.
    """
    thresholds = thresholds or Thresholds.from_settings()
    quarter = normalize_quarter(quarter)
    items = list(
        RoadmapItem.objects.annotate(uquarter=Upper("quarter"))
        .filter(uquarter=quarter)
        .order_by("pk")
        .values(
            "pk",
            "title",
            "stage",
            "committed",
            "team_id",
            "team__name",
            "pm_id",
            "pm__first_name",
            "pm__last_name",
            "pm__username",
            "pm__email",
            "plan_entry__pm_name",
            *DOC_FIELDS,
        )
    )
    dependencies: dict[int, dict[int, str]] = {}
    if items:
        through = RoadmapItem.dependent_teams.through
        for item_id, team_id, name in (
            through.objects.annotate(uquarter=Upper("roadmapitem__quarter"))
            .filter(uquarter=quarter)
            .values_list("roadmapitem_id", "team_id", "team__name")
        ):
            dependencies.setdefault(item_id, {})[team_id] = name

    pms: dict[object, dict] = {}
    pm_names: dict[object, dict[str, int]] = {}
    teams: dict[str, dict] = {}
    stage_counts = {str(label): 0 for _, label in RoadmapItem.Stage.choices}
    stage_labels = dict(RoadmapItem.Stage.choices)
    team_order: list[str] = []
    matrix_counts: dict[tuple[str, str], int] = {}
    team_total = 0

    def team_row(name: str) -> dict:
        if name not in teams:
            teams[name] = {"team": name, "items": 0, "cross_team_items": 0, "dependent_items": 0}
            team_order.append(name)
        return teams[name]

    for row in items:
        pm_key = row["pm_id"]
        name = _pm_name(row)
        pm_names.setdefault(pm_key, {}).setdefault(name, 0)
        pm_names[pm_key][name] += 1
        pm = pms.setdefault(
            pm_key,
            {
                "items": 0,
                "committed": 0,
                "docs_required": 0,
                "docs_present": 0,
                "items_without_docs": 0,
                "username": row["pm__username"],
            },
        )
        states = {doc: doc_state(row[doc] or "") for doc in DOC_FIELDS}
        required = required_docs(stage=row["stage"], committed=row["committed"])
        pm["items"] += 1
        pm["committed"] += int(row["committed"])
        pm["docs_required"] += len(required)
        pm["docs_present"] += sum(1 for doc in required if states[doc] == DOC_PRESENT)
        pm["items_without_docs"] += int(all(s != DOC_PRESENT for s in states.values()))

        stage_counts[str(stage_labels.get(row["stage"], row["stage"]))] += 1

        owner = row["team__name"]
        others = {
            team_id: team_name
            for team_id, team_name in dependencies.get(row["pk"], {}).items()
            if team_id != row["team_id"]
        }
        involved = ([owner] if owner else []) + sorted(others.values(), key=str.casefold)
        team_total += len(involved)
        if owner:
            team_row(owner)["items"] += 1
            team_row(owner)["cross_team_items"] += int(bool(others))
        for dependency in others.values():
            team_row(dependency)["dependent_items"] += 1
        for a, b in combinations(involved, 2):
            matrix_counts[(a, b)] = matrix_counts.get((a, b), 0) + 1
            matrix_counts[(b, a)] = matrix_counts.get((b, a), 0) + 1

    pm_rows = []
    for key, figures in pms.items():
        # One PM written two ways ("Priya", "Priya Nair") is shown the way most rows write it.
        names = pm_names[key]
        display = max(sorted(names), key=lambda n: names[n])
        pm_rows.append(
            {
                "pm": display,
                "items": figures["items"],
                "committed": figures["committed"],
                "doc_completion": _ratio(figures["docs_present"], figures["docs_required"]),
                "items_without_docs": figures["items_without_docs"],
                "docs_required": figures["docs_required"],
                "docs_present": figures["docs_present"],
                "username": figures["username"],
            }
        )
    pm_rows.sort(key=lambda p: (-p["items"], p["pm"].casefold()))

    team_rows = sorted(teams.values(), key=lambda t: (-t["items"], t["team"].casefold()))
    names = sorted(team_order, key=str.casefold)
    matrix = {a: {b: matrix_counts.get((a, b), 0) for b in names if b != a} for a in names}

    flags = []
    for pm in pm_rows:
        if pm["pm"] == NO_PM:
            continue
        if pm["items"] > thresholds.max_items_per_pm:
            flags.append(
                {
                    "pm": pm["pm"],
                    "kind": "overloaded",
                    "value": pm["items"],
                    "threshold": thresholds.max_items_per_pm,
                    "message": f"{pm['pm']} carries {pm['items']} items, more than "
                    f"{thresholds.max_items_per_pm}.",
                }
            )
        if pm["doc_completion"] < thresholds.min_doc_completion:
            flags.append(
                {
                    "pm": pm["pm"],
                    "kind": "low_doc_completion",
                    "value": pm["doc_completion"],
                    "threshold": thresholds.min_doc_completion,
                    "message": f"{pm['pm']} has {pm['doc_completion']:.0%} of the required docs, "
                    f"less than {thresholds.min_doc_completion:.0%}.",
                }
            )

    total = len(items)
    return {
        "quarter": quarter,
        "items": total,
        "pms": pm_rows,
        "teams": team_rows,
        "stages": stage_counts,
        "stage_shares": {label: _ratio(n, total) for label, n in stage_counts.items()},
        "coupling": {
            "matrix": matrix,
            "avg_teams_per_item": _ratio(team_total, total),
            "items_with_three_or_more_teams": sum(
                1
                for row in items
                if (1 if row["team_id"] else 0)
                + len(set(dependencies.get(row["pk"], {})) - {row["team_id"]})
                >= 3
            ),
        },
        "flags": flags,
        "thresholds": {
            "max_items_per_pm": thresholds.max_items_per_pm,
            "min_doc_completion": thresholds.min_doc_completion,
        },
    }
