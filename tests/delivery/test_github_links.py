"""Links to GitHub work, added in the admin by URL or picked up from a roadmap:<id> label."""

from django.core.management import call_command

from delivery import services
from delivery.models import DeliveryTracker, WorkLink
from tests.roadmap.factories import RoadmapItemFactory

from .conftest import github_tracker

REPO = "meshvpn/client"


def test_issue_linked_by_url_shows_its_state_after_sync(db, trackers):
    github_tracker()
    item = RoadmapItemFactory()
    trackers.add_issue(REPO, 12)
    services.add_link(item=item, ref=f"https://github.com/{REPO}/issues/12")

    services.sync_delivery()

    link = WorkLink.objects.get(item=item)
    assert (link.key, link.state, link.done) == (f"{REPO}#12", "open", False)
    assert link.url == f"https://github.com/{REPO}/issues/12"


def test_issue_labelled_with_the_item_id_is_linked_on_the_next_sync(db, trackers):
    github_tracker()
    item = RoadmapItemFactory()
    trackers.add_issue(REPO, 7, labels=("bug", f"roadmap:{item.pk}"))
    trackers.add_issue(REPO, 8, labels=("bug",))

    report = services.sync_delivery()

    link = WorkLink.objects.get(item=item)
    assert (link.key, link.linked_by) == (f"{REPO}#7", WorkLink.LinkedBy.LABEL)
    assert f"Item #{item.pk}: linked {REPO}#7 (label)" in report.changes


def test_labelled_pull_request_is_linked_as_a_pull_request(db, trackers):
    github_tracker()
    item = RoadmapItemFactory()
    trackers.add_issue(REPO, 9, labels=(f"roadmap:{item.pk}",), pull=True)
    trackers.merge_pull(REPO, 9)

    services.sync_delivery()

    link = WorkLink.objects.get(item=item)
    assert (link.kind, link.state, link.done) == ("pull", "merged", True)
    assert link.merge_commit


def test_a_label_is_not_linked_twice(db, trackers):
    github_tracker()
    item = RoadmapItemFactory()
    trackers.add_issue(REPO, 7, labels=(f"roadmap:{item.pk}",))
    services.sync_delivery()
    trackers.close_issue(REPO, 7)

    services.sync_delivery()

    assert WorkLink.objects.filter(item=item).count() == 1
    assert WorkLink.objects.get(item=item).done


def test_label_for_a_missing_item_is_reported_not_linked(db, trackers):
    github_tracker()
    trackers.add_issue(REPO, 7, labels=("roadmap:99999",))

    report = services.sync_delivery()

    assert not WorkLink.objects.exists()
    assert any("roadmap:99999" in line for line in report.failures)


def test_repositories_outside_the_scope_are_not_read(db, trackers):
    github_tracker("meshvpn/client")
    item = RoadmapItemFactory()
    trackers.add_issue("meshvpn/other", 1, labels=(f"roadmap:{item.pk}",))

    services.sync_delivery()

    assert not WorkLink.objects.exists()
    assert trackers.count("/repos/meshvpn/other") == 0


def test_unchanged_link_is_answered_not_modified(db, trackers):
    github_tracker()
    item = RoadmapItemFactory()
    trackers.add_issue(REPO, 12)
    services.add_link(item=item, ref=f"{REPO}#12")
    services.sync_delivery()
    answered = trackers.not_modified

    report = services.sync_delivery()

    assert report.changes == []
    assert trackers.not_modified == answered + 1
    assert WorkLink.objects.get(item=item).state == "open"


def test_issue_closed_as_not_planned_is_not_done(db, trackers):
    github_tracker()
    item = RoadmapItemFactory()
    trackers.add_issue(REPO, 12)
    trackers.close_issue(REPO, 12, reason="not_planned")
    services.add_link(item=item, ref=f"{REPO}#12")

    services.sync_delivery()

    assert not WorkLink.objects.get(item=item).done


def test_command_prints_what_changed(db, trackers, capsys):
    github_tracker()
    item = RoadmapItemFactory()
    trackers.add_issue(REPO, 12)
    trackers.close_issue(REPO, 12)
    services.add_link(item=item, ref=f"{REPO}#12")

    call_command("sync_delivery")

    out = capsys.readouterr().out
    assert f"Item #{item.pk}: {REPO}#12 new → closed" in out
    assert f"Item #{item.pk}: 1 of 1 done" in out
    assert DeliveryTracker.objects.get().last_status == DeliveryTracker.Status.OK
