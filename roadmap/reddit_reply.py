"""Reply in the Reddit threads an idea came from, once, when it is planned or shipped.

Only threads of subreddits whose Reddit connector ticks "reply in threads", and only with a Reddit
account in the environment (`connectors.reddit.account`: REDDIT_REFRESH_TOKEN, or a script app's
REDDIT_USERNAME and REDDIT_PASSWORD). The words are `comment_back.compose`'s public ones, and the
claim before posting is `comment_back.post_once`'s, shared with the GitHub comment-back.

praw waits out a short RATELIMIT by itself and prawcore retries a 5xx twice; what still fails is
tried again by the outbox. A thread that refuses replies for good (locked, archived, deleted,
the account banned there) is recorded on the SourceComment and left alone.
"""

import re
from urllib.parse import urlsplit

import praw
import prawcore
from django.conf import settings

from connectors import reddit, selectors
from intake.models import Idea, Signal

from .comment_back import Failure, compose, post_once
from .models import RoadmapItem

REPLY_STATUSES = (Idea.Status.PLANNED, Idea.Status.SHIPPED)
POST_ID = re.compile(r"^[a-z0-9]{1,13}$")
# Answers that say "try later"; any other error in Reddit's `json.errors` is its final word.
TRANSIENT_API_ERRORS = {"RATELIMIT"}


def enabled() -> bool:
    return reddit.account() is not None


def threads(idea: Idea) -> list[Signal]:
    """The idea's Reddit posts (one signal each) in a subreddit that opted in."""
    subreddits = selectors.reply_subreddits()
    if not subreddits:
        return []
    found = []
    signals = Signal.objects.filter(idea=idea, source=Signal.Source.REDDIT_POST).order_by("pk")
    for signal in signals.only("pk", "url", "external_id"):
        # The permalink's path, /r/<name>/comments/<id>/<slug>/, says which subreddit it is in.
        parts = urlsplit(signal.url or "").path.lower().split("/")
        in_subreddit = len(parts) > 2 and parts[1] == "r" and parts[2] in subreddits
        if in_subreddit and POST_ID.match(signal.external_id):
            found.append(signal)
    return found


def _failure(exc: Exception) -> Failure:
    if isinstance(exc, praw.exceptions.RedditAPIException):
        codes = {item.error_type for item in exc.items}
        return Failure(f"Reddit refused: {exc}", permanent=not codes & TRANSIENT_API_ERRORS)
    if isinstance(exc, prawcore.exceptions.Forbidden | prawcore.exceptions.NotFound):
        # A private or banned subreddit, or a thread that is gone.
        return Failure(f"Reddit refused: {exc}", permanent=True)
    if isinstance(exc, prawcore.exceptions.PrawcoreException):
        return Failure(f"Reddit unreachable: {exc}")
    return Failure(f"Reddit unreachable ({type(exc).__name__})")


def on_public_roadmap(idea: Idea) -> bool:
    """A public thread hears only what the public roadmap shows: an idea planned or shipped on
    an internal or customer-only item is a commitment outsiders must not learn of."""
    return (
        idea.roadmap_items.filter(visibility=RoadmapItem.Visibility.PUBLIC)
        .exclude(public_title="")
        .exists()
    )


def reply(*, idea_id: int, status: str) -> int:
    """Reply once in each opted-in Reddit thread of the idea; returns how many replies went out.

    Raises after trying every thread if any failed in a way that may pass, so the outbox retries.
    """
    account = reddit.account()
    if account is None or status not in REPLY_STATUSES:
        return 0
    idea = Idea.objects.filter(pk=idea_id).first()
    if idea is None or idea.status != status or not on_public_roadmap(idea):
        return 0
    found = threads(idea)
    if not found:
        return 0
    client = reddit.client(timeout=settings.CONNECTORS_HTTP_TIMEOUT_SECONDS, **account)

    def post(signal: Signal, body: str) -> str:
        comment = client.submission(id=signal.external_id).reply(body)
        if comment is None:  # kept by Reddit but held back (its spam filter): no link to give
            return ""
        return settings.REDDIT_URL.rstrip("/") + comment.permalink

    return post_once(
        signals=found, status=status, body=compose(idea, status), post=post, classify=_failure
    )
