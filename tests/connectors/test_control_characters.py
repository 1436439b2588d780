"""Upstream text with control characters is stored without them, and the run says so."""

from connectors.models import SyncRun
from intake.models import Signal

from .conftest import make_connector, sync


def test_github_issue_text_is_stored_without_control_characters(db, upstream):
    upstream.add_issue(
        "acme/vpn", 7, "Exit\x13 nodes\x00", body="We need\x1b[31m this\r\n\tnow\x9b", author="al"
    )
    upstream.add_issue("acme/vpn", 8, "Clean title", body="Nothing odd")

    run = sync(make_connector())

    assert run.outcome == SyncRun.Outcome.SUCCESS
    assert run.created == 2
    signal = Signal.objects.get(title__startswith="Exit")
    assert signal.title == "Exit nodes"
    assert signal.body == "We need[31m this\r\n\tnow"
    assert "\x00" not in signal.raw["title"] and "\x1b" not in signal.raw["body"]
    assert len(run.notes) == 1
    assert "control characters removed from title, body, raw" in run.notes[0]


def test_reddit_post_text_is_stored_without_control_characters(db, upstream):
    upstream.add_post("meshvpn", "abc", "Split\x07 tunnelling", selftext="per app\x00 please")

    run = sync(make_connector(kind="reddit"))

    signal = Signal.objects.get()
    assert (signal.title, signal.body) == ("Split tunnelling", "per app please")
    assert run.outcome == SyncRun.Outcome.SUCCESS
    assert run.notes and "reddit" in run.notes[0]


def test_a_resync_of_the_cleaned_item_writes_nothing_new(db, upstream):
    upstream.add_issue("acme/vpn", 7, "Exit\x13 nodes")
    connector = make_connector()
    sync(connector)

    second = sync(connector)

    assert (second.created, second.updated) == (0, 0)
    assert Signal.objects.count() == 1
