import pytest
from django.core.management import CommandError, call_command

from roadmap.models import RoadmapItem
from tests.planning.plans import plan_bytes, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_file(tmp_path):
    def write(rows) -> str:
        path = tmp_path / "plan.csv"
        path.write_bytes(plan_bytes(rows))
        return str(path)

    return write


def test_command_imports_and_reports_counts(plan_people, plan_file, capsys):
    call_command("import_plan", plan_file([row("Relay failover"), row("SCIM")]))
    out = capsys.readouterr().out
    assert "Imported 2 row(s): 2 new, 0 updated, 0 unchanged." in out
    assert RoadmapItem.objects.count() == 2


def test_command_dry_run_saves_nothing(plan_people, plan_file, capsys):
    call_command("import_plan", plan_file([row("Relay failover")]), "--dry-run")
    assert "dry run: nothing saved" in capsys.readouterr().out
    assert not RoadmapItem.objects.exists()


def test_command_fails_listing_errors_by_row_and_column(plan_people, plan_file, capsys):
    with pytest.raises(CommandError, match="Nothing imported: 1 error"):
        call_command("import_plan", plan_file([row("Relay"), row("SCIM", priority="P9")]))
    assert 'Row 3, Priority: Unknown priority "P9"' in capsys.readouterr().err
    assert not RoadmapItem.objects.exists()


def test_command_skip_invalid_imports_the_rest(plan_people, plan_file, capsys):
    path = plan_file([row("Relay"), row("SCIM", priority="P9")])
    call_command("import_plan", path, "--skip-invalid")
    out = capsys.readouterr().out
    assert "skipped 1 invalid row(s)" in out
    assert "Row 3, Priority" in out
    assert list(RoadmapItem.objects.values_list("title", flat=True)) == ["Relay"]


def test_command_quarter_option(plan_people, plan_file):
    call_command("import_plan", plan_file([row("Relay", quarter="")]), "--quarter", "Q1 FY27")
    assert RoadmapItem.objects.get().quarter == "Q1 FY27"


def test_command_refuses_a_missing_file(db):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_plan", "/nonexistent/plan.csv")


def test_command_refuses_a_quarter_too_long_to_store(plan_people, plan_file, capsys):
    with pytest.raises(CommandError):
        call_command("import_plan", plan_file([row("Relay", quarter="")]), "--quarter", "Q" * 30)
    assert "The quarter is too long" in capsys.readouterr().err
    assert not RoadmapItem.objects.exists()
