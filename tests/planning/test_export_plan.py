import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from planning import services
from planning.csv_plan import escape_formula, unescape_formula
from roadmap.models import RoadmapItem
from tests.planning.plans import import_rows, row

pytestmark = pytest.mark.django_db

HOSTILE = '=cmd|"/C calc"!A0'


def _export(quarter: str = "") -> bytes:
    stream = io.StringIO()
    services.export_plan(stream, items=services.export_queryset(quarter=quarter))
    return stream.getvalue().encode()


def test_importing_an_export_changes_nothing(plan_people):
    import_rows(
        [
            row("Relay failover", key="PLAN-1", pm="priya", stage="Beta", commitment="Stretch",
                dependencies="Client/Platform", one_pager="Done"),
            row(HOSTILE, pm="Jane Doe", team="Growth", problem_doc="@SUM(1+1)",
                project_doc="-2+3", commitment="yes"),
            row("'=already quoted", stage="In progress", commitment="✓"),
        ]
    )  # fmt: skip
    RoadmapItem.objects.create(title="Made in the roadmap", quarter="Q4 FY26", committed=True)
    before = list(RoadmapItem.objects.order_by("pk").values())
    report = services.import_plan(data=_export())
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    report = services.import_plan(data=_export())
    assert report.unchanged == 4
    assert list(RoadmapItem.objects.order_by("pk").values()) == before


def test_export_neutralises_formulas_and_keeps_the_plan_words(plan_people):
    import_rows([row(HOSTILE, pm="priya", commitment="Stretch", problem_doc="+1")])
    text = _export().decode()
    header, line = text.splitlines()[:2]
    assert header == (
        "Item,Team,PM,Priority,Stage,Commitment,Problem doc,One-pager,Project doc,"
        "Dependencies,Quarter,Key"
    )
    assert line.startswith("\"'=cmd|")
    assert ",priya,P1,Not started,Stretch,'+1," in line


@pytest.mark.parametrize("value", ["=1", "'=1", "''+x", "'abc", "-", "plain", "@a", "'"])
def test_formula_escaping_round_trips(value):
    assert unescape_formula(escape_formula(value)) == value


def test_export_command_writes_a_quarter_to_a_file(plan_people, tmp_path):
    import_rows([row("Relay failover"), row("Later", quarter="Q1 FY27")])
    target = tmp_path / "plan.csv"
    call_command("export_plan", quarter="q4 fy26", output=str(target))
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"Relay failover" in data and b"Later" not in data
    assert services.import_plan(data=data).unchanged == 1


def test_export_command_prints_every_quarter(plan_people, capsys):
    import_rows([row("Relay failover"), row("Later", quarter="Q1 FY27")])
    call_command("export_plan")
    out = capsys.readouterr().out
    assert out.startswith("Item,Team,PM,")
    assert "Relay failover" in out and "Later" in out
    assert services.import_plan(data=out.encode()).unchanged == 2


def test_admin_export_downloads_the_quarter(client, pm, plan_people):
    import_rows([row("Relay failover")])
    client.force_login(pm)
    response = client.get(
        reverse("admin:planning_planimport_export"), {"quarter": "Q4 FY26", "download": "1"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="plan-Q4-FY26.csv"'
    assert "Relay failover" in response.content.decode("utf-8-sig")


def test_export_action_on_the_roadmap_item_list_exports_the_selection(client, pm, plan_people):
    import_rows([row("Relay failover"), row("SCIM")])
    client.force_login(pm)
    response = client.post(
        reverse("admin:roadmap_roadmapitem_changelist"),
        {
            "action": "export_plan_csv",
            "_selected_action": [RoadmapItem.objects.get(title="SCIM").pk],
        },
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "SCIM" in text and "Relay failover" not in text
