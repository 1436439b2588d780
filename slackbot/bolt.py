"""The Bolt app: which Slack request runs which listener. Listeners stay thin (services.py).

`process_before_response`: each listener finishes before Slack gets its answer, inside the
request (no threads holding database connections after it). The work is a user lookup, one
duplicate search and one or two Web API calls, well within Slack's three seconds.
"""

from __future__ import annotations

import re
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from slack_bolt import App, BoltResponse
from slack_bolt.adapter.django import SlackRequestHandler
from slack_sdk import WebClient

from intake.models import Idea, Signal
from intake.roles import is_sales

from . import blocks, services
from .services import Draft, Refused

SHORTCUT = "send_to_idea_intake"


def request_handler() -> SlackRequestHandler:
    return _handler(settings.SLACK_BOT_TOKEN, settings.SLACK_SIGNING_SECRET, settings.SLACK_API_URL)


def web_client() -> WebClient:
    return WebClient(token=settings.SLACK_BOT_TOKEN, base_url=settings.SLACK_API_URL)


@cache
def _handler(token: str, signing_secret: str, api_url: str) -> SlackRequestHandler:
    # The client carries the token and SLACK_API_URL. (Bolt also reads SLACK_BOT_TOKEN from the
    # environment and then warns once that the client's token wins: it is the same token.)
    app = App(
        signing_secret=signing_secret,
        client=WebClient(token=token, base_url=api_url),
        process_before_response=True,
        token_verification_enabled=False,  # no call to Slack while the app is being built
    )
    app.command("/idea")(idea_command)
    app.shortcut(SHORTCUT)(message_shortcut)
    app.view(blocks.MODAL)(modal_submitted)
    app.action(re.compile(rf"^{blocks.BACK_IDEA}_\d+$"))(choice_made)
    app.action(blocks.NEW_IDEA)(choice_made)
    app.error(failed)
    return SlackRequestHandler(app)


def failed(error: Exception) -> BoltResponse:
    """A listener failed (Bolt has logged it): what it wrote is rolled back (the view runs it
    in a transaction), and Slack gets a 200 with, for a slash command, a sentence the person
    sees, rather than a bare 500."""
    if transaction.get_connection().in_atomic_block:
        transaction.set_rollback(True)
    return BoltResponse(status=200, body=blocks.FAILED)


def _ephemeral(client: WebClient, *, channel: str, user: str, text: str, **extra) -> None:
    client.chat_postEphemeral(channel=channel, user=user, text=text, **extra)


def idea_command(ack, command: dict, client: WebClient) -> None:
    """`/idea <text>`: stored at once, unless it looks like ideas we have; then ask."""
    ack()
    channel, user_id = command["channel_id"], command["user_id"]
    try:
        person = services.person_for(client, user_id)
    except Refused as refusal:
        _ephemeral(client, channel=channel, user=user_id, text=str(refusal))
        return
    text = (command.get("text") or "").strip()
    if not text:
        _ephemeral(client, channel=channel, user=user_id, text=blocks.USAGE)
        return
    draft = Draft(
        external_id=f"command:{command.get('team_id', '')}:{command['trigger_id']}",
        slack_user_id=user_id,
        channel_id=channel,
        title=services.title_from(text),
        text=text,
    )
    _offer_or_record(client, draft, person)


def _offer_or_record(client: WebClient, draft: Draft, person) -> None:
    matches = services.similar_ideas(draft)
    if matches:
        draft.save()
        _ephemeral(
            client,
            channel=draft.channel_id,
            user=draft.slack_user_id,
            text=f"These ideas look like “{draft.title}”. Is yours one of them?",
            blocks=blocks.choices(draft, matches),
        )
        return
    try:
        signal, created = services.record(draft, user=person, idea_id=None)
    except ValidationError as error:
        text = " ".join(error.messages)
    else:
        text = blocks.thanks(signal, created=created, backed=False)
    _ephemeral(client, channel=draft.channel_id, user=draft.slack_user_id, text=text)


