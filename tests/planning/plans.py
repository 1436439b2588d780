"""Building plan files for tests, the way spreadsheets write them."""

import csv
import io

from planning import services

HEADER = [
    "Item", "Team", "PM", "Priority", "Stage", "Commitment", "Problem doc", "One-pager",
    "Project doc", "Dependencies", "Quarter", "Key",
]  # fmt: skip


def plan_bytes(
    rows: list[list[str]],
    *,
    header: list[str] = HEADER,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return stream.getvalue().encode(encoding)


def row(
    item: str,
    *,
    team: str = "Networking",
    pm: str = "Priya Nair",
    priority: str = "P1",
    stage: str = "Not started",
    commitment: str = "Uncommitted",
    problem_doc: str = "",
    one_pager: str = "",
    project_doc: str = "",
    dependencies: str = "",
    quarter: str = "Q4 FY26",
    key: str = "",
) -> list[str]:
    return [
        item, team, pm, priority, stage, commitment, problem_doc, one_pager, project_doc,
        dependencies, quarter, key,
    ]  # fmt: skip


def import_rows(rows: list[list[str]], **kwargs) -> services.ImportReport:
    return services.import_plan(data=plan_bytes(rows), filename="plan.csv", **kwargs)
