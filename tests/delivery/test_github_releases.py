"""The first release that contains an item's merged pull requests sets its client version."""

from delivery import services
from delivery.models import ItemDelivery
from roadmap.models import RoadmapItem
from rollout import evaluation
from tests.roadmap.factories import PublicItemFactory, RoadmapItemFactory
from tests.rollout.factories import FlagFactory

from .conftest import github_tracker, opt_in_to_auto_ship

REPO = "meshvpn/client"


def _client_item(trackers, *pulls, **fields):
    item = PublicItemFactory(surface="client", changelog="", **fields)
    for number in pulls:
        trackers.add_issue(REPO, number, pull=True)
        services.add_link(item=item, ref=f"https://github.com/{REPO}/pull/{number}")
    return item


def test_first_release_containing_the_pull_requests_sets_the_client_version(db, trackers):
    github_tracker()
    trackers.release(REPO, "v1.64.0")
    item = _client_item(trackers, 10, 11)
    trackers.merge_pull(REPO, 10)
    trackers.release(REPO, "v1.65.0")  # carries #10 but not #11
    trackers.merge_pull(REPO, 11)
    trackers.release(REPO, "v1.66.0-rc.1", prerelease=True)
    trackers.release(REPO, "v1.66.0")
    trackers.release(REPO, "v1.67.0")

    report = services.sync_delivery()

    item.refresh_from_db()
    assert item.min_client_version == "1.66.0"
    assert ItemDelivery.objects.get(item=item).release_tag == "v1.66.0"
    assert any("shipped in 1.66 (v1.66.0)" in line for line in report.changes)


def test_no_release_yet_leaves_the_version_unset_until_one_carries_it(db, trackers):
    github_tracker()
    trackers.release(REPO, "v1.65.0")
    item = _client_item(trackers, 10)
    trackers.merge_pull(REPO, 10)
    services.sync_delivery()
    item.refresh_from_db()
    assert item.min_client_version == ""

    trackers.release(REPO, "v1.66.0")
    services.sync_delivery()

    item.refresh_from_db()
    assert item.min_client_version == "1.66.0"


def test_changelog_is_drafted_from_the_public_text_only(db, trackers):
    github_tracker()
    item = _client_item(trackers, 10, public_title="Exit nodes by country")
    trackers.merge_pull(REPO, 10)
    trackers.release(REPO, "v1.66.0")

    services.sync_delivery()

    item.refresh_from_db()
    assert item.changelog.startswith("**Exit nodes by country**")
    assert "1.66" in item.changelog
    assert "Internal engineering title" not in item.changelog


def test_a_written_changelog_is_kept(db, trackers):
    github_tracker()
    item = _client_item(trackers, 10)
    RoadmapItem.objects.filter(pk=item.pk).update(changelog="Written by the PM.")
    trackers.merge_pull(REPO, 10)
    trackers.release(REPO, "v1.66.0")

    services.sync_delivery()

    item.refresh_from_db()
    assert item.changelog == "Written by the PM."


def test_platform_work_gets_no_client_version(db, trackers):
    github_tracker()
    item = RoadmapItemFactory(surface="platform")
    trackers.add_issue(REPO, 10, pull=True)
    services.add_link(item=item, ref=f"{REPO}#10")
    trackers.merge_pull(REPO, 10)
    trackers.release(REPO, "v1.66.0")

    services.sync_delivery()

    item.refresh_from_db()
    assert item.min_client_version == ""


def test_client_item_that_opts_in_ships_with_the_release(db, trackers):
    github_tracker()
    item = _client_item(trackers, 10)
    opt_in_to_auto_ship(item)
    trackers.merge_pull(REPO, 10)
    services.sync_delivery()
    item.refresh_from_db()
    assert item.stage != RoadmapItem.Stage.SHIPPED  # merged, but in no release yet

    trackers.release(REPO, "v1.66.0")
    services.sync_delivery()

    item.refresh_from_db()
    assert item.stage == RoadmapItem.Stage.SHIPPED


def test_the_release_version_reaches_the_items_flag_targeting(
    db, trackers, settings, django_capture_on_commit_callbacks
):
    settings.ROLLOUT_REFRESH_SECONDS = 0
    github_tracker()
    item = _client_item(trackers, 10)
    FlagFactory(key="exit-nodes", item=item)
    before = evaluation.current().definitions["flags"]["exit-nodes"]
    trackers.merge_pull(REPO, 10)
    trackers.release(REPO, "v1.66.0")

    with django_capture_on_commit_callbacks(execute=True):
        services.sync_delivery()

    after = evaluation.current().definitions["flags"]["exit-nodes"]
    assert "minClientVersion" not in before.get("metadata", {})
    assert after["metadata"]["minClientVersion"] == "1.66.0"


def test_server_pull_requests_without_releases_do_not_hold_the_client_release_back(db, trackers):
    github_tracker("meshvpn/server", REPO)
    item = PublicItemFactory(surface="both", changelog="")
    trackers.add_issue("meshvpn/server", 5, pull=True)
    services.add_link(item=item, ref="https://github.com/meshvpn/server/pull/5")
    trackers.merge_pull("meshvpn/server", 5)
    trackers.add_issue(REPO, 10, pull=True)
    services.add_link(item=item, ref=f"https://github.com/{REPO}/pull/10")
    trackers.merge_pull(REPO, 10)
    trackers.release(REPO, "v1.66.0")

    services.sync_delivery()

    item.refresh_from_db()
    assert item.min_client_version == "1.66.0"
