import pytest

from planning.models import PlanEntry
from roadmap.models import RoadmapItem
from tests.planning.plans import import_rows, plan_bytes, row

pytestmark = pytest.mark.django_db

PLAN = [
    row("Relay failover", key="PLAN-1", stage="Beta", commitment="Committed",
        dependencies="Client, Platform", problem_doc="Done"),
    row("SCIM provisioning", pm="Marco Rossi", stage="In progress"),
]  # fmt: skip


def test_reimporting_the_same_file_changes_nothing(plan_people):
    import_rows(PLAN)
    before = {i.pk: (i.updated_at, i.history.count()) for i in RoadmapItem.objects.all()}
    report = import_rows(PLAN)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    after = {i.pk: (i.updated_at, i.history.count()) for i in RoadmapItem.objects.all()}
    assert after == before


def test_edited_file_updates_by_key_without_duplicates(plan_people):
    import_rows(PLAN)
    edited = [
        row("Relay failover across regions", key="PLAN-1", stage="GA", commitment="Committed",
            dependencies="Client", problem_doc="Done"),
        PLAN[1],
    ]  # fmt: skip
    report = import_rows(edited)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert report.outcomes[0].changes == ["Item", "Stage", "Dependencies"]
    item = RoadmapItem.objects.get(key="PLAN-1")
    assert item.title == "Relay failover across regions"
    assert item.stage == "ga"
    assert [t.name for t in item.dependent_teams.all()] == ["Client"]
    assert RoadmapItem.objects.count() == 2


def test_edited_file_updates_by_item_name_and_quarter(plan_people):
    import_rows(PLAN)
    report = import_rows([PLAN[0], row("scim  PROVISIONING", pm="Priya Nair", stage="Alpha")])
    assert report.updated == 1
    item = RoadmapItem.objects.get(title="scim PROVISIONING")
    assert (item.stage, item.pm.username) == ("alpha", "priya")
    assert RoadmapItem.objects.count() == 2


def test_same_name_in_another_quarter_is_another_item(plan_people):
    import_rows(PLAN)
    import_rows([row("SCIM provisioning", quarter="Q1 FY27")])
    assert RoadmapItem.objects.filter(title="SCIM provisioning").count() == 2


def test_a_key_added_later_attaches_to_the_item_with_that_name(plan_people):
    import_rows(PLAN)
    report = import_rows([row("SCIM provisioning", pm="Marco Rossi", stage="In progress",
                              key="PLAN-2")])  # fmt: skip
    assert report.outcomes[0].changes == ["Key"]
    assert RoadmapItem.objects.get(key="PLAN-2").title == "SCIM provisioning"


def test_importing_a_stage_change_moves_the_items_ideas_as_the_admin_does(plan_people):
    from tests.factories import IdeaFactory

    import_rows(PLAN)
    idea = IdeaFactory()
    item = RoadmapItem.objects.get(key="PLAN-1")
    item.ideas.add(idea)
    shipped = [row("Relay failover", key="PLAN-1", stage="Shipped", commitment="Committed",
                   dependencies="Client, Platform", problem_doc="Done")]  # fmt: skip
    import_rows(shipped)
    item.refresh_from_db()
    idea.refresh_from_db()
    assert item.stage == "shipped" and item.shipped_at is not None
    assert idea.status == "shipped"


def test_columns_missing_from_a_file_leave_items_as_they_are(plan_people):
    import_rows(PLAN)
    data = plan_bytes([["PLAN-1", "Alpha"]], header=["Key", "Stage"])
    from planning import services

    report = services.import_plan(data=data, quarter="Q4 FY26")
    assert report.updated == 1
    item = RoadmapItem.objects.get(key="PLAN-1")
    assert item.stage == "alpha"
    assert item.problem_doc == "Done" and item.committed
    assert item.dependent_teams.count() == 2
    assert PlanEntry.objects.get(item=item).pm_name == "Priya Nair"


def test_rewording_the_pm_updates_the_plan_entry_but_not_the_item_history(plan_people):
    import_rows(PLAN)
    item = RoadmapItem.objects.get(key="PLAN-1")
    history = item.history.count()
    reworded = [
        row("Relay failover", key="PLAN-1", pm="priya", stage="Beta", commitment="Committed",
            dependencies="Client, Platform", problem_doc="Done")
    ]  # fmt: skip
    report = import_rows(reworded)
    assert report.outcomes[0].changes == ["PM (as written)"]
    assert item.history.count() == history
    assert PlanEntry.objects.get(item=item).pm_name == "priya"
