from django import forms
from django.contrib.auth import get_user_model

from intake.models import TITLE_MAX_LENGTH, Idea, Organization, Team
from intake.services import CUSTOMER_WORDS_MAX_LENGTH

from .customer_portal import REASON_MAX_LENGTH
from .models import CustomerInterest, RoadmapItem
from .services import SHARE_LINK_MAX_DAYS


class InternalFilterForm(forms.Form):
    """Filters of the internal roadmap; every field optional, bad values are form errors."""

    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label="Any")
    pm = forms.ModelChoiceField(
        label="PM",
        queryset=get_user_model().objects.filter(roadmap_items__isnull=False).distinct(),
        required=False,
        empty_label="Any",
    )
    stage = forms.ChoiceField(choices=[("", "Any"), *RoadmapItem.Stage.choices], required=False)
    priority = forms.ChoiceField(
        choices=[("", "Any"), *RoadmapItem.Priority.choices], required=False
    )
    pillar = forms.ChoiceField(choices=[("", "Any"), *Idea.Pillar.choices], required=False)
    visibility = forms.ChoiceField(
        choices=[("", "Any"), *RoadmapItem.Visibility.choices], required=False
    )
    committed = forms.TypedChoiceField(
        choices=[("", "Any"), ("yes", "Committed"), ("no", "Not committed")],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, motions=(), **kwargs):
        super().__init__(*args, **kwargs)
        if motions:
            self.fields["motion"] = forms.ChoiceField(
                choices=[("", "Any"), *motions], required=False
            )


class ShareLinkForm(forms.Form):
    organization = forms.ModelChoiceField(
        label="Customer", queryset=Organization.objects.all(), empty_label="— pick a customer —"
    )
    days = forms.IntegerField(
        label="Valid for (days)",
        min_value=1,
        max_value=SHARE_LINK_MAX_DAYS,
        initial=14,
        help_text=f"From 1 to {SHARE_LINK_MAX_DAYS} days; you can revoke it at any time.",
    )


class PreviewForm(forms.Form):
    """Which customer to preview as: found by name (a page lists the matches, however many
    customers there are), then chosen by id."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That customer does not exist (any more)."},
    )
    name = forms.CharField(label="See the roadmap as", required=False, max_length=200,
                           help_text="A customer’s name, or part of it.")  # fmt: skip

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("organization") and not data.get("name", "").strip():
            raise forms.ValidationError("Type a customer’s name.")
        return data


class InterestForm(forms.Form):
    """ "This matters to us" on one item or idea: how much and, optionally, why; or withdrawn."""

    item = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    idea = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    level = forms.ChoiceField(
        label="How much does it matter?",
        choices=CustomerInterest.Level.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Why (optional: only our product team reads it)",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    withdraw = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if bool(data.get("item")) == bool(data.get("idea")):
            raise forms.ValidationError("Say which item or idea matters to you.")
        if not data.get("withdraw") and not data.get("level"):
            self.add_error("level", "Choose nice to have, important or blocker.")
        return data


class CustomerRequestForm(forms.Form):
    """A customer asks for something new from their roadmap."""

    title = forms.CharField(label="What do you need?", max_length=TITLE_MAX_LENGTH)
    words = forms.CharField(
        label="What are you trying to do?",
        max_length=CUSTOMER_WORDS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The problem in your own words helps us more than a solution.",
    )
