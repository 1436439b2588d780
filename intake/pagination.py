"""Lists whose count costs the same at any size: the admin's lists and the API's.

Django's paginator, behind both the admin's change lists and DRF's page-number pagination,
counts every matching row to number the pages: a `COUNT(*)` over a million signals for each
page of fifty. `CappedPaginator` counts at most `COUNT_CAP` rows from the start of the page
asked for (`SELECT COUNT(*) FROM (SELECT id … LIMIT n)`), so the count costs the same whatever
the table holds. Up to the cap the count is exact. Past it the paginator says `capped`, and its
`count` is where counting stopped: there are *more than* that many rows, which the admin shows
as "more than 10,000 ideas" and the API as `count` with `count_capped: true`. Page numbers reach
that far ahead of the page asked for, so a reader can always page on, one window at a time
(a page far down costs what its OFFSET costs, as it always did).

Why not a PostgreSQL estimate (`pg_class.reltuples`): it knows the whole table only, and these
lists are nearly always filtered (merged ideas hidden, the inbox, an idea's signals, a search).
Why not cursor pagination: it drops `count` and page numbers, which API clients and the admin's
`?p=` links rely on.
"""

import sys

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.core.paginator import InvalidPage, Paginator
from django.db import connections
from django.db.models import QuerySet, Value
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

# Rows counted from the start of the page asked for; tests lower it.
COUNT_CAP = 10_000


def capped_count(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """(rows, whether there are more than that): exact up to `cap` (COUNT_CAP by default), in
    one query whose cost is bounded by the cap, not by the table."""
    cap = COUNT_CAP if cap is None else cap
    rows = queryset.order_by()  # no sort, no joins for display
    if connections[queryset.db].vendor == "postgresql":
        # No column at all, so that an index holding the filtered columns answers alone (an
        # index-only scan). SQLite cannot select nothing; it counts the ids.
        rows = rows.annotate(counted=Value(1)).values("counted")
    else:
        rows = rows.values("pk")
    counted = rows[: cap + 1].count()  # one past the cap: whether there are more
    return min(counted, cap), counted > cap


def _page_number(value) -> int:
    """The page asked for, as a number to count from; a page that is not one counts from 1
    (and is refused by `page()` as Django refuses it)."""
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


class CappedPaginator(Paginator):
    """A Paginator whose `count` stops `COUNT_CAP` rows past the start of `page_number`.

    `capped` tells whether it stopped: then `count` is a lower bound (there are more rows), and
    it always reaches past the page asked for, so `has_next()` is true there. Lists that are not
    querysets (already in memory) are counted exactly.
    """

    def __init__(
        self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, page_number=1
    ):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        # At least one row past the page, so a capped count always shows there is a next page.
        window = max(COUNT_CAP, self.per_page + 1)
        start = (_page_number(page_number) - 1) * self.per_page
        # A page far past the end counts everything (and is then refused), never an out-of-range
        # LIMIT.
        self.reach = min(start + window, sys.maxsize - 1)

    @cached_property
    def _capped_count(self) -> tuple[int, bool]:
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list), False
        return capped_count(self.object_list, self.reach)

    @cached_property
    def capped(self) -> bool:
        return self._capped_count[1]

    @cached_property
    def count(self) -> int:
        return self._capped_count[0]


# Admin ------------------------------------------------------------------------------------------


class CappedCountChangeList(ChangeList):
    """A change list that knows when its count is capped (`result_count_capped`, read by
    templates/admin/pagination.html and actions.html) and never offers "Show all" of rows it did
    not count."""

    def get_results(self, request):
        super().get_results(request)
        self.result_count_capped = self.paginator.capped
        if self.result_count_capped:
            self.can_show_all = False
            # The search box shows "N results" when they differ from `full_result_count`: a
            # capped N would read as exact there, so it is left out (the pagination line below
            # the list says "more than N").
            self.full_result_count = self.result_count
            if self.show_all:  # `?all=` on a capped list: the page, not every row
                try:
                    self.result_list = self.paginator.page(self.page_num).object_list
                except InvalidPage as error:
                    raise IncorrectLookupParameters from error


class CappedCountAdminMixin:
    """For a ModelAdmin over a table that grows: no count of every row on its list page."""

    # "N total" beside the search box is a second, uncapped COUNT(*) of the whole table.
    show_full_result_count = False
    # Facets ("Show counts") count every filter choice over the whole table.
    show_facets = admin.ShowFacets.NEVER

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return CappedPaginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            page_number=request.GET.get(PAGE_VAR),
        )

    def get_changelist(self, request, **kwargs):
        return CappedCountChangeList


# API --------------------------------------------------------------------------------------------


class CappedPageNumberPagination(PageNumberPagination):
    """`?page=N` pagination whose `count` is capped; `count_capped` says when it is.

    The answer keeps DRF's shape (`count`, `next`, `previous`, `results`), `count` an integer;
    `count_capped: true` means there are more than `count` results, and `next` is then always
    given. `?page=last` is not offered: the last page is unknown without counting every row.
    """

    last_page_strings = ()

    def django_paginator_class(self, queryset, page_size):
        # Called by paginate_queryset once `self.request` is set: the count reaches from the
        # page asked for.
        page_number = self.request.query_params.get(self.page_query_param)
        return CappedPaginator(queryset, page_size, page_number=page_number)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_capped": self.page.paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["count"]["description"] = (
            f"Results, counted up to {COUNT_CAP:,} past the start of this page; when "
            "`count_capped` is true there are more than this."
        )
        properties = {
            "count": properties.pop("count"),
            "count_capped": {
                "type": "boolean",
                "description": "True when counting stopped at the cap: there are more results "
                "than `count`, and `next` leads on.",
            },
            **properties,
        }
        return {
            **response,
            "required": ["count", "count_capped", "results"],
            "properties": properties,
        }
