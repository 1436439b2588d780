"""Operators choose what delivery reads, and PMs link work by URL or key, in the admin."""

import pytest
from django.conf import settings
from django.urls import reverse

from delivery.models import DeliveryTracker, ItemDelivery, WorkLink
from tests.roadmap.factories import RoadmapItemFactory

from .factories import WorkLinkFactory


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_tracker_scope_is_saved_normalised(admin_client):
    response = admin_client.post(
        reverse("admin:delivery_deliverytracker_add"),
        {"kind": "github", "scope": '[" meshvpn/client "]', "enabled": "on"},
    )

    assert response.status_code == 302
    assert DeliveryTracker.objects.get().scope == ["meshvpn/client"]


def test_bad_scope_is_refused_with_a_message(admin_client):
    response = admin_client.post(
        reverse("admin:delivery_deliverytracker_add"),
        {"kind": "jira", "scope": '["not a project"]', "enabled": "on"},
    )

    assert response.status_code == 200
    assert "List Jira project keys" in response.content.decode()
    assert not DeliveryTracker.objects.exists()


def test_work_is_linked_by_url_and_counted(admin_client):
    item = RoadmapItemFactory()

    response = admin_client.post(
        reverse("admin:delivery_worklink_add"),
        {"item": item.pk, "ref": "https://github.com/meshvpn/client/pull/42"},
    )

    assert response.status_code == 302
    link = WorkLink.objects.get()
    assert (link.key, link.kind, link.linked_by) == ("meshvpn/client#42", "pull", "admin")
    assert ItemDelivery.objects.get(item=item).total_count == 1


def test_a_url_of_no_tracker_is_refused_and_nothing_saved(admin_client):
    item = RoadmapItemFactory()

    response = admin_client.post(
        reverse("admin:delivery_worklink_add"),
        {"item": item.pk, "ref": "https://example.com/some/page"},
    )

    assert response.status_code == 200
    assert "Not a GitHub or Jira URL or key." in response.content.decode()
    assert not WorkLink.objects.exists()


def test_the_same_work_is_not_linked_twice(admin_client):
    link = WorkLinkFactory(key="meshvpn/client#7")

    response = admin_client.post(
        reverse("admin:delivery_worklink_add"), {"item": link.item_id, "ref": "meshvpn/client#7"}
    )

    assert "already linked" in response.content.decode()
    assert WorkLink.objects.count() == 1


def test_sync_health_lists_failing_links(admin_client):
    WorkLinkFactory(last_error="HTTP 404 (deleted, moved or private)")

    page = admin_client.get(reverse("admin:delivery_worklink_changelist")).content.decode()

    assert "HTTP 404 (deleted, moved or private)" in page


def test_beat_runs_the_delivery_sync():
    entry = settings.CELERY_BEAT_SCHEDULE["delivery-sync"]

    assert entry["task"] == "delivery.sync"
    assert entry["schedule"] > 0


def test_the_sync_task_runs_one_sync(db):
    from delivery.tasks import sync_delivery

    assert sync_delivery.delay().get() == {"changes": 0, "failures": 0}
