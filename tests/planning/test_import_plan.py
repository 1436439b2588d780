import pytest

from planning.models import PlanEntry
from roadmap.models import RoadmapItem
from tests.planning.plans import import_rows, plan_bytes, row

pytestmark = pytest.mark.django_db


def test_plan_rows_become_roadmap_items_with_every_column(plan_people):
    report = import_rows(
        [
            row(
                "Relay failover",
                team="networking",
                pm="priya nair",
                priority="P0",
                stage="Beta",
                commitment="Committed",
                problem_doc="https://docs.example.com/relay",
                one_pager="Done",
                project_doc="TBD",
                dependencies="Client; Platform",
                key="PLAN-1",
            )
        ]
    )
    assert report.applied and report.created == 1
    item = RoadmapItem.objects.get()
    assert item.title == "Relay failover"
    assert item.team == plan_people["teams"]["Networking"]
    assert item.pm == plan_people["pms"]["priya"]
    assert (item.priority, item.stage, item.committed) == ("P0", "beta", True)
    assert item.quarter == "Q4 FY26"
    assert item.key == "PLAN-1"
    assert (item.problem_doc, item.one_pager, item.project_doc) == (
        "https://docs.example.com/relay",
        "Done",
        "TBD",
    )
    assert sorted(t.name for t in item.dependent_teams.all()) == ["Client", "Platform"]
    entry = PlanEntry.objects.get(item=item)
    assert (entry.pm_name, entry.commitment) == ("priya nair", "Committed")


def test_shuffled_and_renamed_headers_are_recognised(plan_people):
    header = [
        "  DEPENDENCIES ", "Owner PM", "one pager", "Commitment status", "Title", "Quarter",
        "Problem statement", "Status", "Owning team", "Prio", "Design doc", "Jira key",
    ]  # fmt: skip
    data = plan_bytes(
        [
            [
                "Client / Platform", "Marco Rossi", "Done", "Stretch", "SCIM provisioning",
                "Q4 FY26", "Approved", "In progress", "Platform", "High", "", "PLAN-7",
            ]
        ],
        header=header,
    )  # fmt: skip
    from planning import services

    report = services.import_plan(data=data)
    assert report.errors == []
    assert report.unknown_columns == []
    item = RoadmapItem.objects.get()
    assert item.title == "SCIM provisioning"
    assert item.pm == plan_people["pms"]["marco"]
    assert item.team.name == "Platform"
    assert (item.stage, item.priority, item.committed) == ("in_development", "P0", False)
    assert (item.problem_doc, item.one_pager, item.key) == ("Approved", "Done", "PLAN-7")
    # The owning team is not its own dependency.
    assert [t.name for t in item.dependent_teams.all()] == ["Client"]


def test_unknown_columns_are_reported_not_fatal(plan_people):
    from planning import services

    data = plan_bytes([["Relay failover", "Networking", "Q4 FY26", "42"]],
                      header=["Item", "Team", "Quarter", "Effort (weeks)"])  # fmt: skip
    report = services.import_plan(data=data)
    assert report.applied
    assert report.unknown_columns == ["Effort (weeks)"]
    assert "Key" in report.missing_columns


def test_quarter_option_fills_rows_without_a_quarter(plan_people):
    report = import_rows([row("Relay failover", quarter="")], quarter="q1 fy27")
    assert report.applied
    assert RoadmapItem.objects.get().quarter == "Q1 FY27"


def test_unknown_pm_gets_a_pm_user_without_password_and_is_reported(plan_people):
    report = import_rows([row("Relay failover", pm="Jane  Doe")])
    item = RoadmapItem.objects.get()
    assert (item.pm.first_name, item.pm.last_name, item.pm.username) == ("Jane", "Doe", "jane.doe")
    assert not item.pm.has_usable_password()
    assert not item.pm.is_staff
    assert list(item.pm.groups.values_list("name", flat=True)) == ["PM"]
    assert report.new_pms == ["Jane Doe (jane.doe)"]
    assert any("jane.doe" in line for line in report.lines())


def test_pm_matches_by_username_when_no_full_name_matches(plan_people):
    import_rows([row("Relay failover", pm="MARCO")])
    assert RoadmapItem.objects.get().pm == plan_people["pms"]["marco"]


def test_unknown_team_is_created_and_reported(plan_people):
    report = import_rows([row("Relay failover", team="Billing", dependencies="Growth")])
    assert report.new_teams == ["Billing", "Growth"]
    item = RoadmapItem.objects.get()
    assert item.team.name == "Billing"
    assert [t.name for t in item.dependent_teams.all()] == ["Growth"]


def test_dry_run_reports_and_saves_nothing(plan_people):
    report = import_rows([row("Relay failover", pm="Jane Doe", team="Billing")], dry_run=True)
    assert report.created == 1 and not report.applied
    assert report.new_pms == ["Jane Doe (jane.doe)"]
    assert not RoadmapItem.objects.exists()
    from intake.models import Team

    assert not Team.objects.filter(name="Billing").exists()


def test_accented_pm_names_resolve_on_every_import(plan_people):
    import_rows([row("A", pm="ÉLODIE Brûlé")])
    report = import_rows([row("A", pm="élodie brûlé"), row("B", pm="Élodie Brûlé")])
    assert report.new_pms == []
    assert (report.unchanged, report.updated, report.created) == (0, 1, 1)
    assert RoadmapItem.objects.values("pm").distinct().count() == 1


def test_last_name_first_pm_is_idempotent(plan_people):
    import_rows([row("A", pm="Nair, Priya")])
    assert RoadmapItem.objects.get().pm == plan_people["pms"]["priya"]
    assert import_rows([row("A", pm="Nair, Priya")]).unchanged == 1
