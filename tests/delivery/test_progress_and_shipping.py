"""Progress (done of total linked work), the PM told once when all is done, and auto-ship."""

from django.core import mail

from delivery import services
from delivery.models import ItemDelivery
from roadmap.models import RoadmapItem
from tests.roadmap.factories import RoadmapItemFactory

from .conftest import github_tracker, opt_in_to_auto_ship

REPO = "meshvpn/client"


def _item_with_issues(trackers, pm, *numbers, **fields):
    item = RoadmapItemFactory(pm=pm, surface="platform", **fields)
    for number in numbers:
        trackers.add_issue(REPO, number)
        services.add_link(item=item, ref=f"{REPO}#{number}")
    return item


def test_progress_counts_done_of_total_linked_work(db, trackers, pm):
    github_tracker()
    item = _item_with_issues(trackers, pm, 1, 2, 3)
    trackers.close_issue(REPO, 1)
    trackers.add_milestone(REPO, 4, open_issues=0, closed_issues=6)
    services.add_link(item=item, ref=f"https://github.com/{REPO}/milestone/4")

    services.sync_delivery()

    delivery = ItemDelivery.objects.get(item=item)
    assert (delivery.done_count, delivery.total_count) == (2, 4)


def test_pm_is_told_once_when_all_linked_work_is_done(db, trackers, pm):
    github_tracker()
    item = _item_with_issues(trackers, pm, 1, 2)
    trackers.close_issue(REPO, 1)
    services.sync_delivery()
    assert mail.outbox == []

    trackers.close_issue(REPO, 2)
    services.sync_delivery()
    services.sync_delivery()

    assert [m.to for m in mail.outbox] == [[pm.email]]
    assert item.title in mail.outbox[0].subject
    item.refresh_from_db()
    assert item.stage != RoadmapItem.Stage.SHIPPED  # only the PM marks it shipped


def test_item_that_opts_in_is_shipped_when_all_work_is_done(db, trackers, pm):
    github_tracker()
    item = _item_with_issues(trackers, pm, 1)
    opt_in_to_auto_ship(item)
    trackers.close_issue(REPO, 1)

    services.sync_delivery()

    item.refresh_from_db()
    assert item.stage == RoadmapItem.Stage.SHIPPED
    assert item.shipped_at is not None


def test_removing_a_link_recounts_progress(db, trackers, pm):
    github_tracker()
    item = _item_with_issues(trackers, pm, 1, 2)
    trackers.close_issue(REPO, 1)
    services.sync_delivery()

    services.remove_link(link=item.work_links.get(key=f"{REPO}#2"))

    delivery = ItemDelivery.objects.get(item=item)
    assert (delivery.done_count, delivery.total_count) == (1, 1)


def test_a_failed_ready_notice_is_sent_by_the_next_sync(db, trackers, pm, settings):
    github_tracker()
    _item_with_issues(trackers, pm, 1)
    trackers.close_issue(REPO, 1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens

    report = services.sync_delivery()

    assert any("ready-to-ship e-mail failed" in line for line in report.failures)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.sync_delivery()
    assert [m.to for m in mail.outbox] == [[pm.email]]
