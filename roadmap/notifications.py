"""Closing the loop: tell the people who asked for an idea that it is planned, shipped or
declined, once each, in words for their audience.

Recipients are the employees and sales reps who gave the idea a signal and have an e-mail
address. A sales rep hears what they may tell their customer (customer text, never internal
notes); an employee hears the public summary. A declined idea carries its reason.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from intake.models import Idea, Signal

from .models import Notification

logger = logging.getLogger(__name__)

Audience = Notification.Audience


@dataclass
class Recipient:
    email: str
    audience: str
    organizations: set[str]


def recipients_for(idea: Idea) -> list[Recipient]:
    """One entry per e-mail address; someone who asked both as sales and as an employee is a
    sales rep here (the customer's words matter more to them)."""
    rows = (
        Signal.objects.filter(idea=idea, submitted_by__isnull=False, submitted_by__is_active=True)
        .exclude(submitted_by__email="")
        .values_list("submitted_by__email", "source", "organization__name")
        .order_by("pk")
    )
    found: dict[str, Recipient] = {}
    for email, source, organization in rows:
        key = email.strip().lower()
        recipient = found.setdefault(key, Recipient(email.strip(), Audience.EMPLOYEE, set()))
        # A sales note, or a Sales rep's Slack message naming the customer.
        if source == Signal.Source.SALES or (source == Signal.Source.SLACK and organization):
            recipient.audience = Audience.SALES
            if organization:
                recipient.organizations.add(organization)
    return list(found.values())


VERBS = {
    Idea.Status.PLANNED: "is now planned",
    Idea.Status.SHIPPED: "has shipped",
    Idea.Status.DECLINED: "will not be built",
}


def compose(idea: Idea, status: str, recipient: Recipient) -> tuple[str, str]:
    """The subject and plain-text body for one recipient."""
    verb = VERBS[status]
    subject = f"“{idea.title}” {verb}"
    sales = recipient.audience == Audience.SALES
    if sales:
        customers = ", ".join(sorted(recipient.organizations)) or "your customer"
        lines = [f"The idea you recorded for {customers}, “{idea.title}”, {verb}."]
    else:
        lines = [f"The idea you submitted, “{idea.title}”, {verb}."]
    if status == Idea.Status.DECLINED:
        lines += ["", "Why:", idea.decline_reason]
        if idea.revisit_when:
            lines += ["", f"We will look again when: {idea.revisit_when}"]
    elif sales and idea.customer_summary:
        lines += ["", "What you can tell the customer:", idea.customer_summary]
    elif not sales and idea.public_summary:
        lines += ["", idea.public_summary]
    if sales and status == Idea.Status.PLANNED:
        lines += [
            "",
            "Customers see a horizon (Now, Next, Later), never a date. Share their "
            f"customer roadmap from {settings.SITE_URL}/roadmap/share/.",
        ]
    lines += ["", f"Follow your ideas at {settings.SITE_URL}/my/.", "", "Thank you for asking."]
    return subject, "\n".join(lines)


def notify_idea_status(*, idea_id: int, status: str) -> int:
    """Tell each recipient once that the idea reached `status`; returns how many were sent now.

    Idempotent: a (idea, status, recipient) row is claimed before its e-mail goes out, so a
    retried task sends only what failed before. If the idea moved on before this ran (planned,
    then declined a minute later), nothing is said about the stale status. Raises after trying
    everyone if any e-mail failed, so that the task retries the rest.
    """
    idea = Idea.objects.filter(pk=idea_id).first()
    if idea is None or idea.status != status or status not in VERBS:
        return 0
    sent, failures = 0, []
    for recipient in recipients_for(idea):
        subject, body = compose(idea, status, recipient)
        note, _ = Notification.objects.get_or_create(
            idea=idea,
            status=status,
            recipient=recipient.email,
            defaults={"audience": recipient.audience, "subject": subject, "body": body},
        )
        claimed = Notification.objects.filter(pk=note.pk, sent_at__isnull=True).update(
            sent_at=timezone.now(), error=""
        )
        if not claimed:
            continue
        try:
            send_mail(note.subject, note.body, None, [note.recipient], fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - any mail failure is retried, then logged
            Notification.objects.filter(pk=note.pk).update(sent_at=None, error=str(exc)[:500])
            failures.append(exc)
            continue
        sent += 1
    if failures:
        raise failures[0]
    return sent
