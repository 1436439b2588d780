"""Reddit posts flow in through praw's read-only app credentials."""

import time

from connectors.models import SyncRun
from intake.models import Signal
from tests.factories import IdeaFactory

from . import fake_api
from .conftest import make_connector, sync

DAY = 24 * 3600


def test_first_sync_pages_through_the_whole_new_listing(db, upstream):
    now = time.time()
    for index in range(230):
        upstream.add_post("meshvpn", f"p{index}", f"Post {index}", created_utc=now - index * 60)

    run = sync(make_connector(kind="reddit"))

    assert run.outcome == SyncRun.Outcome.SUCCESS
    assert run.created == 230
    assert upstream.count("/r/meshvpn/new") == 3
    assert upstream.count("/api/v1/access_token") == 1


def test_post_signal_has_score_comments_permalink_and_author(db, upstream):
    upstream.add_post(
        "meshvpn", "abc123", "Please add exit node failover", score=42, comments=7,
        selftext="It drops when the node reboots", author="netadmin",
    )  # fmt: skip

    sync(make_connector(kind="reddit"))

    signal = Signal.objects.get(source="reddit_post")
    assert signal.external_id == "abc123"
    assert (signal.votes, signal.comment_count, signal.author) == (42, 7, "netadmin")
    assert signal.url == f"{upstream.url}/r/meshvpn/comments/abc123/please_add_exit_node_failover/"
    assert signal.body == "It drops when the node reboots"


def test_only_posts_with_a_configured_flair_are_kept(db, upstream):
    upstream.add_post("meshvpn", "a", "Feature idea", flair="Feature Request")
    upstream.add_post("meshvpn", "b", "Help me", flair="Support")
    upstream.add_post("meshvpn", "c", "No flair")

    sync(
        make_connector(
            kind="reddit", options={"subreddits": ["meshvpn"], "flairs": ["feature request"]}
        )
    )

    assert list(Signal.objects.values_list("title", flat=True)) == ["Feature idea"]


def test_a_search_query_uses_the_search_listing(db, upstream):
    upstream.add_post("meshvpn", "a", "Feature request: MagicDNS on Windows")
    upstream.add_post("meshvpn", "b", "My router is on fire")

    sync(
        make_connector(
            kind="reddit", options={"subreddits": ["meshvpn"], "query": "feature request"}
        )
    )

    assert list(Signal.objects.values_list("title", flat=True)) == [
        "Feature request: MagicDNS on Windows"
    ]
    assert upstream.count("/r/meshvpn/search") == 1


def test_resync_refreshes_votes_of_young_posts_only_and_adds_new_ones(db, upstream):
    now = time.time()
    upstream.add_post("meshvpn", "old", "Old post", created_utc=now - 90 * DAY, score=5)
    upstream.add_post("meshvpn", "young", "Young post", created_utc=now - 3 * DAY, score=5)
    connector = make_connector(kind="reddit")
    sync(connector)

    upstream.edit_post("meshvpn", "old", score=99)
    upstream.edit_post("meshvpn", "young", score=60, num_comments=12)
    upstream.add_post("meshvpn", "new", "New post", created_utc=now - 60)
    run = sync(connector)

    assert (run.created, run.updated) == (1, 1)
    votes = dict(Signal.objects.values_list("external_id", "votes"))
    assert votes == {"old": 5, "young": 60, "new": 1}
    assert Signal.objects.get(external_id="young").comment_count == 12


def test_resync_without_change_makes_few_requests_and_writes_nothing(db, upstream):
    now = time.time()
    for index in range(150):
        upstream.add_post(
            "meshvpn", f"p{index}", f"Post {index}", created_utc=now - (40 + index) * DAY
        )
    connector = make_connector(kind="reddit")
    sync(connector)
    upstream.reset_counts()

    run = sync(connector)

    assert (run.created, run.updated) == (0, 0)
    assert upstream.count() <= 2


def test_a_rate_limit_with_a_short_reset_is_waited_out(db, upstream):
    upstream.add_post("meshvpn", "a", "A post")
    upstream.fail_next(
        "/r/meshvpn/new", 429, body="Too Many Requests", headers={"x-ratelimit-reset": "0"}
    )

    run = sync(make_connector(kind="reddit"))

    assert run.outcome == SyncRun.Outcome.SUCCESS
    assert run.created == 1


def test_a_long_rate_limit_stops_the_run_cleanly(db, upstream):
    upstream.add_post("meshvpn", "a", "A post")
    upstream.fail_next("/r/meshvpn/new", 429, headers={"Retry-After": "600"})

    run = sync(make_connector(kind="reddit"))

    assert run.outcome == SyncRun.Outcome.RATE_LIMITED
    assert "429" in run.error
    assert Signal.objects.count() == 0


def test_a_malformed_post_is_recorded_and_the_others_stored(db, upstream):
    upstream.add_post("meshvpn", "a", "Fine")
    upstream.add_post("meshvpn", "b", "No permalink", raw_overrides={"permalink": fake_api.DELETE})

    run = sync(make_connector(kind="reddit"))

    assert run.outcome == SyncRun.Outcome.PARTIAL
    assert run.item_errors == [
        {"target": "r/meshvpn", "item": "reddit post t3_b", "error": "missing field 'permalink'"}
    ]
    assert list(Signal.objects.values_list("title", flat=True)) == ["Fine"]


def test_a_link_post_to_an_issue_an_idea_has_attaches_to_that_idea(db, upstream):
    upstream.add_issue("acme/vpn", 1, "Exit node failover")
    sync(make_connector(name="gh"))
    issue_signal = Signal.objects.get()
    idea = IdeaFactory()
    Signal.objects.update(idea=idea)
    upstream.add_post("meshvpn", "x", "Upvote this!", link=issue_signal.url)

    sync(make_connector(kind="reddit"))

    assert Signal.objects.get(source="reddit_post").idea == idea
