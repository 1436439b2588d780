from django import forms

from .models import TITLE_MAX_LENGTH, Idea, Organization, Signal
from .text import validate_no_control_characters

# The longest description, customer's words or reason anyone types (the API's body limit too).
TEXT_MAX_LENGTH = 20000


class TextForm(forms.Form):
    """A form whose text fields refuse control characters with a field error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(validate_no_control_characters)


class IdeaSubmitForm(TextForm):
    title = forms.CharField(
        max_length=TITLE_MAX_LENGTH,
        help_text="One line: what should the product do?",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    description = forms.CharField(
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Why it matters and who asked. Markdown works.",
    )
    pillar = forms.ChoiceField(
        label="Suggested pillar", choices=Idea.Pillar.choices, initial=Idea.Pillar.FEATURE
    )
    product_area = forms.CharField(max_length=100, required=False)
    idea = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class SalesSignalForm(TextForm):
    organization = forms.ModelChoiceField(
        label="Customer",
        queryset=Organization.objects.all(),
        required=False,
        empty_label="— pick a customer —",
    )
    new_organization_name = forms.CharField(
        label="…or a new customer", max_length=200, required=False
    )
    title = forms.CharField(
        label="What they asked for, in one line",
        max_length=TITLE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    words = forms.CharField(
        label="The customer's words",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    arr_at_stake = forms.DecimalField(
        label="ARR at stake", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    deal_stage = forms.ChoiceField(choices=Signal.DealStage.choices, initial=Signal.DealStage.OPEN)
    urgency = forms.ChoiceField(choices=Signal.Urgency.choices, initial=Signal.Urgency.IMPORTANT)
    competitor = forms.CharField(label="Competitor mentioned", max_length=200, required=False)
    idea = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def clean(self):
        data = super().clean()
        if not data.get("organization") and not (data.get("new_organization_name") or "").strip():
            self.add_error("organization", "Pick the customer or name a new one.")
        return data


class DeclineForm(TextForm):
    reason = forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The people who asked will read this.",
    )
    revisit_when = forms.CharField(
        required=False, max_length=300, help_text="Optional: when should we look again?"
    )


class MergeForm(forms.Form):
    survivor = forms.ModelChoiceField(
        queryset=Idea.objects.exclude(status=Idea.Status.MERGED),
        help_text="Every signal moves to this idea; the others point at it.",
        # Most often another PM merged it a moment ago.
        error_messages={
            "invalid_choice": "That idea was merged meanwhile (or deleted); reload the list."
        },
    )


IMPORTANCE_CHOICES = [
    (0, "0 – noise"), (1, "1 – normal"), (2, "2 – important"), (3, "3 – critical"),
]  # fmt: skip


class ImportanceForm(forms.Form):
    importance = forms.TypedChoiceField(choices=IMPORTANCE_CHOICES, coerce=int, initial=1)


class AttachForm(ImportanceForm):
    idea = forms.ModelChoiceField(
        queryset=Idea.objects.exclude(status=Idea.Status.MERGED),
        widget=forms.NumberInput,
        help_text="The id of the idea these signals ask for.",
    )
    field_order = ["idea", "importance"]
