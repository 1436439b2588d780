"""Outgoing webhooks: signed, retried with backoff, logged; Slack-compatible; public-safe."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from intake import services as intake_services
from intake.models import OutboxEvent
from roadmap import handlers, services, webhooks
from roadmap.models import Webhook, WebhookDelivery
from tests.factories import IdeaFactory
from tests.roadmap.factories import PublicItemFactory, RoadmapItemFactory, WebhookFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_addresses_allowed(settings):
    """The receiver listens on 127.0.0.1, which webhooks may only reach when allowed."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


class Receiver:
    """A webhook receiver on 127.0.0.1 that answers with the codes it is told to, in turn."""

    def __init__(self):
        self.requests: list[dict] = []
        self.codes: list[int] = []
        self.location = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.codes.pop(0) if receiver.codes else 200)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.end_headers()

            do_GET = do_POST  # a followed redirect would arrive as a GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


def test_a_status_change_is_delivered_signed(receiver, django_capture_on_commit_callbacks):
    hook = WebhookFactory(url=receiver.url, events=["idea.status_changed"])
    idea = IdeaFactory(title="Key rotation")
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.set_idea_status(idea=idea, status="planned")
    (request,) = receiver.requests
    expected = hmac.new(hook.secret.encode(), request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Idea-Intake-Signature"] == f"sha256={expected}"
    assert request["headers"]["X-Idea-Intake-Event"] == "idea.status_changed"
    payload = json.loads(request["body"])
    assert payload["data"]["idea"]["title"] == "Key rotation"
    assert payload["data"]["previous_status"] == "new"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("delivered", 200, 1)


def test_a_new_idea_from_the_form_is_announced(
    receiver, employee, django_capture_on_commit_callbacks
):
    WebhookFactory(url=receiver.url, events=["idea.created"])
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.submit_employee_idea(user=employee, title="Dark mode")
    assert json.loads(receiver.requests[0]["body"])["data"]["idea"]["title"] == "Dark mode"


def test_a_webhook_hears_only_the_events_it_chose(receiver, django_capture_on_commit_callbacks):
    WebhookFactory(url=receiver.url, events=["roadmap_item.shipped"])
    item = RoadmapItemFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_item_stage(item=item, stage="beta")
        intake_services.set_idea_status(idea=IdeaFactory(), status="planned")
    assert receiver.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        services.set_item_stage(item=item, stage="shipped")
    assert [r["headers"]["X-Idea-Intake-Event"] for r in receiver.requests] == [
        "roadmap_item.shipped"
    ]


def test_a_failing_receiver_is_retried_until_it_answers(
    receiver, django_capture_on_commit_callbacks
):
    receiver.codes = [503, 500]
    WebhookFactory(url=receiver.url, events=["roadmap_item.stage_changed"])
    with django_capture_on_commit_callbacks(execute=True):
        services.set_item_stage(item=RoadmapItemFactory(), stage="alpha")
    assert len(receiver.requests) == 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("delivered", 200, 3)


def test_a_receiver_that_never_answers_is_given_up_on_and_logged(
    django_capture_on_commit_callbacks,
):
    WebhookFactory(url="http://127.0.0.1:9/closed", events=["roadmap_item.stage_changed"])
    with django_capture_on_commit_callbacks(execute=True):
        services.set_item_stage(item=RoadmapItemFactory(), stage="alpha")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.attempts == webhooks.MAX_ATTEMPTS
    assert delivery.error


def test_a_client_error_is_not_retried(receiver, django_capture_on_commit_callbacks):
    receiver.codes = [410]
    WebhookFactory(url=receiver.url, events=["roadmap_item.stage_changed"])
    with django_capture_on_commit_callbacks(execute=True):
        services.set_item_stage(item=RoadmapItemFactory(), stage="alpha")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("failed", 410, 1)


def test_retrying_a_delivered_delivery_sends_nothing(receiver, django_capture_on_commit_callbacks):
    WebhookFactory(url=receiver.url, events=["roadmap_item.stage_changed"])
    with django_capture_on_commit_callbacks(execute=True):
        services.set_item_stage(item=RoadmapItemFactory(), stage="alpha")
    handlers.deliver_webhook({"delivery_id": WebhookDelivery.objects.get().pk})
    assert len(receiver.requests) == 1


def test_a_failed_attempt_is_retried_later_with_a_doubling_wait(receiver, settings):
    from config.celery import app

    app.conf.task_always_eager = False  # a broker would carry the retry: nothing runs inline
    receiver.codes = [503]
    webhook = WebhookFactory(url=receiver.url, events=["roadmap_item.stage_changed"])
    delivery = WebhookDelivery.objects.create(webhook=webhook, event="x", body="{}", attempts=2)
    handlers.deliver_webhook({"delivery_id": delivery.pk})
    retry = OutboxEvent.objects.get(name="webhook.delivery_due")
    assert retry.payload["delivery_id"] == delivery.pk
    wait = (retry.available_at - timezone.now()).total_seconds()
    assert 110 < wait <= 120  # 30 s × 2² after the third attempt


def test_slack_format_posts_text(receiver, django_capture_on_commit_callbacks):
    WebhookFactory(url=receiver.url, events=["roadmap_item.shipped"], payload_format="slack")
    with django_capture_on_commit_callbacks(execute=True):
        services.set_item_stage(item=RoadmapItemFactory(title="Relay failover"), stage="shipped")
    body = json.loads(receiver.requests[0]["body"])
    assert list(body) == ["text"]
    assert "Shipped" in body["text"] and "Relay failover" in body["text"]


def test_a_public_webhook_never_gets_internal_text(receiver, django_capture_on_commit_callbacks):
    WebhookFactory(
        url=receiver.url,
        events=[choice for choice, _ in Webhook.Event.choices],
        audience="public",
        payload_format="slack",
    )
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.set_idea_status(idea=IdeaFactory(title="Internal idea"), status="planned")
        services.set_item_stage(item=RoadmapItemFactory(title="Internal only"), stage="shipped")
        services.set_item_stage(
            item=PublicItemFactory(title="Internal name", public_title="Faster relays"),
            stage="shipped",
        )
    bodies = [r["body"].decode() for r in receiver.requests]
    assert len(bodies) == 2  # stage changed and shipped, for the public item only
    assert all("Faster relays" in body for body in bodies)
    assert not any("Internal" in body for body in bodies)


def test_the_admin_never_shows_a_webhook_secret(client, superuser):
    hook = WebhookFactory(secret="super-secret-value-123456")
    client.force_login(superuser)
    for url in ("/admin/roadmap/webhook/", f"/admin/roadmap/webhook/{hook.pk}/change/"):
        page = client.get(url).content.decode()
        assert "super-secret-value-123456" not in page
    assert "…3456" in client.get("/admin/roadmap/webhook/").content.decode()


def test_saving_a_webhook_without_a_new_secret_keeps_the_old_one(client, superuser):
    hook = WebhookFactory(secret="super-secret-value-123456")
    client.force_login(superuser)
    response = client.post(
        f"/admin/roadmap/webhook/{hook.pk}/change/",
        {"name": "Renamed", "url": "http://127.0.0.1:9/", "events": ["idea.created"],
         "payload_format": "json", "audience": "internal", "secret": "", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.name, hook.secret) == ("Renamed", "super-secret-value-123456")


def test_a_webhook_url_must_be_http_or_https(client, superuser):
    client.force_login(superuser)
    response = client.post(
        "/admin/roadmap/webhook/add/",
        {"name": "FTP", "url": "ftp://127.0.0.1/hook", "events": ["idea.created"],
         "payload_format": "json", "audience": "internal", "secret": "x" * 20, "active": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert not Webhook.objects.exists()


def _add_webhook(client, url: str):
    return client.post(
        "/admin/roadmap/webhook/add/",
        {"name": "Probe", "url": url, "events": ["idea.created"], "payload_format": "json",
         "audience": "internal", "secret": "x" * 20, "active": "on"},
    )  # fmt: skip


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/", "http://10.0.0.5/", "http://169.254.169.254/", "http://[::1]/"],
)
def test_a_webhook_to_a_non_public_address_is_refused_when_saved(client, superuser, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(superuser)
    response = _add_webhook(client, url)
    assert response.status_code == 200
    assert "not a public internet address" in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_webhook_to_localhost_by_name_is_refused_when_saved(client, superuser, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(superuser)
    response = _add_webhook(client, "http://localhost:8000/hook")
    assert "not a public internet address" in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_webhook_to_a_private_address_may_be_saved_when_allowed(client, superuser):
    client.force_login(superuser)
    assert _add_webhook(client, "http://10.0.0.5/hook").status_code == 302
    assert Webhook.objects.get().url == "http://10.0.0.5/hook"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_delivery_to_a_non_public_address_is_refused_without_a_request(
    receiver, settings, django_capture_on_commit_callbacks, host
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    WebhookFactory(url=receiver.url.replace("127.0.0.1", host), events=["idea.status_changed"])
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.set_idea_status(idea=IdeaFactory(), status="planned")
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 1, None)
    assert "Refused" in delivery.error
    assert "not a public internet address" in delivery.error


@pytest.mark.parametrize("url", ["http://10.0.0.5/", "http://169.254.169.254/latest/meta-data/"])
def test_a_delivery_to_a_private_or_metadata_address_is_refused(
    settings, django_capture_on_commit_callbacks, url
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    WebhookFactory(url=url, events=["idea.status_changed"])
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.set_idea_status(idea=IdeaFactory(), status="planned")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.error.startswith("Refused, no request made")


def test_a_redirect_is_not_followed(receiver, django_capture_on_commit_callbacks):
    elsewhere = Receiver()
    receiver.codes, receiver.location = [302], elsewhere.url
    WebhookFactory(url=receiver.url, events=["idea.status_changed"])
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.set_idea_status(idea=IdeaFactory(), status="planned")
    elsewhere.close()
    assert len(receiver.requests) == 1
    assert elsewhere.requests == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code) == ("failed", 302)
