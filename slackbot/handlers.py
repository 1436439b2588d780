"""Domain event handlers of the Slack app (registered in config/events.py)."""

from django.conf import settings

from .bolt import web_client
from .services import tell_idea_status


def tell_idea_status_in_slack(payload: dict) -> None:
    """`idea.status_changed`: the people who sent the idea from Slack hear it there too."""
    if not settings.SLACK_BOT_TOKEN:
        return  # Slack is not set up here: nobody can have sent anything from it
    tell_idea_status(web_client(), idea_id=payload["idea_id"], status=payload["status"])
