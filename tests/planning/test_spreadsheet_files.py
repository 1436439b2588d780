"""Plans as real spreadsheets export them: encodings, delimiters, quoting, stray cells."""

import pytest

from planning import services
from roadmap.models import RoadmapItem
from tests.planning.plans import HEADER, plan_bytes, row

pytestmark = pytest.mark.django_db


def _titles() -> list[str]:
    return sorted(RoadmapItem.objects.values_list("title", flat=True))


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_any_common_delimiter(plan_people, delimiter):
    data = plan_bytes([row("Relay, failover", dependencies="Client; Platform")],
                      delimiter=delimiter)  # fmt: skip
    report = services.import_plan(data=data)
    assert report.applied
    item = RoadmapItem.objects.get()
    assert item.title == "Relay, failover"
    assert item.dependent_teams.count() == 2


def test_utf8_with_bom_and_excel_crlf(plan_people):
    data = b"\xef\xbb\xbf" + plan_bytes([row("Café relay")])
    report = services.import_plan(data=data)
    assert report.encoding == "utf-8-sig"
    assert _titles() == ["Café relay"]


def test_cp1252_file(plan_people):
    data = plan_bytes([row("Café – relay €")], encoding="cp1252")
    report = services.import_plan(data=data)
    assert report.encoding == "cp1252"
    assert _titles() == ["Café – relay €"]


def test_utf16_file_as_excel_unicode_text_writes_it(plan_people):
    data = plan_bytes([row("Relay ünicode")], delimiter="\t", encoding="utf-16")
    assert services.import_plan(data=data).applied
    assert _titles() == ["Relay ünicode"]


def test_quoted_newlines_blank_lines_trailing_columns_and_stray_whitespace(plan_people):
    text = (
        "Plan for Q4 (draft),,,\r\n"
        "\r\n"
        + ",".join(f"  {h.upper()}  " for h in HEADER) + ",,,\r\n"
        + '"Relay\nfailover",  networking ,"  PRIYA NAIR ",p0, beta ,COMMITTED,'
        '"https://docs.example.com/a",done,n/a,"Client\nPlatform", q4  fy26 ,,,,\r\n'
        ",,,,,,,,,,,,,,\r\n"
        "\r\n"
        "SCIM,Client,Marco Rossi,,,,,,,,Q4 FY26,,,,\r\n"
    )  # fmt: skip
    report = services.import_plan(data=text.encode())
    assert report.errors == [] and report.applied
    assert "above the header" in report.warnings[0]
    assert [o.row for o in report.outcomes] == [4, 7]
    relay = RoadmapItem.objects.get(title="Relay failover")
    assert (relay.priority, relay.stage, relay.committed, relay.quarter) == (
        "P0", "beta", True, "Q4 FY26",
    )  # fmt: skip
    assert relay.team.name == "Networking" and relay.pm.username == "priya"
    assert sorted(t.name for t in relay.dependent_teams.all()) == ["Client", "Platform"]
    scim = RoadmapItem.objects.get(title="SCIM")
    assert (scim.priority, scim.stage, scim.committed) == ("P1", "not_started", False)


def test_row_numbers_count_spreadsheet_rows_even_with_multiline_cells(plan_people):
    text = 'Item,Stage,Quarter\r\n"Multi\nline",Beta,Q4\r\n\r\nBad,Nope,Q4\r\n'
    report = services.import_plan(data=text.encode())
    assert [(e.row, e.column) for e in report.errors] == [(4, "Stage")]


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ("Done", "shipped"),
        ("In progress", "in_development"),
        ("In-Progress", "in_development"),
        ("TBD", "not_started"),
        ("N/A", "not_started"),
        ("Proof of concept", "poc"),
        ("Public beta", "beta"),
        ("General Availability", "ga"),
        ("", "not_started"),
    ],
)
def test_excel_status_words_map_to_stages(plan_people, stage, expected):
    services.import_plan(data=plan_bytes([row("Relay", stage=stage)]))
    assert RoadmapItem.objects.get().stage == expected


def test_zero_width_characters_and_no_break_spaces_are_dropped(plan_people):
    # Control characters are a row error instead (test_import_hardening.py).
    data = plan_bytes([row("Re\u200blay\u200b failover", pm="Priya\u00a0Nair")])
    assert services.import_plan(data=data).applied
    item = RoadmapItem.objects.get()
    assert item.title == "Relay failover" and item.pm.username == "priya"


def test_formula_text_is_stored_as_text(plan_people):
    services.import_plan(data=plan_bytes([row('=cmd|"/C calc"!A0', problem_doc="=HYPERLINK(1)")]))
    item = RoadmapItem.objects.get()
    assert item.title == '=cmd|"/C calc"!A0'
    assert item.problem_doc == "=HYPERLINK(1)"


def test_invalid_utf8_after_a_bom_is_an_error(db):
    report = services.import_plan(data=b"\xef\xbb\xbfItem\n\xff\xfe\xfa")
    assert not report.ok
    assert "utf-8-sig" in str(report.errors[0])


def test_words_with_notes_after_them_still_count(plan_people):
    data = plan_bytes(
        [row("Relay", priority="P0 - must have", stage="Beta (10% of users)",
             commitment="Committed (at risk)", pm="Nair, Priya")]
    )  # fmt: skip
    assert services.import_plan(data=data).applied
    item = RoadmapItem.objects.get()
    assert (item.priority, item.stage, item.committed) == ("P0", "beta", True)
    assert item.pm.username == "priya"


def test_headers_with_notes_and_slashes_are_recognised(plan_people):
    header = ["Item / Initiative", "Priority (P0-P2)", "Problem Doc (link)", "Dependent team(s)",
              "Quarter [e.g. Q4 FY26]", "Stage", "Status"]  # fmt: skip
    data = plan_bytes([["Relay", "P2", "Done", "Client", "Q4 FY26", "Beta", "On track"]],
                      header=header)  # fmt: skip
    report = services.import_plan(data=data)
    assert report.applied
    assert 'Column "Status" ignored: "Stage" is the Stage column.' in report.warnings
    item = RoadmapItem.objects.get()
    assert (item.title, item.priority, item.problem_doc, item.stage) == ("Relay", "P2", "Done",
                                                                         "beta")  # fmt: skip
    assert [t.name for t in item.dependent_teams.all()] == ["Client"]


def test_and_between_known_teams_names_two_teams(plan_people):
    services.import_plan(data=plan_bytes([row("Relay", dependencies="Client & Platform")]))
    item = RoadmapItem.objects.get()
    assert sorted(t.name for t in item.dependent_teams.all()) == ["Client", "Platform"]


def test_control_characters_never_reach_the_report_or_the_database(plan_people):
    data = plan_bytes([row("Relay\x1b[2J failover\x07", stage="Bogus\x1b[31m")])
    report = services.import_plan(data=data)
    assert "\x1b" not in "\n".join(report.lines())
    report = services.import_plan(data=plan_bytes([row("Relay\x1b[2J failover\x07")]))
    assert not report.ok
    assert "U+001B, U+0007" in str(report.errors[0])
    assert not RoadmapItem.objects.exists()
