"""Domain event handlers of the Slack app (registered in config/events.py)."""

from .bolt import web_client
from .services import tell_idea_status


def tell_idea_status_in_slack(payload: dict) -> None:
    """`idea.status_changed`: the people who sent the idea from Slack hear it there too."""
    tell_idea_status(web_client(), idea_id=payload["idea_id"], status=payload["status"])
