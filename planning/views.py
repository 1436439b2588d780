from django.shortcuts import render
from django.views.decorators.http import require_GET

from config.extensions import page_panels
from intake.roles import is_employee, role_required

from . import charts, selectors
from .forms import HealthFilterForm
from .vocabulary import REQUIRED_DOCS_EXPLANATION


def _charts(health: dict) -> dict:
    thresholds = health["thresholds"]
    flagged = {(f["pm"], f["kind"]) for f in health["flags"]}
    total = health["items"] or 1
    return {
        "pm_items": charts.bar_chart(
            title="Items per PM",
            rows=[
                (
                    p["pm"],
                    p["items"],
                    f"{p['items']} ({p['committed']} committed)",
                    (p["pm"], "overloaded") in flagged,
                )
                for p in health["pms"]
            ],  # fmt: skip
            marker=thresholds["max_items_per_pm"],
            marker_text=f"limit {thresholds['max_items_per_pm']}",
        ),
        "pm_docs": charts.bar_chart(
            title="Required docs that exist, per PM",
            rows=[
                (
                    p["pm"],
                    p["doc_completion"],
                    f"{p['doc_completion']:.0%} ({p['docs_present']} of {p['docs_required']})",
                    (p["pm"], "low_doc_completion") in flagged,
                )
                for p in health["pms"]
            ],  # fmt: skip
            scale_max=1,
            marker=thresholds["min_doc_completion"],
            marker_text=f"minimum {thresholds['min_doc_completion']:.0%}",
        ),
        "stages": charts.bar_chart(
            title="Items per stage",
            rows=[
                (stage, count, f"{count} ({count / total:.0%})", False)
                for stage, count in health["stages"].items()
            ],
        ),
        "teams": charts.bar_chart(
            title="Items per team",
            rows=[
                (t["team"], t["items"], f"{t['items']} ({t['cross_team_items']} cross-team)", False)
                for t in health["teams"]
            ],
        ),
    }


def _matrix_rows(matrix: dict) -> tuple[list[str], list[dict]]:
    names = list(matrix)
    top = max((n for row in matrix.values() for n in row.values()), default=0)
    rows = []
    for a in names:
        cells = []
        for b in names:
            count = matrix[a].get(b) if a != b else None
            cells.append(
                {"count": count, "shade": charts.shade(count or 0, top), "self": a == b, "b": b}
            )
        rows.append({"team": a, "cells": cells})
    return names, rows


@require_GET
@role_required(is_employee)
def planning_health(request):
    """Leadership's view of a quarter's plan: load, paperwork, stages, coupling, flags."""
    known = selectors.quarters()
    form = HealthFilterForm(request.GET or None, quarters=known)
    defaults = selectors.Thresholds.from_settings()
    if request.GET and not form.is_valid():
        context = {"form": form, "quarters": known, "health": None}
        return render(request, "planning/health.html", context, status=400)
    data = form.cleaned_data if request.GET else {}
    quarter = data.get("quarter") or selectors.default_quarter(known)
    thresholds = selectors.Thresholds(
        max_items_per_pm=defaults.max_items_per_pm
        if data.get("max_items") is None
        else data["max_items"],
        min_doc_completion=defaults.min_doc_completion
        if data.get("min_docs") is None
        else data["min_docs"] / 100,
    )
    health = selectors.planning_health(quarter=quarter, thresholds=thresholds) if quarter else None
    context = {"form": form, "quarters": known, "health": health, "quarter": quarter}
    # Sections other apps add (stale feature flags, items without a flag): config/extensions.py.
    context["panels"] = page_panels("planning.health", quarter=quarter)
    if health:
        context["charts"] = _charts(health)
        context["matrix_names"], context["matrix_rows"] = _matrix_rows(health["coupling"]["matrix"])
        context["required_docs"] = REQUIRED_DOCS_EXPLANATION
        context["thresholds"] = thresholds
        context["min_docs_percent"] = round(thresholds.min_doc_completion * 100)
    return render(request, "planning/health.html", context)
