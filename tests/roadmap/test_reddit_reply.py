"""One reply in each Reddit thread an idea came from when it is planned or shipped: real praw
against the local fake Reddit API (tests/connectors/fake_api.py)."""

import logging

import pytest
from django.core import serializers
from django.utils.timezone import now

from connectors import services as connector_services
from connectors.models import Connector
from intake import services as intake_services
from roadmap import reddit_reply
from roadmap.models import SourceComment
from tests.connectors import fake_api
from tests.factories import IdeaFactory, SignalFactory
from tests.roadmap.factories import CustomerItemFactory, PublicItemFactory, RoadmapItemFactory

pytestmark = pytest.mark.django_db

PUBLIC = "Exit nodes fail over to the next one within seconds."
INTERNAL = "Internal: Globex pays for this, ship before their renewal."


@pytest.fixture
def upstream(settings):
    fake = fake_api.FakeUpstream().start()
    settings.REDDIT_URL = settings.REDDIT_OAUTH_URL = fake.url
    settings.REDDIT_CLIENT_ID = fake_api.REDDIT_CLIENT_ID
    settings.REDDIT_CLIENT_SECRET = fake_api.REDDIT_CLIENT_SECRET
    settings.REDDIT_USERNAME = fake_api.REDDIT_USERNAME
    settings.REDDIT_PASSWORD = fake_api.REDDIT_PASSWORD
    settings.REDDIT_REFRESH_TOKEN = ""
    settings.REDDIT_USER_AGENT = "idea-intake tests/1.0"
    settings.CONNECTORS_HTTP_TIMEOUT_SECONDS = 5
    yield fake
    fake.stop()


def reddit_connector(*, reply: bool = True, subreddit: str = "meshvpn") -> Connector:
    connector = Connector(
        name=f"r/{subreddit}", kind="reddit", options={"subreddits": [subreddit]},
        reply_in_threads=reply,
    )  # fmt: skip
    return connector_services.save_connector(connector=connector)


def thread(upstream, idea, post_id: str, *, subreddit: str = "meshvpn", **state):
    post = upstream.add_post(subreddit, post_id, f"Exit node failover {post_id}")
    if state:
        upstream.edit_post(subreddit, post_id, **state)
    return SignalFactory(
        idea=idea, source="reddit_post", external_id=post_id,
        url=upstream.url + post["permalink"],
    )  # fmt: skip


@pytest.fixture
def idea():
    """An idea on a public roadmap item: what a public thread may hear of."""
    idea = IdeaFactory(public_summary=PUBLIC, internal_notes=INTERNAL)
    PublicItemFactory(ideas=[idea])
    return idea


def set_status(idea, status, capture):
    with capture(execute=True):
        intake_services.set_idea_status(idea=idea, status=status)


def test_shipping_replies_once_in_the_thread_with_the_public_words(
    upstream, idea, django_capture_on_commit_callbacks
):
    reddit_connector()
    thread(upstream, idea, "abc123")

    set_status(idea, "shipped", django_capture_on_commit_callbacks)

    (reply,) = upstream.replies
    assert reply["thing_id"] == "t3_abc123"
    assert "This has shipped" in reply["text"] and PUBLIC in reply["text"]
    assert "http://127.0.0.1:8000/roadmap/" in reply["text"]
    record = SourceComment.objects.get()
    assert record.comment_url == upstream.url + reply["comment"]["permalink"]
    assert record.posted_at is not None and record.error == ""


def test_planning_says_it_is_planned(upstream, idea, django_capture_on_commit_callbacks):
    reddit_connector()
    thread(upstream, idea, "abc123")

    set_status(idea, "planned", django_capture_on_commit_callbacks)

    (reply,) = upstream.replies
    assert reply["text"].startswith("This is planned")
    assert "shipped" not in reply["text"]


