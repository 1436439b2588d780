"""What the Slack app does, as plain functions over a slack_sdk WebClient.

People are matched by e-mail: the Slack user's profile e-mail (users.info, which needs the
`users:read.email` scope) must be an active Django user with the Employee role. A draft (what
someone is about to send, while they pick among similar ideas) waits in the cache for an hour,
under the external id its signal will have, so that a second click stores nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from intake import duplicates
from intake import services as intake_services
from intake.models import Idea, Signal
from intake.roles import is_employee
from roadmap.notifications import VERBS, compose, recipients_for

from .models import SlackNotification

logger = logging.getLogger(__name__)

DRAFT_SECONDS = 3600
MATCHES = 5  # as many as the web form suggests


class Refused(Exception):
    """This Slack user may not send ideas; the message says how to get access."""


def person_for(client: WebClient, slack_user_id: str):
    """The Django user behind a Slack user, or Refused with what to do about it."""
    try:
        profile = client.users_info(user=slack_user_id)["user"].get("profile") or {}
    except SlackApiError as error:
        logger.warning("Slack users.info for %s failed: %s", slack_user_id, error.response["error"])
        profile = {}
    email = (profile.get("email") or "").strip()
    how = (
        f"Ask an Idea Intake admin to give the account with your work e-mail the Employee role "
        f"({settings.SITE_URL}/admin/auth/user/), then try again."
    )
    if not email:
        raise Refused(f"Sorry, I can't see your e-mail address in Slack, so I can't tell who you "
                      f"are in Idea Intake. {how}")  # fmt: skip
    user = (
        get_user_model()
        .objects.filter(email__iexact=email, is_active=True)
        .order_by("-is_superuser", "pk")
        .first()
    )
    if user is None or not is_employee(user):
        raise Refused(f"Sorry, Idea Intake has no employee account for {email}. {how}")
    return user


@dataclass
class Draft:
    """What someone is sending, until they say whether it is a new idea or an existing one."""

    external_id: str
    slack_user_id: str
    channel_id: str
    title: str
    text: str
    url: str = ""
    pillar: str = Idea.Pillar.FEATURE
    customer: str = ""
    arr_at_stake: str = ""  # a Decimal as text, to stay cache- and JSON-friendly
    urgency: str = ""

    def save(self) -> Draft:
        cache.set(f"slackbot:draft:{self.external_id}", asdict(self), DRAFT_SECONDS)
        return self

    @classmethod
    def load(cls, external_id: str) -> Draft | None:
        found = cache.get(f"slackbot:draft:{external_id}")
        return cls(**found) if found else None


def title_from(text: str) -> str:
    """A title from a message: its first non-empty line, cut at a word near 200 characters."""
    line = next((part.strip() for part in (text or "").splitlines() if part.strip()), "")
    if len(line) <= 200:
        return line
    cut = line[:199].rsplit(" ", 1)[0]
    return cut + "…"


def similar_ideas(draft: Draft) -> list[duplicates.Match]:
    """The ideas that look like the draft, by the same engine and on the title as the web form."""
    return duplicates.find_similar(draft.title, limit=MATCHES)


def record(draft: Draft, *, user, idea_id: int | None) -> tuple[Signal, bool]:
    """Store the draft as a Slack signal on `idea_id` (or a new idea); (signal, created)."""
    signal, created = intake_services.submit_slack_message(
        user=user,
        title=draft.title,
        text=draft.text,
        external_id=draft.external_id,
        slack_user_id=draft.slack_user_id,
        url=draft.url,
        pillar=draft.pillar,
        idea_id=idea_id,
        customer=draft.customer,
        arr_at_stake=Decimal(draft.arr_at_stake) if draft.arr_at_stake else None,
        urgency=draft.urgency,
    )
    cache.delete(f"slackbot:draft:{draft.external_id}")
    return signal, created


def tell_idea_status(client: WebClient, *, idea_id: int, status: str) -> int:
    """Tell each person who sent the idea from Slack that it reached `status`, in a direct
    message with the same words as their e-mail. Returns how many were sent now.

    Once per (idea, status, Slack user), however often it runs; nothing is said about a status
    the idea has already left. Raises after trying everyone if a message failed, so that a
    retry sends only those.
    """
    idea = Idea.objects.filter(pk=idea_id).first()
    if idea is None or idea.status != status or status not in VERBS:
        return 0
    by_email = {r.email.lower(): r for r in recipients_for(idea)}
    speakers: dict[str, str] = {}
    for email, raw in (
        Signal.objects.filter(idea=idea, source=Signal.Source.SLACK, submitted_by__is_active=True)
        .values_list("submitted_by__email", "raw")
        .order_by("pk")
    ):
        slack_user_id = (raw or {}).get("slack_user_id")
        if slack_user_id and email and email.lower() in by_email:
            speakers.setdefault(slack_user_id, email.lower())
    sent, failures = 0, []
    for slack_user_id, email in speakers.items():
        subject, body = compose(idea, status, by_email[email])
        note, _ = SlackNotification.objects.get_or_create(
            idea=idea,
            status=status,
            slack_user_id=slack_user_id,
            defaults={"text": f"{subject}\n\n{body}"},
        )
        with transaction.atomic():
            claimed = SlackNotification.objects.filter(pk=note.pk, sent_at__isnull=True).update(
                sent_at=timezone.now(), error=""
            )
        if not claimed:
            continue
        try:
            # Plain text: the e-mail's words exactly, nothing read as Slack markup.
            client.chat_postMessage(channel=slack_user_id, text=note.text, mrkdwn=False)
        except SlackApiError as error:
            SlackNotification.objects.filter(pk=note.pk).update(
                sent_at=None, error=str(error.response.get("error", error))[:500]
            )
            failures.append(error)
            continue
        sent += 1
    if failures:
        raise failures[0]
    return sent
