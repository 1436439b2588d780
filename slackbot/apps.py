from django.apps import AppConfig


class SlackbotConfig(AppConfig):
    """Slack: capture ideas where people talk, and tell them there when an idea moves on.

    The top floor: it may import intake, scoring and roadmap; nothing imports it.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "slackbot"
    verbose_name = "Slack"
