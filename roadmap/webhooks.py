"""Outgoing webhooks: build the body for each webhook, sign it, deliver it, log the answer.

A delivery row is written in the same transaction as the change it reports, and sent after
commit by a Celery task that retries with backoff. Each body is signed with HMAC-SHA256 of the
exact bytes sent, keyed by the webhook's secret, in the `X-Idea-Intake-Signature` header as
`sha256=<hex>`. Public webhooks only ever hear about public roadmap items, in public text.

Webhooks only reach the public internet: a URL whose host is (or resolves to) a loopback,
private, link-local or otherwise non-global address is refused when saved and before every
attempt, and redirects are not followed, so that a webhook cannot probe the internal network.
`WEBHOOK_ALLOW_PRIVATE_ADDRESSES` lifts this for self-hosted setups delivering inside their own
network.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from intake import events
from intake.models import Idea

from .models import RoadmapItem, Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Idea-Intake-Signature"
EVENT_HEADER = "X-Idea-Intake-Event"
DELIVERY_HEADER = "X-Idea-Intake-Delivery"
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 6
# Worth another try: the receiver is down, overloaded or asks us to slow down.
RETRY_CODES = {408, 425, 429, 500, 502, 503, 504}


# NAT64 addresses embed an IPv4 address in their last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    elif ip.version == 6 and ip in _NAT64:
        ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.is_global and not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def non_public_address(url: str) -> str | None:
    """The first address `url`'s host resolves to that is not on the public internet, or None.

    None as well when `WEBHOOK_ALLOW_PRIVATE_ADDRESSES` is on. Raises OSError when the host
    cannot be resolved (or the URL has no host).
    """
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return None
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        raise OSError("the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise OSError("the URL's port is not valid") from exc
    try:
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except UnicodeError as exc:
        raise OSError(f"the host {parts.hostname!r} is not valid") from exc
    for *_, sockaddr in infos:
        if not _is_public(sockaddr[0]):
            return sockaddr[0]
    return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as the receiver's response: following it could lead anywhere,
    the internal network included."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _stage_label(stage: str | None) -> str:
    return dict(RoadmapItem.Stage.choices).get(stage or "", "")


# Events about internal machinery (feature flags): public webhooks never hear of them.
INTERNAL_ONLY_EVENTS = {Webhook.Event.FLAG_KILLED}


def _internal_data(event: str, *, idea=None, item=None, **extra) -> dict:
    if idea is None and item is None:
        return extra
    if idea is not None:
        return {
            "idea": {
                "id": idea.pk,
                "title": idea.title,
                "status": idea.status,
                "pillar": idea.pillar,
                "url": f"{settings.SITE_URL}/admin/intake/idea/{idea.pk}/change/",
            },
            **extra,
        }
    return {
        "roadmap_item": {
            "id": item.pk,
            "title": item.title,
            "stage": item.stage,
            "horizon": item.horizon,
            "visibility": item.visibility,
            "url": f"{settings.SITE_URL}/admin/roadmap/roadmapitem/{item.pk}/change/",
        },
        **extra,
    }


def _public_data(event: str, *, item) -> dict:
    return {
        "roadmap_item": {
            "id": item.pk,
            "title": item.public_title,
            "stage": item.stage,
            "horizon": item.horizon,
            "url": f"{settings.SITE_URL}/roadmap/#item-{item.pk}",
        }
    }


def _slack_text(event: str, data: dict) -> str:
    if event == Webhook.Event.FLAG_KILLED:
        flag = data["flag"]
        return f":rotating_light: Flag {flag['key']} killed: {flag['reason']}"
    if "idea" in data:
        idea = data["idea"]
        label = dict(Idea.Status.choices).get(idea["status"], idea["status"])
        if event == Webhook.Event.IDEA_CREATED:
            return f"New idea: <{idea['url']}|{idea['title']}>"
        return f"Idea <{idea['url']}|{idea['title']}> is now {label.lower()}."
    item = data["roadmap_item"]
    if event == Webhook.Event.ITEM_SHIPPED:
        return f":rocket: Shipped: <{item['url']}|{item['title']}>"
    return f"<{item['url']}|{item['title']}> moved to {_stage_label(item['stage'])}."


def build_body(webhook: Webhook, event: str, *, idea=None, item=None, **extra) -> str | None:
    """The body `webhook` receives for this event, or None if it must not hear of it."""
    if webhook.audience == Webhook.Audience.PUBLIC:
        if (
            event in INTERNAL_ONLY_EVENTS
            or item is None
            or item.visibility != RoadmapItem.Visibility.PUBLIC
            or not item.public_title
        ):
            return None
        data = _public_data(event, item=item)
    else:
        data = _internal_data(event, idea=idea, item=item, **extra)
    if webhook.payload_format == Webhook.Format.SLACK:
        payload = {"text": _slack_text(event, data)}
    else:
        payload = {"event": event, "sent_at": timezone.now().isoformat(), "data": data}
    return json.dumps(payload, sort_keys=True, default=str)


def queue_event(
    event: str, *, idea=None, item=None, event_key: str = "", **extra
) -> list[WebhookDelivery]:
    """Record one delivery per interested active webhook, each sent by its own outbox row.

    With an `event_key` (the domain event's), queueing the same event again adds nothing.
    """
    if "previous_stage" in extra:
        extra["previous_stage"] = extra["previous_stage"] or ""
    deliveries = []
    for webhook in Webhook.objects.filter(active=True):
        if event not in (webhook.events or []):
            continue
        body = build_body(webhook, event, idea=idea, item=item, **extra)
        if body is not None:
            deliveries.append(
                WebhookDelivery(webhook=webhook, event=event, body=body, event_key=event_key)
            )
    if not deliveries:
        return []
    with transaction.atomic():
        if event_key:
            known = set(
                WebhookDelivery.objects.filter(event_key=event_key).values_list(
                    "webhook_id", flat=True
                )
            )
            deliveries = [d for d in deliveries if d.webhook_id not in known]
        WebhookDelivery.objects.bulk_create(deliveries)
        send_deliveries([d.pk for d in deliveries])
    return deliveries


def send_deliveries(delivery_ids: list[int], *, delay_seconds: float = 0) -> None:
    """Promise each delivery an attempt, in the caller's transaction (the outbox)."""
    for pk in delivery_ids:
        events.record("webhook.delivery_due", delivery_id=pk, delay_seconds=delay_seconds)


def attempt_delivery(delivery_id: int, *, final: bool = False) -> bool:
    """POST the delivery once; returns True when another attempt is worthwhile.

    Already delivered deliveries are not sent again (a retried task is harmless). `final`
    marks the delivery failed instead of leaving it pending for another attempt.
    """
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == WebhookDelivery.Status.DELIVERED:
        return False
    webhook = delivery.webhook
    try:
        refused = non_public_address(webhook.url)
    except OSError:
        refused = None  # unresolvable: urlopen fails below, as any network error, and retries
    if refused is not None:
        logger.warning(
            "Webhook %s delivery %s refused: %s resolves to %s, not a public address",
            webhook.pk,
            delivery.pk,
            urllib.parse.urlsplit(webhook.url).hostname,
            refused,
        )
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            attempts=delivery.attempts + 1,
            response_code=None,
            error="Refused, no request made: the URL's host is not a public internet address "
            "(loopback, private, link-local or reserved).",
            status=WebhookDelivery.Status.FAILED,
            delivered_at=None,
        )
        return False
    body = delivery.body.encode()
    request = urllib.request.Request(  # noqa: S310 - the admin configures http(s) URLs only
        webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "idea-intake-webhooks/1",
            SIGNATURE_HEADER: sign(webhook.secret, body),
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: str(delivery.pk),
        },
    )
    code, error = None, ""
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            code = response.status
    except urllib.error.HTTPError as exc:
        code, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        error = str(getattr(exc, "reason", exc))[:500]
    delivered = code is not None and 200 <= code < 300
    retry = not delivered and (code is None or code in RETRY_CODES) and not final
    if delivered:
        status = WebhookDelivery.Status.DELIVERED
    elif retry:
        status = WebhookDelivery.Status.PENDING
    else:
        status = WebhookDelivery.Status.FAILED
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=delivery.attempts + 1,
        response_code=code,
        error=error,
        status=status,
        delivered_at=timezone.now() if delivered else None,
    )
    if not delivered:
        logger.warning("Webhook %s delivery %s failed (%s)", webhook.pk, delivery.pk, error or code)
    return retry
