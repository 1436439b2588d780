"""Admin pages that survive tampered requests (bad selected ids, huge searches) and refuse
control characters in what is typed, as every other way in does (see text.py).

Every ModelAdmin of the project takes `HardenedAdminMixin` as its first base class;
`harden_admin_site` gives it to the ones other libraries register (users, groups, schedules).
"""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.http import HttpResponseRedirect
from django.utils.text import smart_split

from .text import validate_no_control_characters_deep

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


class _RefusesControlCharacters:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every text field: e-mail, URL, JSON, secret and password fields are CharFields too.
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(validate_no_control_characters_deep)


def refusing_control_characters(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    """`form_class` whose text fields refuse control characters with a field error."""
    return type(form_class.__name__, (_RefusesControlCharacters, form_class), {})


class HardenedAdminMixin:
    """Refuses actions on ids that cannot be rows; searches with at most 20 terms; forms (the
    change form, its inlines and the changelist's editable columns) that refuse control
    characters."""

    def get_form(self, request, obj=None, **kwargs):
        return refusing_control_characters(super().get_form(request, obj, **kwargs))

    def get_changelist_form(self, request, **kwargs):
        return refusing_control_characters(super().get_changelist_form(request, **kwargs))

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            formset.form = refusing_control_characters(formset.form)
            yield formset, inline

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


def harden_admin_site(site) -> None:
    """Give `HardenedAdminMixin` to every ModelAdmin registered on `site` without it (those of
    Django's users and groups, the schedules, the login lockout). Call once all are registered."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, HardenedAdminMixin):
            continue
        base = type(model_admin)
        site.unregister(model)
        site.register(model, type(base.__name__, (HardenedAdminMixin, base), {}))
