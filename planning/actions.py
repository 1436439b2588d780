"""The admin action that exports roadmap items as a plan CSV (on the roadmap item list)."""

import io
import re

from django.contrib import admin
from django.http import HttpResponse

from . import services


def plan_csv_response(items, *, quarter: str = "") -> HttpResponse:
    """A plan CSV download (UTF-8 with a BOM, so that Excel reads it as UTF-8)."""
    stream = io.StringIO()
    services.export_plan(stream, items=items)
    name = re.sub(r"[^A-Za-z0-9]+", "-", quarter).strip("-") or "all-quarters"
    response = HttpResponse("\ufeff" + stream.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plan-{name}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@admin.action(description="Export selected as plan CSV", permissions=["view"])
def export_plan_csv(modeladmin, request, queryset):
    items = services.with_plan_columns(queryset.order_by("quarter", "team__name", "title", "pk"))
    return plan_csv_response(items)
