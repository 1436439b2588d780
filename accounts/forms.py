from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from intake.forms import TextForm


class ApiTokenForm(TextForm):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “CRM bot”.")
    expires_days = forms.IntegerField(
        label="Valid for (days)",
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        initial=settings.API_TOKEN_DEFAULT_DAYS,
    )

    def __init__(self, *args, for_anyone: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if for_anyone:
            self.fields["user"] = forms.ModelChoiceField(
                queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
                required=False,
                empty_label="— myself —",
                help_text="A superuser may make a token for anyone (a bot's account, say).",
            )