def message_shortcut(ack, shortcut: dict, client: WebClient) -> None:
    """ "Send to Idea Intake" on a message: a modal with the title prefilled."""
    ack()
    user_id, channel = shortcut["user"]["id"], shortcut["channel"]["id"]
    try:
        person = services.person_for(client, user_id)
    except Refused as refusal:
        _ephemeral(client, channel=channel, user=user_id, text=str(refusal))
        return
    message = shortcut.get("message") or {}
    link = client.chat_getPermalink(channel=channel, message_ts=message["ts"])
    team = (shortcut.get("team") or {}).get("id", "")
    draft = Draft(
        external_id=f"message:{team}:{channel}:{message['ts']}:{user_id}",
        slack_user_id=user_id,
        channel_id=channel,
        title=services.title_from(message.get("text") or ""),
        text=message.get("text") or "",
        url=link.get("permalink") or "",
    ).save()
    client.views_open(
        trigger_id=shortcut["trigger_id"], view=blocks.idea_modal(draft, sales=is_sales(person))
    )


def modal_submitted(ack, body: dict, view: dict, client: WebClient) -> None:
    draft = Draft.load(view.get("private_metadata") or "")
    if draft is None or draft.slack_user_id != body["user"]["id"]:
        ack(response_action="update", view=blocks.done_view(blocks.EXPIRED))
        return
    try:
        person = services.person_for(client, body["user"]["id"])
    except Refused as refusal:
        ack(response_action="update", view=blocks.done_view(str(refusal)))
        return
    values = blocks.form_values(view)
    draft.title = values.get("title", "")
    draft.pillar = values.get("pillar") or Idea.Pillar.FEATURE
    draft.customer = values.get("customer", "")
    draft.arr_at_stake = values.get("arr_at_stake", "")
    draft.urgency = values.get("urgency", "")
    errors = _check(draft)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    matches = services.similar_ideas(draft)
    if matches:
        draft.save()
        ack(response_action="update", view=blocks.choices_view(draft, matches))
        return
    try:
        signal, created = services.record(draft, user=person, idea_id=None)
    except ValidationError as error:
        ack(response_action="errors", errors=_field_errors(error))
        return
    thanks = blocks.thanks(signal, created=created, backed=False)
    ack(response_action="update", view=blocks.done_view(thanks))


def _check(draft: Draft) -> dict[str, str]:
    """What Slack's own input checks can't say, by block id (the service checks the rest)."""
    errors = {}
    if not draft.title.strip():
        errors["title"] = "Give the idea a title."
    if draft.arr_at_stake:
        try:
            float(draft.arr_at_stake)
        except ValueError:
            errors["arr_at_stake"] = "Write the ARR as a number."
    if draft.urgency and draft.urgency not in Signal.Urgency.values:
        errors["urgency"] = "Choose how urgent this is."
    return errors


def _field_errors(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "message_dict"):
        known = {"title", "pillar", "customer", "arr_at_stake", "urgency"}
        return {
            (field if field in known else "title"): " ".join(messages)
            for field, messages in error.message_dict.items()
        }
    return {"title": " ".join(error.messages)}


def choice_made(ack, body: dict, action: dict, client: WebClient) -> None:
    """A button under the similar ideas: back one of them, or make a new idea."""
    ack()
    external_id, _, idea_id = action["value"].partition("|")
    user_id = body["user"]["id"]
    draft = Draft.load(external_id)
    view = body.get("view")
    if draft is None or draft.slack_user_id != user_id:
        text = blocks.EXPIRED
    else:
        try:
            person = services.person_for(client, user_id)
            signal, created = services.record(
                draft, user=person, idea_id=int(idea_id) if idea_id else None
            )
        except Refused as refusal:
            text = str(refusal)
        except ValidationError as error:
            text = " ".join(error.messages)
        else:
            text = blocks.thanks(signal, created=created, backed=bool(idea_id))
    if view:
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=blocks.done_view(text))
    else:
        channel = (body.get("channel") or {}).get("id") or (draft.channel_id if draft else "")
        _ephemeral(client, channel=channel, user=user_id, text=text)
