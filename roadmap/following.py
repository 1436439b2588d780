"""Following a roadmap item by e-mail, without an account.

Double opt-in: following stores the address unconfirmed and sends one confirmation e-mail
with a signed link; nothing else is ever sent to an address until it confirms. A confirmed
follower hears once when the item moves to Now and once when it ships, in the words of their
audience (public or customer text, never internal text), each e-mail with a one-click
unsubscribe (RFC 8058). Unsubscribing deletes the row: the address is kept only for this.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from intake import events

from . import selectors
from .models import CustomerAccount, Follower, FollowNotice, RoadmapItem

logger = logging.getLogger(__name__)

Audience = Follower.Audience
Kind = FollowNotice.Kind
CONFIRM_SALT = "roadmap.follow.confirm"
UNSUBSCRIBE_SALT = "roadmap.follow.unsubscribe"
# Followers are mailed in batches: memory stays flat for an item with many thousands.
BATCH_SIZE = 500


def normalise_email(value: str) -> str:
    """The form an address is stored, compared and rate-limited in; raises ValidationError."""
    email = (value or "").strip().lower()
    if len(email) > 254:
        raise ValidationError({"email": "Enter a valid e-mail address."})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid e-mail address."}) from None
    return email


def confirm_max_age() -> timedelta:
    return timedelta(days=settings.FOLLOW_CONFIRM_DAYS)


# Links ------------------------------------------------------------------------------------------


def _token(follower: Follower, salt: str) -> str:
    return signing.dumps({"id": follower.pk, "n": follower.nonce}, salt=salt, compress=True)


def confirm_url(follower: Follower) -> str:
    path = reverse("roadmap:follow-confirm", args=[_token(follower, CONFIRM_SALT)])
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(follower: Follower) -> str:
    path = reverse("roadmap:follow-unsubscribe", args=[_token(follower, UNSUBSCRIBE_SALT)])
    return f"{settings.SITE_URL}{path}"


class LinkExpired(Exception):
    """A well-signed link that is too old, or whose follower is gone."""


class LinkInvalid(Exception):
    """A link that was not made here (tampered, truncated, another salt)."""


def _follower_of(token: str, *, salt: str, max_age: timedelta | None) -> Follower | None:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        raise LinkInvalid
    return Follower.objects.filter(pk=data["id"], nonce=str(data.get("n"))).first()


# Services ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Followed:
    follower: Follower
    item: selectors.OutsideItem
    # False when the address already followed (confirmed): no e-mail is promised.
    confirmation_sent: bool


def follow(*, item_id: int, email: str, organization=None) -> Followed:
    """Start following `item_id` at `email`: public wording, or customer wording when
    `organization` is the verified customer's own. Raises ValidationError if the audience
    cannot see the item or the address is not one.

    Guarantees: one row per (item, address) however often this runs; an unconfirmed row gets a
    (new) confirmation e-mail, sent after commit by the outbox (`item.follow_requested`), a
    confirmed one nothing; a follower is never moved from customer to public wording by a
    request that is not the customer's own.
    """
    email = normalise_email(email)
    audience = Audience.CUSTOMER if organization is not None else Audience.PUBLIC
    item = selectors.followable_item(item_id=item_id, audience=audience)
    if item is None:
        raise ValidationError({"item": "There is no such item on this roadmap."})
    with transaction.atomic():
        follower = Follower.objects.select_for_update().filter(item_id=item_id, email=email).first()
        if follower is None:
            try:
                with transaction.atomic():
                    follower = Follower.objects.create(
                        item_id=item_id, email=email, audience=audience, organization=organization
                    )
            except IntegrityError:  # another request made it a moment ago
                follower = Follower.objects.select_for_update().get(item_id=item_id, email=email)
        if organization is not None and follower.audience != Audience.CUSTOMER:
            follower.audience, follower.organization = Audience.CUSTOMER, organization
            follower.save(update_fields=["audience", "organization"])
        if follower.confirmed_at is not None:
            return Followed(follower=follower, item=item, confirmation_sent=False)
        events.record("item.follow_requested", follower_id=follower.pk)
    return Followed(follower=follower, item=item, confirmation_sent=True)


def send_confirmation(*, follower_id: int, event_key: str) -> bool:
    """Send the confirmation e-mail a follow request promised; returns whether it went now.

    Once per request: the request's event key is claimed on the row before sending, so a
    handler that runs twice sends once. Nothing for a follower that confirmed meanwhile, was
    unsubscribed or purged, or whose item its audience no longer sees. A failed send releases
    the claim and raises, so that the outbox tries again.
    """
    claimed = (
        Follower.objects.filter(pk=follower_id, confirmed_at__isnull=True)
        .exclude(confirmation_key=event_key)
        .update(confirmation_key=event_key)
    )
    follower = Follower.objects.filter(pk=follower_id).first() if claimed else None
    if follower is None:
        return False
    item = selectors.followable_item(item_id=follower.item_id, audience=follower.audience)
    if item is None:
        return False
    try:
        _confirmation(follower, item).send()
    except Exception:
        Follower.objects.filter(pk=follower_id, confirmation_key=event_key).update(
            confirmation_key=""
        )
        raise
    return True


def _confirmation(follower: Follower, item: selectors.OutsideItem) -> EmailMessage:
    days = settings.FOLLOW_CONFIRM_DAYS
    body = "\n".join(
        [
            f"Someone, hopefully you, asked to follow “{item.title}” on our roadmap.",
            "",
            "To confirm, open this link:",
            confirm_url(follower),
            "",
            "You will then get one e-mail when it moves to Now and one when it ships, nothing"
            " else.",
            f"If you did not ask, ignore this e-mail: the address is forgotten in {days} days.",
        ]
    )
    return EmailMessage(f"Confirm: follow “{item.title}”", body, to=[follower.email])


def confirm(*, token: str) -> tuple[Follower, selectors.OutsideItem | None]:
    """Confirm the follower a confirmation link names; confirming twice changes nothing.
    Raises LinkInvalid (not ours) or LinkExpired (too old, or the follower is gone)."""
    follower = _follower_of(token, salt=CONFIRM_SALT, max_age=confirm_max_age())
    if follower is None:
        raise LinkExpired
    Follower.objects.filter(pk=follower.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )
    item = selectors.followable_item(item_id=follower.item_id, audience=follower.audience)
    return follower, item


def check_unsubscribe(*, token: str) -> None:
    """Raise LinkInvalid if an unsubscribe link was not made here (a gone follower is fine:
    the page still offers the button, and pressing it is harmless)."""
    _follower_of(token, salt=UNSUBSCRIBE_SALT, max_age=None)


def unsubscribe(*, token: str) -> bool:
    """Delete the follower (and with it the address) an unsubscribe link names; returns
    whether a row went now. Raises LinkInvalid for a link not made here."""
    follower = _follower_of(token, salt=UNSUBSCRIBE_SALT, max_age=None)
    if follower is None:
        return False
    deleted, _ = Follower.objects.filter(pk=follower.pk).delete()
    return bool(deleted)


def purge_unconfirmed() -> int:
    """Forget addresses that never confirmed within FOLLOW_CONFIRM_DAYS; returns how many."""
    cutoff = timezone.now() - confirm_max_age()
    deleted, _ = Follower.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
    return deleted


# Notices ----------------------------------------------------------------------------------------

SUBJECTS = {Kind.NOW: "“{title}” is now being built", Kind.SHIPPED: "“{title}” has shipped"}
OPENINGS = {
    Kind.NOW: "“{title}”, which you follow, moved to Now: it is being built.",
    Kind.SHIPPED: "“{title}”, which you follow, has shipped.",
}


def _still_true(item: RoadmapItem, kind: str) -> bool:
    # A notice about a stale state says nothing (moved to Now, then back to Next a minute later).
    if kind == Kind.SHIPPED:
        return item.stage == RoadmapItem.Stage.SHIPPED
    return item.horizon == RoadmapItem.Horizon.NOW and item.stage != RoadmapItem.Stage.SHIPPED


def _notice(follower: Follower, item: selectors.OutsideItem, kind: str) -> EmailMessage:
    roadmap = f"{settings.SITE_URL}{reverse('roadmap:' + follower.audience)}"
    unsubscribe = unsubscribe_url(follower)
    lines = [OPENINGS[kind].format(title=item.title)]
    if item.description:
        lines += ["", item.description]
    if item.needs_client:
        lines += ["", f"It requires client {item.min_client_version} or newer."]
    lines += [
        "",
        f"The roadmap: {roadmap}",
        "",
        "You get this because you follow this item. To stop, unsubscribe:",
        unsubscribe,
    ]
    return EmailMessage(
        SUBJECTS[kind].format(title=item.title),
        "\n".join(lines),
        to=[follower.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def notify_followers(*, item_id: int, kind: str) -> int:
    """Tell each confirmed follower of the item once that it moved to Now (or shipped), in
    their audience's words; returns how many were sent now.

    Idempotent: each (follower, kind) notice is claimed before its e-mail goes out, so a retry
    sends only what failed. A follower whose audience no longer sees the item hears nothing.
    Queries per batch are constant (the sends aside). Raises after trying everyone if any
    e-mail failed, so that the task retries the rest.
    """
    item = RoadmapItem.objects.filter(pk=item_id).only("horizon", "stage").first()
    if item is None or kind not in Kind.values or not _still_true(item, kind):
        return 0
    texts = {
        audience: selectors.followable_item(item_id=item_id, audience=audience)
        for audience in Audience.values
    }
    audiences = [audience for audience, text in texts.items() if text is not None]
    told = FollowNotice.objects.filter(follower=OuterRef("pk"), kind=kind, sent_at__isnull=False)
    # Customer text only while the address is still an active login of that customer: someone
    # who left the organization hears nothing more in its words.
    still_customer = CustomerAccount.objects.filter(
        organization=OuterRef("organization"),
        user__is_active=True,
        user__email__iexact=OuterRef("email"),
    )
    pending = Follower.objects.filter(
        Q(audience=Audience.PUBLIC) | Q(Exists(still_customer), audience=Audience.CUSTOMER),
        item_id=item_id,
        confirmed_at__isnull=False,
        audience__in=audiences,
    ).filter(~Exists(told))
    # One connection for the whole run, not one per e-mail.
    connection = get_connection()
    connection.open()
    try:
        sent, failures = _send_batches(pending, texts, kind, connection)
    finally:
        connection.close()
    if failures:
        raise failures[0]
    return sent


def _send_batches(pending, texts, kind, connection) -> tuple[int, list[Exception]]:
    sent, failures = 0, []
    last_pk = 0
    while True:
        batch = list(pending.filter(pk__gt=last_pk).order_by("pk")[:BATCH_SIZE])
        if not batch:
            break
        last_pk = batch[-1].pk
        FollowNotice.objects.bulk_create(
            [FollowNotice(follower=f, kind=kind) for f in batch], ignore_conflicts=True
        )
        claim = uuid.uuid4().hex
        FollowNotice.objects.filter(follower__in=batch, kind=kind, sent_at__isnull=True).update(
            sent_at=timezone.now(), claim=claim, error=""
        )
        claimed = set(
            FollowNotice.objects.filter(follower__in=batch, kind=kind, claim=claim).values_list(
                "follower_id", flat=True
            )
        )
        for follower in batch:
            if follower.pk not in claimed:
                continue
            message = _notice(follower, texts[follower.audience], kind)
            message.connection = connection
            try:
                message.send()
            except Exception as exc:  # noqa: BLE001 - any mail failure is retried, then logged
                FollowNotice.objects.filter(follower=follower, kind=kind).update(
                    sent_at=None, error=str(exc)[:500]
                )
                failures.append(exc)
                continue
            sent += 1
    return sent, failures
