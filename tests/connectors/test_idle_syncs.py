"""A re-sync with nothing new costs no GitHub rate-limit points: ETags and 304 Not Modified."""

from connectors.models import SyncCursor, SyncRun
from intake.models import Signal

from .conftest import make_connector, sync


def _settled(upstream, connector):
    """Sync until the listing's ETag is kept: the first sync reads all, the next keeps it."""
    sync(connector)
    sync(connector)
    upstream.github_points = 0
    upstream.reset_counts()


def test_an_idle_resync_is_answered_not_modified_and_costs_no_points(db, upstream):
    for number in range(1, 4):
        upstream.add_issue("acme/vpn", number, f"Idea {number}")
    connector = make_connector()
    _settled(upstream, connector)

    run = sync(connector)

    assert run.outcome == SyncRun.Outcome.SUCCESS
    assert (run.created, run.updated, run.requests) == (0, 0, 1)
    assert upstream.github_points == 0


def test_without_the_etag_every_idle_resync_costs_a_point(db, upstream):
    upstream.add_issue("acme/vpn", 1, "Idea")
    connector = make_connector()
    _settled(upstream, connector)
    cursor = SyncCursor.objects.get()
    cursor.state = {k: v for k, v in cursor.state.items() if k != "etag"}
    cursor.save()

    sync(connector)

    assert upstream.github_points == 1


def test_a_change_after_an_idle_spell_is_fetched(db, upstream):
    upstream.add_issue("acme/vpn", 1, "Idea")
    connector = make_connector()
    _settled(upstream, connector)
    sync(connector)

    upstream.edit_issue("acme/vpn", 1, title="Idea, reworded", thumbs_up=4)
    upstream.add_issue("acme/vpn", 2, "Another idea")
    run = sync(connector)

    assert (run.created, run.updated) == (1, 1)
    assert Signal.objects.get(title="Idea, reworded").votes == 4
    # Then idle again: one full-price request to learn the new ETag, then free.
    sync(connector)
    upstream.github_points = 0
    sync(connector)
    assert upstream.github_points == 0


def test_each_label_listing_keeps_its_own_etag(db, upstream):
    upstream.add_issue("acme/vpn", 1, "Bug", labels=("bug",))
    upstream.add_issue("acme/vpn", 2, "Idea", labels=("enhancement",))
    connector = make_connector(options={"repos": ["acme/vpn"], "labels": ["bug", "enhancement"]})
    _settled(upstream, connector)

    upstream.edit_issue("acme/vpn", 2, title="Idea, clarified")
    run = sync(connector)

    assert run.updated == 1
    assert upstream.github_points == 1  # only the changed listing was read in full
