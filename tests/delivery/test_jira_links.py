"""Jira issues and epics, through the real `jira` library against a local fake Jira."""

from delivery import services
from delivery.models import DeliveryTracker, ItemDelivery, WorkLink
from tests.roadmap.factories import RoadmapItemFactory

from .conftest import jira_tracker


def test_jira_issue_linked_by_key_follows_its_status_category(db, trackers):
    jira_tracker()
    item = RoadmapItemFactory()
    trackers.add_jira_issue("NET-12")
    services.add_link(item=item, ref="NET-12")
    services.sync_delivery()
    assert WorkLink.objects.get(item=item).state == "To Do"

    trackers.finish_jira_issue("NET-12", status="Released")
    services.sync_delivery()

    link = WorkLink.objects.get(item=item)
    assert (link.state, link.done) == ("Released", True)
    assert link.url == f"{trackers.url}/browse/NET-12"
    assert ItemDelivery.objects.get(item=item).done_count == 1


def test_jira_epic_linked_by_url_is_an_epic(db, trackers):
    jira_tracker()
    item = RoadmapItemFactory()
    trackers.add_jira_issue("NET-3", epic=True)

    services.add_link(item=item, ref=f"{trackers.url}/browse/NET-3")
    services.sync_delivery()

    assert WorkLink.objects.get(item=item).kind == WorkLink.Kind.EPIC


def test_jira_issue_labelled_with_the_item_id_is_linked_on_sync(db, trackers):
    jira_tracker("NET")
    item = RoadmapItemFactory()
    trackers.add_jira_issue("NET-7", labels=("client", f"roadmap:{item.pk}"))
    trackers.add_jira_issue("OPS-1", labels=(f"roadmap:{item.pk}",))  # project not read

    report = services.sync_delivery()

    assert list(WorkLink.objects.values_list("key", "linked_by")) == [("NET-7", "label")]
    assert f"Item #{item.pk}: linked NET-7 (label)" in report.changes


def test_jira_label_added_later_is_picked_up_by_the_next_sync(db, trackers):
    jira_tracker("NET")
    item = RoadmapItemFactory()
    services.sync_delivery()
    trackers.add_jira_issue("NET-8", labels=(f"roadmap:{item.pk}",))

    services.sync_delivery()

    assert WorkLink.objects.filter(item=item, key="NET-8").exists()


def test_jira_outage_keeps_states_and_is_shown_in_sync_health(db, trackers):
    jira_tracker()
    item = RoadmapItemFactory()
    trackers.add_jira_issue("NET-12")
    trackers.finish_jira_issue("NET-12")
    services.add_link(item=item, ref="NET-12")
    services.sync_delivery()
    trackers.fail_next("/rest/api/", status=503, times=10)

    services.sync_delivery()

    tracker = DeliveryTracker.objects.get()
    assert tracker.last_status == DeliveryTracker.Status.FAILED
    assert WorkLink.objects.get(item=item).done


def test_deleted_or_private_jira_issue_shows_the_error(db, trackers):
    jira_tracker()
    item = RoadmapItemFactory()
    services.add_link(item=item, ref="NET-404")

    services.sync_delivery()

    assert "404" in WorkLink.objects.get(item=item).last_error


def test_jira_data_center_labels_are_found_through_its_own_search(db, trackers):
    trackers.jira_deployment = "Server"
    jira_tracker("NET")
    item = RoadmapItemFactory()
    trackers.add_jira_issue("NET-9", labels=(f"roadmap:{item.pk}",))

    services.sync_delivery()

    assert WorkLink.objects.filter(item=item, key="NET-9").exists()
    assert trackers.count("/rest/api/2/search?") > 0
