from django import forms

from intake.forms import TextForm


class HealthFilterForm(forms.Form):
    """The planning page's quarter and the flag thresholds for this view."""

    quarter = forms.ChoiceField(required=False)
    max_items = forms.IntegerField(
        label="Flag PMs with more items than",
        required=False,
        min_value=0,
        max_value=10_000,
    )
    min_docs = forms.IntegerField(
        label="Flag PMs with fewer required docs than (%)",
        required=False,
        min_value=0,
        max_value=100,
    )

    def __init__(self, *args, quarters: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [(q, q) for q in quarters]


class PlanUploadForm(TextForm):
    file = forms.FileField(label="Plan (CSV)", help_text="Exported from a spreadsheet as CSV.")
    quarter = forms.CharField(
        required=False,
        max_length=20,
        help_text='For rows that leave the quarter empty, e.g. "Q4 FY26". Rows naming another '
        "quarter are refused.",
    )
    skip_invalid = forms.BooleanField(
        required=False,
        label="Skip invalid rows",
        help_text="Import the valid rows and list the rest. Without it, one bad row stops the "
        "whole import.",
    )


class PlanExportForm(forms.Form):
    quarter = forms.ChoiceField(required=False)

    def __init__(self, *args, quarters: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [("", "Every quarter")] + [(q, q) for q in quarters]
