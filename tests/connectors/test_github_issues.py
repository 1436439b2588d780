"""GitHub issues flow in as signals, and re-syncing converges without duplicates."""

from connectors.models import SyncCursor, SyncRun
from intake.models import Signal
from tests.factories import IdeaFactory, SignalFactory

from .conftest import make_connector, sync


def test_first_sync_pages_through_every_issue_open_and_closed(db, upstream):
    for number in range(1, 251):
        upstream.add_issue(
            "acme/vpn", number, f"Idea {number}", state="closed" if number % 5 == 0 else "open"
        )
    connector = make_connector()

    run = sync(connector)

    assert run.outcome == SyncRun.Outcome.SUCCESS
    assert (run.fetched, run.created, run.updated) == (250, 250, 0)
    assert run.requests == 3  # 100 + 100 + 50, following the Link headers
    assert Signal.objects.filter(source="github_issue").count() == 250
    assert Signal.objects.filter(source="github_issue", upstream_state="closed").count() == 50


def test_issue_signal_carries_title_body_author_votes_comments_and_times(db, upstream):
    issue = upstream.add_issue(
        "acme/vpn", 7, "Exit nodes per ACL", body="We need **this**", author="alice",
        thumbs_up=12, reactions=15, comments=4,
    )  # fmt: skip
    sync(make_connector())

    signal = Signal.objects.get(source="github_issue")
    assert signal.external_id == str(issue["id"])
    assert signal.title == "Exit nodes per ACL"
    assert signal.body == "We need **this**"
    assert signal.author == "alice"
    assert signal.url == "https://github.com/acme/vpn/issues/7"
    assert signal.votes == 12
    assert signal.raw["reactions"]["total_count"] == 15
    assert signal.comment_count == 4
    assert signal.upstream_state == "open"
    assert signal.created_upstream.isoformat() == "2025-01-01T00:00:01+00:00"
    assert signal.idea is None  # lands in the inbox


def test_pull_requests_are_skipped(db, upstream):
    upstream.add_issue("acme/vpn", 1, "A real issue")
    upstream.add_issue("acme/vpn", 2, "Bump dependency", pull_request=True)

    run = sync(make_connector())

    assert list(Signal.objects.values_list("title", flat=True)) == ["A real issue"]
    assert run.created == 1


def test_only_issues_with_a_configured_label_are_synced(db, upstream):
    upstream.add_issue("acme/vpn", 1, "Feature", labels=("fr",))
    upstream.add_issue("acme/vpn", 2, "Enhancement", labels=("enhancement", "ui"))
    upstream.add_issue("acme/vpn", 3, "Crash on start", labels=("bug",))

    sync(make_connector(options={"repos": ["acme/vpn"], "labels": ["fr", "enhancement"]}))

    assert set(Signal.objects.values_list("title", flat=True)) == {"Feature", "Enhancement"}


def test_resync_without_upstream_change_makes_few_requests_and_writes_nothing(db, upstream):
    for number in range(1, 251):
        upstream.add_issue("acme/vpn", number, f"Idea {number}")
    connector = make_connector()
    sync(connector)
    before = dict(Signal.objects.values_list("pk", "updated_at"))
    upstream.reset_counts()

    run = sync(connector)

    assert run.outcome == SyncRun.Outcome.SUCCESS
    assert (run.created, run.updated) == (0, 0)
    assert upstream.count() <= 2
    assert run.requests == upstream.count()
    assert dict(Signal.objects.values_list("pk", "updated_at")) == before


def test_resync_fetches_only_issues_updated_since_the_cursor(db, upstream):
    for number in range(1, 251):
        upstream.add_issue("acme/vpn", number, f"Idea {number}")
    connector = make_connector()
    sync(connector)
    upstream.edit_issue("acme/vpn", 3, title="Idea 3, reworded")
    upstream.add_issue("acme/vpn", 251, "Brand new")

    run = sync(connector)

    assert (run.created, run.updated) == (1, 1)
    assert run.requests == 1
    assert Signal.objects.get(title="Idea 3, reworded")


