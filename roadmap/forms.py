from django import forms
from django.contrib.auth import get_user_model

from intake.models import Idea, Organization, Team

from .models import RoadmapItem
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