def test_internal_notes_never_reach_the_thread(upstream, idea, django_capture_on_commit_callbacks):
    reddit_connector()
    thread(upstream, idea, "abc123")

    set_status(idea, "planned", django_capture_on_commit_callbacks)
    set_status(idea, "shipped", django_capture_on_commit_callbacks)

    assert len(upstream.replies) == 2
    for reply in upstream.replies:
        assert INTERNAL not in reply["text"] and idea.title not in reply["text"]


def test_each_thread_gets_one_reply_however_often_the_handler_runs(upstream, idea):
    reddit_connector()
    thread(upstream, idea, "abc123")
    thread(upstream, idea, "def456")
    intake_services.set_idea_status(idea=idea, status="shipped")

    assert reddit_reply.reply(idea_id=idea.pk, status="shipped") == 2
    assert reddit_reply.reply(idea_id=idea.pk, status="shipped") == 0

    assert sorted(r["thing_id"] for r in upstream.replies) == ["t3_abc123", "t3_def456"]


def test_a_reply_in_flight_elsewhere_is_not_posted_again(upstream, idea):
    """A second worker running the same event finds the row claimed and leaves it."""
    reddit_connector()
    signal = thread(upstream, idea, "abc123")
    intake_services.set_idea_status(idea=idea, status="shipped")
    SourceComment.objects.create(signal=signal, status="shipped", body="…", posted_at=now())

    assert reddit_reply.reply(idea_id=idea.pk, status="shipped") == 0
    assert upstream.replies == []


def test_a_connector_not_opted_in_gets_no_reply(upstream, idea, django_capture_on_commit_callbacks):
    reddit_connector(reply=False)
    reddit_connector(subreddit="selfhosted")
    thread(upstream, idea, "abc123")

    set_status(idea, "shipped", django_capture_on_commit_callbacks)

    assert upstream.replies == []
    assert upstream.count("/api/v1/access_token") == 0


def test_without_a_reddit_account_nothing_is_posted(
    upstream, idea, settings, django_capture_on_commit_callbacks
):
    settings.REDDIT_USERNAME = settings.REDDIT_PASSWORD = ""
    reddit_connector()
    thread(upstream, idea, "abc123")

    set_status(idea, "shipped", django_capture_on_commit_callbacks)

    assert upstream.replies == [] and upstream.count() == 0


def test_a_refresh_token_replies_too(upstream, idea, settings, django_capture_on_commit_callbacks):
    settings.REDDIT_USERNAME = settings.REDDIT_PASSWORD = ""
    settings.REDDIT_REFRESH_TOKEN = fake_api.REDDIT_REFRESH_TOKEN
    reddit_connector()
    thread(upstream, idea, "abc123")

    set_status(idea, "shipped", django_capture_on_commit_callbacks)

    assert len(upstream.replies) == 1


def test_a_wrong_password_posts_nothing_and_is_retried(upstream, idea, settings):
    settings.REDDIT_PASSWORD = "not-the-password"
    reddit_connector()
    thread(upstream, idea, "abc123")
    intake_services.set_idea_status(idea=idea, status="shipped")

    with pytest.raises(reddit_reply.prawcore.exceptions.OAuthException):
        reddit_reply.reply(idea_id=idea.pk, status="shipped")

    record = SourceComment.objects.get()
    assert record.posted_at is None and "invalid_grant" in record.error
    settings.REDDIT_PASSWORD = fake_api.REDDIT_PASSWORD
    assert reddit_reply.reply(idea_id=idea.pk, status="shipped") == 1


def test_a_server_error_is_retried_by_praw_and_the_reply_goes_out(upstream, idea):
    reddit_connector()
    thread(upstream, idea, "abc123")
    intake_services.set_idea_status(idea=idea, status="shipped")
    upstream.fail_next("/api/comment", 500, body="Internal Server Error")

    assert reddit_reply.reply(idea_id=idea.pk, status="shipped") == 1
    assert len(upstream.replies) == 1