def test_edited_closed_and_relabelled_issues_update_their_signals(db, upstream):
    upstream.add_issue("acme/vpn", 1, "Split tunnelling", labels=("fr",), thumbs_up=1)
    upstream.add_issue("acme/vpn", 2, "Dark mode", labels=("fr",))
    upstream.add_issue("acme/vpn", 3, "Faster DERP", labels=("perf",))
    connector = make_connector(options={"repos": ["acme/vpn"], "labels": ["fr"]})
    sync(connector)
    assert Signal.objects.count() == 2

    upstream.edit_issue("acme/vpn", 1, body="Now with details", thumbs_up=9)
    upstream.edit_issue("acme/vpn", 2, state="closed")
    upstream.edit_issue("acme/vpn", 3, labels=("perf", "fr"))
    run = sync(connector)

    assert (run.created, run.updated) == (1, 2)
    edited = Signal.objects.get(title="Split tunnelling")
    assert (edited.body, edited.votes) == ("Now with details", 9)
    assert Signal.objects.get(title="Dark mode").upstream_state == "closed"
    relabelled = Signal.objects.get(title="Faster DERP")
    assert {label["name"] for label in relabelled.raw["labels"]} == {"perf", "fr"}


def test_resync_never_touches_triage(db, upstream):
    upstream.add_issue("acme/vpn", 1, "Split tunnelling")
    connector = make_connector()
    sync(connector)
    idea = IdeaFactory()
    Signal.objects.update(idea=idea, importance=3)

    upstream.edit_issue("acme/vpn", 1, title="Split tunnelling on Android")
    sync(connector)

    signal = Signal.objects.get()
    assert (signal.title, signal.idea, signal.importance) == (
        "Split tunnelling on Android",
        idea,
        3,
    )


def test_new_issue_whose_url_an_idea_already_has_attaches_to_that_idea(db, upstream):
    idea = IdeaFactory()
    SignalFactory(idea=idea, source="reddit_post", url="https://github.com/acme/vpn/issues/1")
    upstream.add_issue("acme/vpn", 1, "Cross-posted idea")

    sync(make_connector())

    assert Signal.objects.get(source="github_issue").idea == idea


def test_each_target_keeps_its_own_cursor(db, upstream):
    upstream.add_issue("acme/vpn", 1, "One")
    upstream.add_issue("acme/relay", 1, "Other repo")
    connector = make_connector(options={"repos": ["acme/vpn", "acme/relay"]})

    sync(connector)

    cursors = dict(SyncCursor.objects.values_list("target", "state"))
    assert cursors == {
        "acme/vpn issues": {"since": "2025-01-01T00:00:01Z", "pass": None},
        "acme/relay issues": {"since": "2025-01-01T00:00:02Z", "pass": None},
    }


def test_an_issue_retitled_upstream_renames_its_ideas_phrasing(
    db, upstream, django_capture_on_commit_callbacks
):
    """An idea is found by its signals' titles: when the issue behind one is retitled, the
    idea is found by the new title, not the old one."""
    from intake import duplicates, services
    from intake.models import IdeaTerm

    upstream.add_issue("acme/vpn", 1, "Okta user sync")
    connector = make_connector()
    with django_capture_on_commit_callbacks(execute=True):
        sync(connector)
    scim = IdeaFactory(title="SCIM provisioning")
    duplicates.index_ideas([scim])
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_signals(signal_ids=[Signal.objects.get().pk], idea=scim)

    upstream.edit_issue("acme/vpn", 1, title="Workday offboarding hook")
    with django_capture_on_commit_callbacks(execute=True):
        sync(connector)

    words = set(IdeaTerm.objects.filter(idea=scim, phrasing__gt=0).values_list("term", flat=True))
    assert "workday" in words and "okta" not in words
    assert [m.idea for m in duplicates.find_similar("Workday offboarding hook")][:1] == [scim]
