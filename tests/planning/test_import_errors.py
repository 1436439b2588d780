import pytest
from django.contrib.auth.models import User

from planning import services
from planning.models import PlanImport
from roadmap.models import RoadmapItem
from tests.planning.plans import import_rows, row

pytestmark = pytest.mark.django_db


def _errors(report) -> list[tuple]:
    return [(e.row, e.column) for e in report.errors]


def test_one_bad_row_aborts_the_import_listing_every_error_by_row_and_column(plan_people):
    report = import_rows(
        [
            row("Relay failover"),
            row("", stage="Shipped"),
            row("Exit nodes", stage="Someday", priority="P7"),
            row("SCIM", commitment="Perhaps?"),
        ]
    )
    assert not report.ok and not report.applied
    assert _errors(report) == [
        (3, "Item"),
        (4, "Priority"),
        (4, "Stage"),
        (5, "Commitment"),
    ]
    assert "Someday" in str(report.errors[2])
    assert not RoadmapItem.objects.exists()


def test_skip_invalid_imports_the_rest_and_lists_what_it_skipped(plan_people):
    report = import_rows(
        [row("Relay failover"), row("Exit nodes", stage="Someday"), row("SCIM")],
        skip_invalid=True,
    )
    assert report.applied
    assert report.skipped_rows == [3]
    assert sorted(RoadmapItem.objects.values_list("title", flat=True)) == [
        "Relay failover",
        "SCIM",
    ]
    assert "Skipped rows:" in report.lines()


def test_two_pms_for_one_item_is_an_error(plan_people):
    report = import_rows([row("Relay failover", pm="Priya Nair / Marco Rossi")])
    assert _errors(report) == [(2, "PM")]


def test_missing_quarter_is_an_error(plan_people):
    report = import_rows([row("Relay failover", quarter="")])
    assert _errors(report) == [(2, "Quarter")]


def test_row_for_another_quarter_than_the_chosen_one_is_an_error(plan_people):
    report = import_rows([row("Relay failover", quarter="Q3 FY26")], quarter="Q4 FY26")
    assert _errors(report) == [(2, "Quarter")]


def test_too_long_values_are_errors_not_database_failures(plan_people):
    report = import_rows([row("x" * 201, one_pager="https://" + "a" * 600)])
    assert _errors(report) == [(2, "Item"), (2, "One-pager")]
    assert not RoadmapItem.objects.exists()


def test_the_same_item_twice_in_a_file_is_an_error(plan_people):
    report = import_rows(
        [row("Relay", key="K-1"), row("Relay again", key="k-1"), row("SCIM"), row("scim")]
    )
    assert _errors(report) == [(3, "Key"), (5, "Item")]
    assert "row 2" in report.errors[0].message


def test_ambiguous_name_in_a_quarter_asks_for_a_key(plan_people):
    RoadmapItem.objects.create(title="Relay", quarter="Q4 FY26")
    RoadmapItem.objects.create(title="Relay", quarter="Q4 FY26")
    report = import_rows([row("Relay")])
    assert _errors(report) == [(2, "Item")]
    assert "give this row a key" in report.errors[0].message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (b"Effort,Owner team\n3,Client\n", "No header row"),
        (b"Item,Team\n", "no rows"),
        (b"Effort\n3\n", "No header row"),
    ],
)
def test_files_that_are_not_plans_get_a_clear_error(db, data, message):
    report = services.import_plan(data=data, skip_invalid=True)
    assert not report.ok
    assert message in str(report.errors[0])


def test_too_large_and_too_long_files_are_refused(db, settings):
    settings.PLANNING_MAX_IMPORT_BYTES = 100
    report = services.import_plan(data=b"Item,Quarter\n" + b"a,Q4\n" * 50)
    assert "larger than" in str(report.errors[0])
    settings.PLANNING_MAX_IMPORT_BYTES = 10_000
    settings.PLANNING_MAX_IMPORT_ROWS = 10
    report = services.import_plan(data=b"Item,Quarter\n" + b"a,Q4\n" * 11)
    assert "more than 10 rows" in str(report.errors[0])


def test_unbalanced_quotes_are_an_error_not_a_crash(db):
    data = b'Item,Quarter\n"Relay,Q4 FY26\n' + b"x" * 140_000
    report = services.import_plan(data=data)
    assert not report.ok
    assert not RoadmapItem.objects.exists()


def test_a_database_refusal_saves_nothing(plan_people, monkeypatch):
    from django.db import IntegrityError

    from planning.models import PlanEntry

    def refuse(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(PlanEntry.objects, "bulk_create", refuse)
    report = import_rows([row("Relay"), row("SCIM", pm="New Person", team="Billing")])
    assert not report.applied and not report.ok
    assert "nothing was saved" in str(report.errors[0])
    assert not RoadmapItem.objects.exists()
    assert not PlanImport.objects.exists()
    assert not User.objects.filter(username="new.person").exists()
