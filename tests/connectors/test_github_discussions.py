"""GitHub discussions, through GraphQL, filtered by category, with their upvotes."""

from connectors.models import SyncRun
from intake.models import Signal

from .conftest import make_connector, sync

OPTIONS = {"repos": ["acme/vpn"], "discussions": True, "discussion_categories": ["Ideas"]}


def test_discussions_in_the_configured_categories_become_signals_with_upvotes(db, upstream):
    upstream.repo("acme/vpn")
    upstream.add_discussion("acme/vpn", 10, "Custom DNS per network", upvotes=31, comments=6)
    upstream.add_discussion("acme/vpn", 11, "How do I install?", category="Q&A")
    upstream.add_discussion("acme/vpn", 12, "Old idea", closed=True)

    run = sync(make_connector(options=OPTIONS))

    assert run.outcome == SyncRun.Outcome.SUCCESS
    discussions = Signal.objects.filter(source="github_discussion").order_by("title")
    assert [(s.title, s.votes, s.upstream_state) for s in discussions] == [
        ("Custom DNS per network", 31, "open"),
        ("Old idea", 0, "closed"),
    ]
    assert discussions[0].comment_count == 6
    assert discussions[0].url == "https://github.com/acme/vpn/discussions/10"


def test_discussions_page_through_graphql_and_resync_stops_at_the_cursor(db, upstream):
    upstream.repo("acme/vpn")
    for number in range(1, 231):
        upstream.add_discussion("acme/vpn", number, f"Discussion {number}")
    connector = make_connector(options=OPTIONS)
    first = sync(connector)
    assert first.created == 230
    assert upstream.count("/graphql") == 3

    upstream.edit_discussion("acme/vpn", 4, upvoteCount=50)
    upstream.reset_counts()
    second = sync(connector)

    assert (second.created, second.updated) == (0, 1)
    assert upstream.count("/graphql") == 1
    assert Signal.objects.get(title="Discussion 4").votes == 50


def test_discussions_are_not_fetched_unless_enabled(db, upstream):
    upstream.add_issue("acme/vpn", 1, "An issue")
    upstream.add_discussion("acme/vpn", 2, "A discussion")

    sync(make_connector(options={"repos": ["acme/vpn"]}))

    assert upstream.count("/graphql") == 0
    assert list(Signal.objects.values_list("source", flat=True)) == ["github_issue"]
