"""GitHub: issues (REST, Link-header pagination) and discussions (GraphQL), through PyGithub.

PyGithub's own retries are off (`retry=0`): `connectors.retry` does them, so that backoff,
rate-limit waits and the request count are the same for every source. Pages are fetched
through `Github.requester`, PyGithub's documented door to raw endpoints, because reading
PyGithub's lazy Issue objects would cost one extra request per issue.

Cursor state per target: `{"since": ISO time, "pass": {...} | None, "etag": [since, ETag]}`.
A pass walks the listing
newest-updated first from `since`; an item updated during the pass moves to the front, where
the *next* pass finds it, so nothing is skipped. The pass keeps its resume point (`next` URL or
GraphQL `after`) in the state stored with each page, so a run stopped half-way (rate limit,
outage) resumes where it stopped; `since` moves only when a pass reaches its end.

Idle syncs cost nothing: a pass that ended on its first page without moving `since` keeps that
page's ETag, and the next pass sends it as `If-None-Match`. GitHub answers `304 Not Modified`
when nothing changed, and a 304 does not count against the rate limit. (GraphQL has no
conditional requests: each discussions pass costs one point.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Generator
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from github import Auth, Github, GithubException, RateLimitExceededException

from .retry import RateLimit, RetryPolicy, Transient, call_with_retries, retry_after_seconds
from .sources import Batch, Item, ItemError, MalformedPage, Source, TargetFailed

T = TypeVar("T")

# Plain source kinds (intake's Signal.Source values): sources import no intake model.
ISSUE_KIND = "github_issue"
DISCUSSION_KIND = "github_discussion"

REPO_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
PER_PAGE = 100
DEFAULT_RATE_LIMIT_WAIT = 60.0

DISCUSSIONS_QUERY = """
query($owner: String!, $name: String!, $first: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    discussions(first: $first, after: $after, orderBy: {field: UPDATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id number title body url createdAt updatedAt closed upvoteCount
        author { login }
        category { name }
        comments { totalCount }
        reactions { totalCount }
      }
    }
  }
}
"""


def _string_list(options: dict, key: str, errors: dict, *, required: bool = False) -> list[str]:
    value = options.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        errors[key] = f"“{key}” must be a list of non-empty strings."
        return []
    if required and not value:
        errors[key] = f"List at least one entry in “{key}”."
    return [v.strip() for v in value]


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    return parse_datetime(value)


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _later(a: str | None, b: datetime | None) -> str | None:
    """The later of an ISO string and a datetime, as an ISO string."""
    if b is None:
        return a
    if a is None or b > _parse_time(a):
        return _iso(b)
    return a


class GitHubSource(Source):
    kind = "github"

    def __init__(self, options: dict[str, Any], *, policy: RetryPolicy) -> None:
        super().__init__(options, policy=policy)
        token = settings.GITHUB_TOKEN
        self._token = token
        self._github = Github(
            auth=Auth.Token(token) if token else None,
            base_url=settings.GITHUB_API_URL.rstrip("/"),
            per_page=PER_PAGE,
            timeout=int(policy.http_timeout),
            retry=0,
            seconds_between_requests=None,
            seconds_between_writes=None,
            lazy=True,
        )
        self._requester = self._github.requester
        self._requests = 0
        self._targets: dict[str, tuple[str, str, str | None]] = {}
        for repo in options.get("repos", []):
            labels = options.get("labels") or []
            # Several labels mean "any of them": one listing each, as GitHub's own
            # `labels=a,b` filter would demand all of them at once.
            for label in labels or [None]:
                name = f"{repo} issues" + (f" labelled {label}" if label else "")
                self._targets[name] = ("issues", repo, label)
            if options.get("discussions"):
                self._targets[f"{repo} discussions"] = ("discussions", repo, None)
        self._categories = {c.casefold() for c in options.get("discussion_categories") or []}

    @classmethod
    def validate_options(cls, options: Any) -> dict[str, Any]:
        if not isinstance(options, dict):
            raise ValidationError({"options": "Options must be a JSON object."})
        errors: dict[str, str] = {}
        unknown = set(options) - {"repos", "labels", "discussions", "discussion_categories"}
        if unknown:
            errors["options"] = (
                f"Unknown GitHub option(s): {', '.join(sorted(unknown))}. Use repos, labels, "
                "discussions, discussion_categories."
            )
        repos = _string_list(options, "repos", errors, required=True)
        bad = [r for r in repos if not REPO_PATTERN.match(r)]
        if bad and "repos" not in errors:
            errors["repos"] = f"Write repositories as owner/name (not “{bad[0]}”)."
        labels = _string_list(options, "labels", errors)
        categories = _string_list(options, "discussion_categories", errors)
        discussions = options.get("discussions", False)
        if not isinstance(discussions, bool):
            errors["discussions"] = "“discussions” must be true or false."
        if errors:
            raise ValidationError({"options": [f"{k}: {v}" for k, v in errors.items()]})
        return {
            "repos": repos,
            "labels": labels,
            "discussions": discussions,
            "discussion_categories": categories,
        }

    def targets(self) -> list[str]:
        return list(self._targets)

    @property
    def requests_made(self) -> int:
        return self._requests

    def secrets(self) -> list[str]:
        return [self._token] if self._token else []

    def walk(self, target: str, state: dict[str, Any]) -> Generator[Batch, None, dict[str, Any]]:
        what, repo, label = self._targets[target]
        if what == "issues":
            return (yield from self._walk_issues(repo, label, state))
        return (yield from self._walk_discussions(repo, state))

    # HTTP

    def _call(self, fn: Callable[[], T], describe: str, on_wait=None) -> T:
        def attempt() -> T:
            self._requests += 1
            return fn()

        try:
            return call_with_retries(
                attempt,
                policy=self.policy,
                classify=_classify,
                describe=describe,
                on_wait=on_wait,
            )
        except GithubException as error:
            message = error.message or (error.data or {}).get("message") or ""
            raise TargetFailed(f"{describe}: HTTP {error.status} {message}".strip()) from error

    # Issues

    def _walk_issues(self, repo: str, label: str | None, state: dict[str, Any]):
        since = state.get("since")
        run = state.get("pass") or {"since": since, "next": None, "high_water": since}
        etag = None
        if run.get("next"):
            url, params = run["next"], None
        else:
            remembered = state.get("etag")
            if isinstance(remembered, list) and len(remembered) == 2 and remembered[0] == since:
                etag = remembered[1]
            url = f"/repos/{repo}/issues"
            params = {
                "state": "all",
                "sort": "updated",
                "direction": "desc",
                "per_page": PER_PAGE,
            }
            if label:
                params["labels"] = label
            if run.get("since"):
                params["since"] = run["since"]
        while True:
            headers, data = self._call(
                lambda url=url, params=params, etag=etag: self._get_list(url, params, etag),
                f"GitHub {repo} issues",
            )
            if data is None:
                # 304: the listing is as it was when its ETag was kept; nothing to store.
                yield Batch([], [], state, (1, 1))
                return state
            first_page, etag = params is not None, None
            items, errors, high_water = [], [], run.get("high_water")
            for element in data:
                parsed = _issue_item(repo, element)
                if isinstance(parsed, ItemError):
                    errors.append(parsed)
                    continue
                if isinstance(element, dict):
                    high_water = _later(high_water, _parse_time(element.get("updated_at")))
                if parsed is not None:
                    items.append(parsed)
            links = _links(headers)
            next_url = links.get("next")
            if next_url:
                run = {**run, "next": next_url, "high_water": high_water}
                pages = (_page_of(next_url) - 1, _page_of(links.get("last", next_url)))
                yield Batch(items, errors, {"since": since, "pass": run}, pages)
                url, params = next_url, None
            else:
                final = {"since": high_water, "pass": None}
                fresh = _header(headers, "etag")
                if first_page and high_water == since and fresh:
                    # Asked again with the same `since`, this page answers 304 until it changes.
                    final["etag"] = [since, fresh]
                last = _page_of(links["prev"]) + 1 if "prev" in links else 1
                yield Batch(items, errors, final, (last, last))
                return final

    def _get_list(
        self, url: str, params: dict | None, etag: str | None
    ) -> tuple[dict, list | None]:
        """A page of a listing, or (headers, None) when GitHub says it is not modified."""
        conditional = {"If-None-Match": etag} if etag else None
        status, headers, output = self._requester.requestJson(
            "GET", url, parameters=params, headers=conditional
        )
        if status == 304 and etag:
            return headers, None
        try:
            data = json.loads(output) if output else None
        except ValueError as error:
            if status >= 400:
                raise self._requester.createException(status, headers, None) from error
            raise
        if status >= 400:
            raise self._requester.createException(status, headers, data)
        if not isinstance(data, list):
            raise MalformedPage(f"expected a JSON list from {url}, got {type(data).__name__}")
        return headers, data

    # Discussions

    def _walk_discussions(self, repo: str, state: dict[str, Any]):
        owner, name = repo.split("/", 1)
        since = state.get("since")
        run = state.get("pass") or {"since": since, "after": None, "high_water": since}
        stop_before = _parse_time(run["since"]) if run.get("since") else None
        while True:
            variables = {"owner": owner, "name": name, "first": PER_PAGE, "after": run["after"]}
            connection = self._call(
                lambda variables=variables: self._discussions_page(variables),
                f"GitHub {repo} discussions",
            )
            items, errors, high_water = [], [], run.get("high_water")
            reached_cursor = False
            for node in connection["nodes"]:
                updated = _parse_time(node.get("updatedAt")) if isinstance(node, dict) else None
                if stop_before and updated and updated < stop_before:
                    reached_cursor = True
                    break
                high_water = _later(high_water, updated)
                parsed = _discussion_item(node, self._categories)
                if isinstance(parsed, ItemError):
                    errors.append(parsed)
                elif parsed is not None:
                    items.append(parsed)
            page_info = connection["pageInfo"]
            if page_info.get("hasNextPage") and page_info.get("endCursor") and not reached_cursor:
                run = {**run, "after": page_info["endCursor"], "high_water": high_water}
                yield Batch(items, errors, {"since": since, "pass": run})
            else:
                final = {"since": high_water, "pass": None}
                yield Batch(items, errors, final)
                return final

    def _discussions_page(self, variables: dict) -> dict:
        _, data = self._requester.graphql_query(DISCUSSIONS_QUERY, variables)
        try:
            connection = data["data"]["repository"]["discussions"]
            if not isinstance(connection["nodes"], list) or not isinstance(
                connection["pageInfo"], dict
            ):
                raise TypeError
        except (KeyError, TypeError) as error:
            raise MalformedPage("GraphQL answer without repository.discussions") from error
        return connection


def _classify(error: BaseException) -> Transient | RateLimit | None:
    if isinstance(error, GithubException):
        headers = error.headers or {}
        remaining = str({k.lower(): v for k, v in headers.items()}.get("x-ratelimit-remaining"))
        if (
            isinstance(error, RateLimitExceededException)
            or error.status == 429
            or (error.status == 403 and remaining == "0")
        ):
            wait = retry_after_seconds(headers)
            return RateLimit(
                DEFAULT_RATE_LIMIT_WAIT if wait is None else wait, f"HTTP {error.status} rate limit"
            )
        if error.status >= 500:
            return Transient(f"HTTP {error.status}")
        return None
    if isinstance(error, requests.exceptions.RequestException):
        return Transient(f"network error ({type(error).__name__})")
    if isinstance(error, MalformedPage | ValueError):
        # A truncated or garbled body is often a proxy hiccup: worth another try.
        return Transient(f"malformed response ({error})")
    return None


def _header(headers: dict, name: str) -> str | None:
    return {k.lower(): v for k, v in (headers or {}).items()}.get(name)


def _links(headers: dict) -> dict[str, str]:
    """The URLs of a `Link` header by relation (next, last, ...)."""
    link = _header(headers, "link")
    if not isinstance(link, str):
        return {}
    found = {}
    for part in link.split(","):
        section = part.split(";")
        url = section[0].strip().strip("<>")
        for attribute in section[1:]:
            name, _, value = attribute.strip().partition("=")
            if name == "rel":
                found[value.strip('"')] = url
    return found


def _page_of(url: str) -> int:
    values = parse_qs(urlsplit(url).query).get("page") or ["1"]
    return int(values[0]) if values[0].isdigit() else 1


def _login(user: Any) -> str:
    # A deleted account shows as null upstream; GitHub itself calls it "ghost".
    if isinstance(user, dict) and isinstance(user.get("login"), str):
        return user["login"]
    return "ghost"


def _issue_item(repo: str, element: Any) -> Item | ItemError | None:
    """The issue as an Item; None for a pull request (the issues API lists both)."""
    if not isinstance(element, dict):
        return ItemError(f"{repo} issue", f"expected an object, got {type(element).__name__}")
    if "pull_request" in element:
        return None
    label = f"{repo}#{element.get('number', '?')}"
    try:
        issue_id = element["id"]
        title = element["title"]
        url = element["html_url"]
        state = element["state"]
        if not isinstance(title, str) or not title.strip():
            raise ValueError("title is empty")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError("html_url is not a URL")
        if state not in ("open", "closed"):
            raise ValueError(f"unknown state {state!r}")
        created = _parse_time(element["created_at"])
        updated = _parse_time(element["updated_at"])
        if created is None or updated is None:
            raise ValueError("created_at/updated_at is not a time")
        reactions = element.get("reactions") or {}
        comments = element.get("comments") or 0
        if not isinstance(comments, int) or not isinstance(reactions, dict):
            raise ValueError("comments/reactions have the wrong type")
        thumbs_up = reactions.get("+1") or 0
        if not isinstance(thumbs_up, int):
            raise ValueError("reactions['+1'] is not a number")
    except KeyError as missing:
        return ItemError(label, f"missing field {missing}")
    except (TypeError, ValueError) as error:
        return ItemError(label, str(error))
    return Item(
        source=ISSUE_KIND,
        external_id=str(issue_id),
        url=url,
        title=title.strip()[:300],
        body=element.get("body") or "",
        author=_login(element.get("user"))[:200],
        # 👍 is how GitHub users vote; the total of all reactions stays in `raw`.
        votes=max(0, thumbs_up),
        comment_count=max(0, comments),
        upstream_state=state,
        created_upstream=created,
        updated_upstream=updated,
        raw=element,
    )


def _discussion_item(node: Any, categories: set[str]) -> Item | ItemError | None:
    """The discussion as an Item; None when it is outside the configured categories."""
    if not isinstance(node, dict):
        return ItemError("discussion", f"expected an object, got {type(node).__name__}")
    label = f"discussion {node.get('url') or node.get('id') or '?'}"
    category = (node.get("category") or {}).get("name") if isinstance(node, dict) else None
    if categories and (not isinstance(category, str) or category.casefold() not in categories):
        return None
    try:
        node_id = node["id"]
        title = node["title"]
        url = node["url"]
        if not isinstance(node_id, str) or not node_id:
            raise ValueError("id is empty")
        if not isinstance(title, str) or not title.strip():
            raise ValueError("title is empty")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError("url is not a URL")
        created = _parse_time(node["createdAt"])
        updated = _parse_time(node["updatedAt"])
        if created is None or updated is None:
            raise ValueError("createdAt/updatedAt is not a time")
        upvotes = node.get("upvoteCount") or 0
        comments = (node.get("comments") or {}).get("totalCount") or 0
        if not isinstance(upvotes, int) or not isinstance(comments, int):
            raise ValueError("upvoteCount/comments have the wrong type")
    except KeyError as missing:
        return ItemError(label, f"missing field {missing}")
    except (AttributeError, TypeError, ValueError) as error:
        return ItemError(label, str(error))
    return Item(
        source=DISCUSSION_KIND,
        external_id=node_id,
        url=url,
        title=title.strip()[:300],
        body=node.get("body") or "",
        author=_login(node.get("author"))[:200],
        votes=max(0, upvotes),
        comment_count=max(0, comments),
        upstream_state="closed" if node.get("closed") else "open",
        created_upstream=created,
        updated_upstream=updated,
        raw=node,
    )
