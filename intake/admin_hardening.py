"""Admin changelists that survive tampered requests: bad selected ids and huge searches.

Every ModelAdmin of the project takes `HardenedAdminMixin` as its first base class.
"""

from django.contrib import messages
from django.contrib.admin import helpers
from django.http import HttpResponseRedirect
from django.utils.text import smart_split

# Every model's primary key is a BigAutoField (DEFAULT_AUTO_FIELD), or a one-to-one onto one.
MIN_ID = -(2**63)
MAX_ID = 2**63 - 1
# A person searches with a few words; thousands of them only make SQLite give up
# ("expression tree too large") or keep PostgreSQL busy.
MAX_SEARCH_TERMS = 20
MAX_SEARCH_LENGTH = 500


def _is_id(value: str) -> bool:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return False
    return MIN_ID <= number <= MAX_ID


def limit_search_term(search_term: str) -> str:
    """The first MAX_SEARCH_TERMS words (quoted phrases count as one) of the first
    MAX_SEARCH_LENGTH characters."""
    terms = list(smart_split(search_term[:MAX_SEARCH_LENGTH]))
    return " ".join(terms[:MAX_SEARCH_TERMS])


class HardenedAdminMixin:
    """Refuses actions on ids that cannot be rows; searches with at most 20 terms."""

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(_is_id(value) for value in selected):
            self.message_user(
                request,
                "Some of the selected rows do not exist (their ids are not valid). "
                "No items have been changed.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, limit_search_term(search_term))
