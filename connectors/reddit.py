"""Reddit: each subreddit's new posts (or a search, newest first), through praw, read-only.

prawcore retries a 5xx twice on its own and paces requests by Reddit's rate-limit headers;
`connectors.retry` adds the bounded backoff on top and handles 429 like every other source.

Cursor state per subreddit: `{"since": created_utc, "pass": {...} | None}`. A pass walks the
listing newest first with `after` and stops at the older of `since` and 30 days ago: posts newer
than the cursor are new, and posts younger than 30 days get their votes and comment counts
refreshed on the way. The first pass walks the whole listing (Reddit stops at 1,000 posts).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Generator
from datetime import UTC, datetime
from typing import Any, TypeVar

import praw
import prawcore
from django.conf import settings
from django.core.exceptions import ValidationError

from .retry import RateLimit, RetryPolicy, Transient, call_with_retries, retry_after_seconds
from .sources import Batch, Item, ItemError, MalformedPage, Source, TargetFailed

T = TypeVar("T")

POST_KIND = "reddit_post"  # intake's Signal.Source value; sources import no intake model

SUBREDDIT_PATTERN = re.compile(r"^[A-Za-z0-9_]{2,21}$")
PER_PAGE = 100
REFRESH_WINDOW_SECONDS = 30 * 24 * 3600
DEFAULT_RATE_LIMIT_WAIT = 60.0


def client(*, timeout: float, **extra: Any) -> praw.Reddit:
    """praw on the app credentials and Reddit URLs of the settings (a local fake in tests);
    `extra` adds a user account (see `account`) or a requestor."""
    return praw.Reddit(
        client_id=settings.REDDIT_CLIENT_ID,
        client_secret=settings.REDDIT_CLIENT_SECRET,
        user_agent=settings.REDDIT_USER_AGENT,
        oauth_url=settings.REDDIT_OAUTH_URL.rstrip("/"),
        reddit_url=settings.REDDIT_URL.rstrip("/"),
        check_for_updates=False,
        check_for_async=False,
        timeout=int(timeout),
        **extra,
    )


def account() -> dict[str, str] | None:
    """The Reddit user that may write (praw's arguments), or None: a refresh token, else a
    script app's username and password; both need the app's id and secret."""
    if not (settings.REDDIT_CLIENT_ID and settings.REDDIT_CLIENT_SECRET):
        return None
    if settings.REDDIT_REFRESH_TOKEN:
        return {"refresh_token": settings.REDDIT_REFRESH_TOKEN}
    if settings.REDDIT_USERNAME and settings.REDDIT_PASSWORD:
        return {"username": settings.REDDIT_USERNAME, "password": settings.REDDIT_PASSWORD}
    return None


class CountingRequestor(prawcore.Requestor):
    """prawcore's requestor, counting every HTTP request (token requests and retries too)."""

    def __init__(self, *args: Any, counter: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._counter = counter

    def request(self, *args: Any, **kwargs: Any):
        self._counter[0] += 1
        return super().request(*args, **kwargs)


class RedditSource(Source):
    kind = "reddit"

    def __init__(self, options: dict[str, Any], *, policy: RetryPolicy, now=time.time) -> None:
        super().__init__(options, policy=policy)
        self._counter = [0]
        self._secret = settings.REDDIT_CLIENT_SECRET
        self._client_id = settings.REDDIT_CLIENT_ID
        self._reddit = client(
            timeout=policy.http_timeout,
            requestor_class=CountingRequestor,
            requestor_kwargs={"counter": self._counter},
        )
        self._now = now
        self._flairs = {f.casefold() for f in options.get("flairs") or []}
        self._query = (options.get("query") or "").strip()

    @classmethod
    def validate_options(cls, options: Any) -> dict[str, Any]:
        if not isinstance(options, dict):
            raise ValidationError({"options": "Options must be a JSON object."})
        errors: dict[str, str] = {}
        unknown = set(options) - {"subreddits", "flairs", "query"}
        if unknown:
            errors["options"] = (
                f"Unknown Reddit option(s): {', '.join(sorted(unknown))}. Use subreddits, "
                "flairs, query."
            )
        subreddits = options.get("subreddits", [])
        if not isinstance(subreddits, list) or not all(isinstance(s, str) for s in subreddits):
            errors["subreddits"] = "“subreddits” must be a list of names."
            subreddits = []
        subreddits = [s.strip().removeprefix("r/").removeprefix("/r/") for s in subreddits]
        if not subreddits and "subreddits" not in errors:
            errors["subreddits"] = "List at least one subreddit in “subreddits”."
        bad = [s for s in subreddits if not SUBREDDIT_PATTERN.match(s)]
        if bad:
            errors["subreddits"] = f"“{bad[0]}” is not a subreddit name (letters, digits, _)."
        flairs = options.get("flairs", [])
        if not isinstance(flairs, list) or not all(isinstance(f, str) and f for f in flairs):
            errors["flairs"] = "“flairs” must be a list of non-empty strings."
            flairs = []
        query = options.get("query", "")
        if not isinstance(query, str):
            errors["query"] = "“query” must be a string."
            query = ""
        if errors:
            raise ValidationError({"options": [f"{k}: {v}" for k, v in errors.items()]})
        normalised: dict[str, Any] = {"subreddits": subreddits}
        if flairs:
            normalised["flairs"] = [f.strip() for f in flairs]
        if query.strip():
            normalised["query"] = query.strip()
        return normalised

    def targets(self) -> list[str]:
        return [f"r/{name}" for name in self.options.get("subreddits", [])]

    @property
    def requests_made(self) -> int:
        return self._counter[0]

    def secrets(self) -> list[str]:
        return [s for s in (self._secret, self._client_id) if s]

    def _call(self, fn: Callable[[], T], describe: str) -> T:
        try:
            return call_with_retries(fn, policy=self.policy, classify=_classify, describe=describe)
        except prawcore.exceptions.PrawcoreException as error:
            raise TargetFailed(f"{describe}: {error}") from error

    def walk(self, target: str, state: dict[str, Any]) -> Generator[Batch, None, dict[str, Any]]:
        subreddit = target.removeprefix("r/")
        since = state.get("since")
        run = state.get("pass")
        if not run:
            refresh_from = self._now() - REFRESH_WINDOW_SECONDS
            stop_before = None if since is None else min(since, refresh_from)
            run = {"after": None, "high_water": since, "stop_before": stop_before}
        if self._query:
            path = f"/r/{subreddit}/search"
            base = {"q": self._query, "restrict_sr": 1, "sort": "new", "t": "all"}
        else:
            path, base = f"/r/{subreddit}/new", {}
        while True:
            params = {**base, "limit": PER_PAGE}
            if run["after"]:
                params["after"] = run["after"]
            listing = self._call(
                lambda params=params: self._listing(path, params), f"Reddit r/{subreddit}"
            )
            items, errors, high_water = [], [], run["high_water"]
            reached_cursor = False
            for child in listing["children"]:
                data = child.get("data") if isinstance(child, dict) else None
                created = data.get("created_utc") if isinstance(data, dict) else None
                if isinstance(created, int | float):
                    if run["stop_before"] is not None and created < run["stop_before"]:
                        reached_cursor = True
                        break
                    high_water = created if high_water is None else max(high_water, created)
                parsed = self._post_item(data)
                if isinstance(parsed, ItemError):
                    errors.append(parsed)
                elif parsed is not None:
                    items.append(parsed)
            after = listing.get("after")
            if after and listing["children"] and not reached_cursor:
                run = {**run, "after": after, "high_water": high_water}
                yield Batch(items, errors, {"since": since, "pass": run})
            else:
                final = {"since": high_water, "pass": None}
                yield Batch(items, errors, final)
                return final

    def _listing(self, path: str, params: dict) -> dict:
        answer = self._reddit.request(method="GET", path=path, params=params)
        try:
            data = answer["data"]
            if answer.get("kind") != "Listing" or not isinstance(data["children"], list):
                raise TypeError
        except (KeyError, TypeError, AttributeError) as error:
            raise MalformedPage(f"expected a Listing from {path}") from error
        return data

    def _post_item(self, data: Any) -> Item | ItemError | None:
        if not isinstance(data, dict):
            return ItemError("reddit post", f"expected an object, got {type(data).__name__}")
        label = f"reddit post {data.get('name') or data.get('id') or '?'}"
        flair = data.get("link_flair_text")
        if self._flairs and (not isinstance(flair, str) or flair.casefold() not in self._flairs):
            return None
        try:
            post_id = data["id"]
            title = data["title"]
            permalink = data["permalink"]
            created = data["created_utc"]
            if not isinstance(post_id, str) or not post_id:
                raise ValueError("id is empty")
            if not isinstance(title, str) or not title.strip():
                raise ValueError("title is empty")
            if not isinstance(permalink, str) or not permalink.startswith("/"):
                raise ValueError("permalink is not a path")
            if not isinstance(created, int | float):
                raise ValueError("created_utc is not a number")
            score = data.get("score") or 0
            comments = data.get("num_comments") or 0
            if not isinstance(score, int) or not isinstance(comments, int):
                raise ValueError("score/num_comments are not numbers")
        except KeyError as missing:
            return ItemError(label, f"missing field {missing}")
        except ValueError as error:
            return ItemError(label, str(error))
        edited = data.get("edited")
        link = data.get("url") if not data.get("is_self") else ""
        return Item(
            source=POST_KIND,
            external_id=post_id,
            url=settings.REDDIT_URL.rstrip("/") + permalink,
            title=title.strip()[:300],
            body=data.get("selftext") or "",
            author=str(data.get("author") or "[deleted]")[:200],
            votes=max(0, score),
            comment_count=max(0, comments),
            # Locked or archived posts take no more votes or comments: closed, for triage.
            upstream_state="closed" if data.get("locked") or data.get("archived") else "open",
            created_upstream=datetime.fromtimestamp(created, UTC),
            updated_upstream=datetime.fromtimestamp(
                edited if isinstance(edited, int | float) and edited else created, UTC
            ),
            raw=data,
            linked_url=link if isinstance(link, str) and link.startswith("http") else "",
        )


def _classify(error: BaseException) -> Transient | RateLimit | None:
    if isinstance(error, prawcore.exceptions.TooManyRequests):
        wait = retry_after_seconds(error.response.headers)
        return RateLimit(DEFAULT_RATE_LIMIT_WAIT if wait is None else wait, "HTTP 429 rate limit")
    if isinstance(error, prawcore.exceptions.ServerError):
        return Transient(f"HTTP {error.response.status_code}")
    if isinstance(error, prawcore.exceptions.RequestException):
        return Transient(f"network error ({type(error.original_exception).__name__})")
    if isinstance(error, prawcore.exceptions.BadJSON | MalformedPage):
        return Transient("malformed response")
    return None