def test_a_rate_limit_releases_the_thread_for_the_next_run_after_trying_the_others(upstream, idea):
    reddit_connector()
    thread(upstream, idea, "abc123")
    thread(upstream, idea, "def456")
    intake_services.set_idea_status(idea=idea, status="shipped")
    upstream.fail_next("/api/comment", 429, headers={"x-ratelimit-reset": "300"})

    with pytest.raises(reddit_reply.prawcore.exceptions.TooManyRequests):
        reddit_reply.reply(idea_id=idea.pk, status="shipped")

    assert [r["thing_id"] for r in upstream.replies] == ["t3_def456"]
    waiting = SourceComment.objects.get(signal__external_id="abc123")
    assert waiting.posted_at is None and "429" in waiting.error
    assert reddit_reply.reply(idea_id=idea.pk, status="shipped") == 1
    assert len(upstream.replies) == 2


def test_a_long_reddit_ratelimit_is_tried_again_later(upstream, idea):
    reddit_connector()
    thread(upstream, idea, "abc123")
    intake_services.set_idea_status(idea=idea, status="shipped")
    wait = (
        "Looks like you've been doing that a lot. Take a break for 9 minutes before trying again."
    )
    upstream.reddit_errors.append(["RATELIMIT", wait, "ratelimit"])

    with pytest.raises(reddit_reply.praw.exceptions.RedditAPIException):
        reddit_reply.reply(idea_id=idea.pk, status="shipped")

    assert SourceComment.objects.get().refused_at is None
    assert reddit_reply.reply(idea_id=idea.pk, status="shipped") == 1


@pytest.mark.parametrize(
    ("state", "code"),
    [
        ({"locked": True}, "THREAD_LOCKED"),
        ({"archived": True}, "TOO_OLD"),
        ({"removed_by_category": "deleted"}, "DELETED_LINK"),
    ],
)
def test_a_thread_that_refuses_replies_is_recorded_and_left_alone(upstream, idea, state, code):
    reddit_connector()
    thread(upstream, idea, "abc123", **state)
    thread(upstream, idea, "def456")
    intake_services.set_idea_status(idea=idea, status="shipped")

    assert reddit_reply.reply(idea_id=idea.pk, status="shipped") == 1

    refused = SourceComment.objects.get(signal__external_id="abc123")
    assert code in refused.error and refused.refused_at is not None and refused.posted_at is None
    assert reddit_reply.reply(idea_id=idea.pk, status="shipped") == 0
    assert upstream.count("/api/comment") == 2


def test_the_reddit_account_never_reaches_logs_or_the_database(
    upstream, idea, settings, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    reddit_connector()
    thread(upstream, idea, "abc123")
    upstream.fail_next("/api/comment", 429, body="Too Many Requests")
    set_status(idea, "shipped", django_capture_on_commit_callbacks)
    settings.REDDIT_USERNAME = settings.REDDIT_PASSWORD = ""
    settings.REDDIT_REFRESH_TOKEN = fake_api.REDDIT_REFRESH_TOKEN
    reddit_reply.reply(idea_id=idea.pk, status="shipped")

    assert len(upstream.replies) == 1
    stored = serializers.serialize("json", [*SourceComment.objects.all(), *Connector.objects.all()])
    for secret in (
        fake_api.REDDIT_PASSWORD, fake_api.REDDIT_REFRESH_TOKEN, fake_api.REDDIT_USER_ACCESS_TOKEN,
        fake_api.REDDIT_CLIENT_SECRET,
    ):  # fmt: skip
        assert secret not in caplog.text and secret not in stored


@pytest.mark.parametrize("factory", [RoadmapItemFactory, CustomerItemFactory])
def test_an_idea_planned_on_an_internal_or_customer_item_is_not_announced_in_public(
    upstream, factory, django_capture_on_commit_callbacks
):
    hidden = IdeaFactory(public_summary=PUBLIC)
    factory(ideas=[hidden])
    reddit_connector()
    thread(upstream, hidden, "abc123")
    set_status(hidden, "planned", django_capture_on_commit_callbacks)
    assert reddit_reply.reply(idea_id=hidden.pk, status="planned") == 0
    assert not SourceComment.objects.exists()
    assert upstream.count("/api/comment") == 0
