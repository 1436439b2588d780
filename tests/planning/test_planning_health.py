"""The planning figures on a small plan computed by hand."""

import json

import pytest
from django.core.management import CommandError, call_command

from planning import selectors
from tests.planning.plans import import_rows, row

pytestmark = pytest.mark.django_db

# Required docs: A not started 1, B committed 3, C in development 2, D GA 3, E committed 3.
SMALL_PLAN = [
    row("A", team="Networking", pm="Priya Nair", stage="Not started", problem_doc="Done",
        dependencies="Client"),
    row("B", team="Networking", pm="Priya Nair", stage="Beta", commitment="Committed",
        problem_doc="https://docs.example.com/b", one_pager="Draft",
        dependencies="Client, Platform"),
    row("C", team="Client", pm="Priya Nair", stage="In development", problem_doc="TBD",
        one_pager="N/A"),
    row("D", team="Platform", pm="Marco Rossi", stage="GA", problem_doc="Done",
        one_pager="Done", project_doc="Done", dependencies="Networking"),
    row("E", team="Client", pm="Marco Rossi", stage="POC", commitment="Committed",
        problem_doc="Yes", one_pager="In review"),
    row("F, another quarter", team="Networking", pm="Priya Nair", quarter="Q1 FY27"),
]  # fmt: skip
THRESHOLDS = selectors.Thresholds(max_items_per_pm=2, min_doc_completion=0.5)


@pytest.fixture
def small_plan(plan_people):
    assert import_rows(SMALL_PLAN).applied


def test_per_pm_items_commitments_and_doc_completion(small_plan):
    health = selectors.planning_health(quarter="Q4 FY26", thresholds=THRESHOLDS)
    pms = {p["pm"]: p for p in health["pms"]}
    assert {k: pms["Priya Nair"][k] for k in ("items", "committed", "items_without_docs")} == {
        "items": 3,
        "committed": 1,
        "items_without_docs": 1,
    }
    assert pms["Priya Nair"]["doc_completion"] == 0.33  # 2 of 6
    assert {k: pms["Marco Rossi"][k] for k in ("items", "committed", "items_without_docs")} == {
        "items": 2,
        "committed": 1,
        "items_without_docs": 0,
    }
    assert pms["Marco Rossi"]["doc_completion"] == 0.67  # 4 of 6


def test_per_team_items_and_cross_team_items(small_plan):
    health = selectors.planning_health(quarter="Q4 FY26", thresholds=THRESHOLDS)
    teams = {t["team"]: (t["items"], t["cross_team_items"]) for t in health["teams"]}
    assert teams == {"Networking": (2, 2), "Client": (2, 0), "Platform": (1, 1)}


def test_stage_distribution(small_plan):
    health = selectors.planning_health(quarter="Q4 FY26", thresholds=THRESHOLDS)
    assert health["stages"] == {
        "Not started": 1,
        "In development": 1,
        "POC": 1,
        "Alpha": 0,
        "Beta": 1,
        "GA": 1,
        "Shipped": 0,
    }
    assert health["stage_shares"]["GA"] == 0.2


def test_coupling_matrix_and_average_teams_per_item(small_plan):
    coupling = selectors.planning_health(quarter="Q4 FY26", thresholds=THRESHOLDS)["coupling"]
    assert coupling["matrix"] == {
        "Client": {"Networking": 2, "Platform": 1},
        "Networking": {"Client": 2, "Platform": 2},
        "Platform": {"Client": 1, "Networking": 2},
    }
    assert coupling["avg_teams_per_item"] == 1.8  # 2 + 3 + 1 + 2 + 1 over 5 items
    assert coupling["items_with_three_or_more_teams"] == 1


def test_flags_name_pms_over_the_load_or_under_the_doc_completion(small_plan):
    flags = selectors.planning_health(quarter="Q4 FY26", thresholds=THRESHOLDS)["flags"]
    assert [(f["pm"], f["kind"], f["value"]) for f in flags] == [
        ("Priya Nair", "overloaded", 3),
        ("Priya Nair", "low_doc_completion", 0.33),
    ]
    relaxed = selectors.Thresholds(max_items_per_pm=3, min_doc_completion=0.3)
    assert selectors.planning_health(quarter="Q4 FY26", thresholds=relaxed)["flags"] == []


def test_json_command_prints_the_contract_shape(small_plan, capsys, settings):
    settings.PLANNING_MAX_ITEMS_PER_PM = 2
    call_command("planning_health", "--quarter", "q4 fy26", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["quarter"] == "Q4 FY26"
    assert {"quarter", "pms", "teams", "stages", "coupling", "flags"} <= set(data)
    priya = data["pms"][0]
    assert {"pm", "items", "committed", "doc_completion", "items_without_docs"} <= set(priya)
    assert (priya["pm"], priya["items"], priya["doc_completion"]) == ("Priya Nair", 3, 0.33)
    assert {"team", "items", "cross_team_items"} <= set(data["teams"][0])
    assert data["stages"]["POC"] == 1
    assert set(data["coupling"]) >= {"matrix", "avg_teams_per_item"}
    assert data["flags"][0]["pm"] == "Priya Nair"


def test_json_command_defaults_to_the_quarter_imported_last(small_plan, capsys):
    from roadmap.models import RoadmapItem

    RoadmapItem.objects.create(title="Someday", quarter="Q4 FY29")
    call_command("planning_health", "--json")
    assert json.loads(capsys.readouterr().out)["quarter"] == "Q4 FY26"
    import_rows([row("Next", quarter="Q1 FY27")])
    call_command("planning_health", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["quarter"] == "Q1 FY27"
    assert data["pms"][0]["items"] == 2


def test_without_imports_the_latest_quarter_is_shown(db, capsys):
    from roadmap.models import RoadmapItem

    RoadmapItem.objects.create(title="Now", quarter="Q4 FY26")
    RoadmapItem.objects.create(title="Later", quarter="Q1 FY27")
    call_command("planning_health", "--json")
    assert json.loads(capsys.readouterr().out)["quarter"] == "Q1 FY27"


def test_command_refuses_an_unknown_quarter(small_plan):
    with pytest.raises(CommandError, match="Q4 FY26"):
        call_command("planning_health", "--quarter", "Q9 FY99", "--json")


def test_pm_name_is_shown_as_the_plan_writes_it(plan_people):
    import_rows([row("A", pm="priya"), row("B", pm="priya")])
    health = selectors.planning_health(quarter="Q4 FY26")
    assert [p["pm"] for p in health["pms"]] == ["priya"]


@pytest.mark.parametrize(
    ("cell", "counts"),
    [
        ("https://docs.example.com/x", True),
        ("Done", True),
        ("Approved ✅", True),
        ("Required: www.example.com/doc", True),
        ("In progress (50%)", False),
        ("Draft v2", False),
        ("TBD (due Nov 1)", False),
        ("N/A", False),
        ("No", False),
        ("-", False),
        ("", False),
    ],
)
def test_which_doc_cells_count_as_an_existing_doc(plan_people, cell, counts):
    import_rows([row("A", problem_doc=cell)])
    pm = selectors.planning_health(quarter="Q4 FY26")["pms"][0]
    assert pm["doc_completion"] == (1.0 if counts else 0.0)
