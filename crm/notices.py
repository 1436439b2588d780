"""The sales loop closed: when a roadmap item ships, each account owner whose customers asked
for it is told once, naming those customers: by Slack DM where Slack knows their address
(SLACK_BOT_TOKEN set), else by e-mail. The item's internal title is fine here: account owners
are employees."""

from __future__ import annotations

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from intake.models import Signal
from roadmap.models import RoadmapItem

from .models import AccountOwnerNotice

logger = logging.getLogger(__name__)


def owners_of(item: RoadmapItem) -> dict[str, tuple[str, list[str]]]:
    """Owner e-mail (lower-case) → (owner name, sorted customer names), in one query."""
    rows = (
        Signal.objects.filter(idea__roadmap_items=item, organization__isnull=False)
        .exclude(organization__account_owner_email="")
        .values_list(
            "organization__account_owner_email",
            "organization__account_owner_name",
            "organization__name",
        )
        .distinct()
    )
    found: dict[str, tuple[str, set[str]]] = defaultdict(lambda: ("", set()))
    for email, name, customer in rows:
        key = email.strip().lower()
        _, customers = found[key]
        customers.add(customer)
        found[key] = (name or found[key][0], customers)
    return {email: (name, sorted(customers)) for email, (name, customers) in found.items()}


def _message(item: RoadmapItem, owner_name: str, customers: list[str]) -> tuple[str, str]:
    names = ", ".join(customers)
    subject = f"Shipped: {item.title}, asked for by {names}"
    greeting = f"Hello {owner_name}," if owner_name else "Hello,"
    body = (
        f"{greeting}\n\n“{item.title}” has shipped. Your customers asked for it: {names}.\n\n"
        f"Tell them it is here. The roadmap item: {settings.SITE_URL}/roadmap/internal/\n"
    )
    return subject, body


def _slack_user(client: WebClient, email: str) -> str | None:
    try:
        return client.users_lookupByEmail(email=email)["user"]["id"]
    except SlackApiError as exc:
        if exc.response.get("error") == "users_not_found":
            return None
        raise


def tell_account_owners(*, item_id: int) -> int:
    """Tell each account owner once per item; returns how many were told now.

    A (item, owner) row is claimed before anything is sent, so a repeated event or a retry
    tells nobody twice; a failed send is released and raised after the others, for a retry.
    """
    item = RoadmapItem.objects.filter(pk=item_id).first()
    if item is None or item.shipped_at is None:
        return 0
    client = (
        WebClient(token=settings.SLACK_BOT_TOKEN, base_url=settings.SLACK_API_URL)
        if settings.SLACK_BOT_TOKEN
        else None
    )
    told, failures = 0, []
    for email, (owner_name, customers) in sorted(owners_of(item).items()):
        notice, _ = AccountOwnerNotice.objects.get_or_create(
            item=item, owner_email=email, defaults={"customers": ", ".join(customers)}
        )
        claimed = AccountOwnerNotice.objects.filter(pk=notice.pk, sent_at__isnull=True).update(
            sent_at=timezone.now(), error=""
        )
        if not claimed:
            continue
        subject, body = _message(item, owner_name, customers)
        try:
            user = _slack_user(client, email) if client else None
            if user:
                client.chat_postMessage(channel=user, text=f"*{subject}*\n{body}")
                channel = AccountOwnerNotice.Channel.SLACK
            else:
                send_mail(subject, body, None, [email], fail_silently=False)
                channel = AccountOwnerNotice.Channel.EMAIL
        except Exception as exc:  # noqa: BLE001 - released for the retry, then raised
            AccountOwnerNotice.objects.filter(pk=notice.pk).update(
                sent_at=None, error=str(exc)[:500]
            )
            failures.append(exc)
            continue
        AccountOwnerNotice.objects.filter(pk=notice.pk).update(channel=channel)
        told += 1
    if failures:
        raise failures[0]
    return told
