"""The demo's Q4 plan: 58 items over 10 teams and 5 PMs, imported from `demo_plan.csv`.

The file goes through the same import as any plan, so the demo also shows the import at work;
importing it again changes nothing.
"""

from pathlib import Path

from . import services

DEMO_PLAN = Path(__file__).resolve().parent / "demo_plan.csv"


def load_demo_plan() -> services.ImportReport:
    """Import the demo plan; raises if the shipped file stops importing cleanly."""
    report = services.import_plan(data=DEMO_PLAN.read_bytes(), filename=DEMO_PLAN.name)
    if not report.applied:
        raise RuntimeError("The demo plan did not import:\n" + "\n".join(report.lines()))
    return report
