"""A tracker down, rate limited, or a link to deleted work: shown, and nothing lost."""

from delivery import services
from delivery.models import DeliveryTracker, ItemDelivery, WorkLink
from tests.roadmap.factories import RoadmapItemFactory

from .conftest import github_tracker

REPO = "meshvpn/client"


def test_outage_mid_sync_keeps_every_link_state(db, trackers):
    github_tracker()
    item = RoadmapItemFactory()
    for number in (1, 2):
        trackers.add_issue(REPO, number)
        services.add_link(item=item, ref=f"{REPO}#{number}")
    trackers.close_issue(REPO, 1)
    trackers.close_issue(REPO, 2)
    services.sync_delivery()
    trackers.add_issue(REPO, 3)
    services.add_link(item=item, ref=f"{REPO}#3")
    trackers.close_issue(REPO, 3)
    trackers.fail_next(f"/repos/{REPO}/issues/2", status=503, times=10)

    report = services.sync_delivery()

    tracker = DeliveryTracker.objects.get()
    assert tracker.last_status == DeliveryTracker.Status.FAILED
    assert "503" in tracker.last_error
    assert report.failures
    states = dict(WorkLink.objects.values_list("key", "done"))
    # #1 was read before the outage, #2 keeps its last state, #3 waits for the next sync.
    assert states == {f"{REPO}#1": True, f"{REPO}#2": True, f"{REPO}#3": False}
    assert ItemDelivery.objects.get(item=item).done_count == 2


def test_next_sync_after_an_outage_catches_up(db, trackers):
    github_tracker()
    item = RoadmapItemFactory()
    trackers.add_issue(REPO, 1, labels=(f"roadmap:{item.pk}",))
    trackers.fail_next(f"/repos/{REPO}/issues", status=502, times=2)
    services.sync_delivery()
    assert not WorkLink.objects.exists()

    services.sync_delivery()

    assert WorkLink.objects.filter(item=item, key=f"{REPO}#1").exists()
    assert DeliveryTracker.objects.get().last_status == DeliveryTracker.Status.OK


def test_rate_limit_stops_the_tracker_and_is_shown(db, trackers):
    github_tracker()
    item = RoadmapItemFactory()
    trackers.add_issue(REPO, 1)
    services.add_link(item=item, ref=f"{REPO}#1")
    trackers.fail_next("/repos/", status=429, times=10)

    services.sync_delivery()

    tracker = DeliveryTracker.objects.get()
    assert tracker.last_status == DeliveryTracker.Status.FAILED
    assert "rate limit" in tracker.last_error


def test_link_to_deleted_work_shows_the_error_and_keeps_its_state(db, trackers):
    github_tracker()
    item = RoadmapItemFactory()
    trackers.add_issue(REPO, 1)
    trackers.close_issue(REPO, 1)
    services.add_link(item=item, ref=f"{REPO}#1")
    services.sync_delivery()
    del trackers.issues[(REPO, 1)]

    services.sync_delivery()

    link = WorkLink.objects.get(item=item)
    assert (link.state, link.done) == ("closed", True)
    assert "404" in link.last_error
    assert DeliveryTracker.objects.get().last_status == DeliveryTracker.Status.OK


def test_a_failed_tracker_is_shown_on_its_items(db, trackers, client, employee):
    github_tracker()
    item = RoadmapItemFactory()
    trackers.add_issue(REPO, 1)
    services.add_link(item=item, ref=f"{REPO}#1")
    trackers.fail_next("/repos/", status=503, times=10)
    services.sync_delivery()
    client.force_login(employee)

    page = client.get("/roadmap/internal/").content.decode()

    assert "Last sync failed (GitHub:" in page
    assert "HTTP 503" in page
