"""The Block Kit the Slack app shows: the modal, the similar ideas with their buttons, replies.

Text from people (titles, messages) goes into `plain_text` objects, or into `mrkdwn` escaped,
so that nobody's idea title can ping a channel or forge a link.
"""

from django.conf import settings

from intake import duplicates
from intake.models import Idea, Signal

from .services import Draft

MODAL = "idea_intake_modal"
BACK_IDEA = "idea_intake_back"
NEW_IDEA = "idea_intake_new"


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: &, < and > (which is also what makes <!channel> inert)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text[:3000], "emoji": True}


def _options(choices) -> list[dict]:
    return [{"text": _plain(label), "value": value} for value, label in choices]


def _input(block_id: str, label: str, element: dict, *, optional: bool = False) -> dict:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "optional": optional,
        "element": {**element, "action_id": "value"},
    }


def idea_modal(draft: Draft, *, sales: bool) -> dict:
    """The "Send to Idea Intake" modal: the title from the message, the pillar, and for Sales
    the customer, ARR at stake and urgency."""
    pillars = _options(Idea.Pillar.choices)
    blocks = [
        {"type": "context", "elements": [{"type": "plain_text", "text": draft.text[:2000]}]},
        _input(
            "title",
            "Title: what should the product do?",
            {"type": "plain_text_input", "initial_value": draft.title, "max_length": 200},
        ),
        _input(
            "pillar",
            "Suggested pillar",
            {
                "type": "static_select",
                "options": pillars,
                "initial_option": next(o for o in pillars if o["value"] == draft.pillar),
            },
        ),
    ]
    if sales:
        blocks += [
            _input(
                "customer",
                "Customer (if a customer asked)",
                {"type": "plain_text_input", "max_length": 200},
                optional=True,
            ),
            _input(
                "arr_at_stake",
                "ARR at stake",
                {"type": "number_input", "is_decimal_allowed": True, "min_value": "0"},
                optional=True,
            ),
            _input(
                "urgency",
                "Urgency",
                {"type": "static_select", "options": _options(Signal.Urgency.choices)},
                optional=True,
            ),
        ]
    return {
        "type": "modal",
        "callback_id": MODAL,
        "private_metadata": draft.external_id,
        "title": _plain("Send to Idea Intake"),
        "submit": _plain("Send"),
        "close": _plain("Cancel"),
        "blocks": blocks,
    }


def form_values(view: dict) -> dict[str, str]:
    """The modal's inputs by block id, as text ("" when left empty)."""
    found = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        element = actions.get("value") or {}
        selected = element.get("selected_option") or {}
        found[block_id] = (element.get("value") or selected.get("value") or "").strip()
    return found


def choices(draft: Draft, matches: list[duplicates.Match]) -> list[dict]:
    """The similar ideas, each with "This is my idea too", and a "New idea" button."""
    blocks = [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"Before I save *{escape(draft.title)}*: these ideas look the same. "
                "If one of them is yours, add your voice to it.",
            },
        }
    ]
    for match in matches:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{escape(match.idea.title)}*\n{match.idea.get_status_display()}",
                },
                "accessory": {
                    "type": "button",
                    "text": _plain("This is my idea too"),
                    "action_id": f"{BACK_IDEA}_{match.idea.pk}",
                    "value": f"{draft.external_id}|{match.idea.pk}",
                },
            }
        )
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": _plain("New idea"),
                    "action_id": NEW_IDEA,
                    "value": draft.external_id,
                    "style": "primary",
                }
            ],
        }
    )
    return blocks


def choices_view(draft: Draft, matches: list[duplicates.Match]) -> dict:
    return {
        "type": "modal",
        "title": _plain("Similar ideas"),
        "close": _plain("Close"),
        "private_metadata": draft.external_id,
        "blocks": choices(draft, matches),
    }


def thanks(signal: Signal, *, created: bool, backed: bool) -> str:
    """What the sender reads once it is stored (plain text)."""
    if not created:
        return f"You already sent this to Idea Intake: “{signal.idea.title}”."
    what = "Your voice is added to" if backed else "Thanks! Recorded as a new idea:"
    return (
        f"{what} “{signal.idea.title}”. You will hear here and by e-mail when it is planned, "
        f"shipped or declined. Follow your ideas at {settings.SITE_URL}/my/."
    )


def done_view(text: str) -> dict:
    return {
        "type": "modal",
        "title": _plain("Idea Intake"),
        "close": _plain("Close"),
        "blocks": [{"type": "section", "text": _plain(text)}],
    }


USAGE = "Write your idea after the command, e.g. `/idea Exit nodes chosen by country`."
EXPIRED = "That draft has expired (they wait an hour). Please send it again."
FAILED = "Sorry, Idea Intake could not finish that just now; nothing was saved. Please try again."
