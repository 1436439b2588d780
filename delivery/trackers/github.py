"""GitHub: issues, pull requests and milestones through PyGithub, at GITHUB_API_URL.

Links are refreshed one request each, sent with the ETag of the last answer: GitHub answers
304 (free of rate limit) when nothing changed. Labels are found by listing each repository's
issues updated since the last scan (pull requests are issues there too). A release contains a
pull request when GitHub's compare of the release tag against the merge commit says "behind"
or "identical", i.e. the merge commit is an ancestor of the tag.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from github import Auth, Github, GithubException

from connectors.retry import (
    RateLimit,
    RateLimited,
    RetryPolicy,
    Transient,
    UpstreamUnavailable,
    call_with_retries,
    retry_after_seconds,
)

from .base import Labelled, Release, Tracker, TrackerDown, WorkGone, WorkRef, WorkState, item_ids_in

T = TypeVar("T")
REPO = r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+"
URL_PATTERN = re.compile(
    rf"^https?://[^/]+/(?P<repo>{REPO})/(?P<what>issues|pull|milestone)/(?P<n>\d+)/?$"
)
KEY_PATTERN = re.compile(rf"^(?P<repo>{REPO})(?:#(?P<n>\d+)|/milestone/(?P<m>\d+))$")
REPO_PATTERN = re.compile(rf"^{REPO}$")
PER_PAGE = 100


def _key(repo: str, kind: str, number: str) -> str:
    return f"{repo}/milestone/{number}" if kind == "milestone" else f"{repo}#{number}"


def _split(key: str) -> tuple[str, str]:
    match = KEY_PATTERN.match(key)
    return match["repo"], match["n"] or match["m"]


class GitHubTracker(Tracker):
    kind = "github"
    scope_pattern = REPO_PATTERN
    scope_help = 'List repositories as ["owner/name", ...].'

    def __init__(self, scope: list[str], *, policy: RetryPolicy | None = None) -> None:
        super().__init__(scope, policy=policy)
        token = settings.GITHUB_TOKEN
        self._requester = Github(
            auth=Auth.Token(token) if token else None,
            base_url=settings.GITHUB_API_URL.rstrip("/"),
            per_page=PER_PAGE,
            timeout=int(self.policy.http_timeout),
            retry=0,
            seconds_between_requests=None,
            seconds_between_writes=None,
            lazy=True,
        ).requester

    @classmethod
    def parse_ref(cls, text: str) -> WorkRef | None:
        text = text.strip()
        match = URL_PATTERN.match(text)
        if match:
            kind = {"issues": "issue", "pull": "pull", "milestone": "milestone"}[match["what"]]
            return WorkRef(kind, _key(match["repo"], kind, match["n"]))
        match = KEY_PATTERN.match(text)
        if match:
            # "owner/name#12" may be an issue or a pull request: the first fetch tells.
            kind = "milestone" if match["m"] else "issue"
            return WorkRef(kind, text)
        return None

    # HTTP

    def _get(
        self, url: str, *, params: dict | None = None, etag: str = ""
    ) -> tuple[int, dict, Any]:
        """(status, headers, JSON) of a GET, retried politely; 304 answers (304, headers, None)."""

        def attempt():
            status, headers, output = self._requester.requestJson(
                "GET", url, parameters=params, headers={"If-None-Match": etag} if etag else None
            )
            if status == 304:
                return status, headers, None
            data = json.loads(output) if output else None
            if status >= 400:
                raise self._requester.createException(status, headers, data)
            return status, headers, data

        try:
            return call_with_retries(
                attempt, policy=self.policy, classify=_classify, describe=f"GitHub {url}"
            )
        except (RateLimited, UpstreamUnavailable) as error:
            raise TrackerDown(str(error)) from error
        except GithubException as error:
            if error.status in (401,):
                raise TrackerDown(f"GitHub {url}: HTTP 401 (check GITHUB_TOKEN)") from error
            if error.status in (403, 404, 410, 451):
                raise WorkGone(f"HTTP {error.status} (deleted, moved or private)") from error
            raise TrackerDown(f"GitHub {url}: HTTP {error.status}") from error

    # Links

    def fetch(self, ref: WorkRef, *, etag: str = "") -> WorkState | None:
        repo, number = _split(ref.key)
        if ref.kind == "milestone":
            status, headers, data = self._get(f"/repos/{repo}/milestones/{number}", etag=etag)
            if data is None:
                return None
            return _milestone_state(ref.key, data, _etag(headers))
        # An issue's URL may name a pull request (GitHub redirects them): the issue tells.
        path = (
            f"/repos/{repo}/pulls/{number}"
            if ref.kind == "pull"
            else f"/repos/{repo}/issues/{number}"
        )
        status, headers, data = self._get(path, etag=etag)
        if data is None:
            return None
        if ref.kind == "issue" and isinstance(data, dict) and data.get("pull_request"):
            status, headers, data = self._get(f"/repos/{repo}/pulls/{number}", etag="")
            return _pull_state(ref.key, data, _etag(headers))
        if ref.kind == "pull":
            return _pull_state(ref.key, data, _etag(headers))
        return _issue_state(ref.key, data, _etag(headers))

    def labelled(self, cursor: dict) -> tuple[list[Labelled], dict]:
        found: list[Labelled] = []
        cursor = dict(cursor)
        for repo in self.scope:
            started = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
            since = (cursor.get(repo) or {}).get("since")
            params: dict | None = {
                "state": "all",
                "sort": "updated",
                "direction": "desc",
                "per_page": PER_PAGE,
            }
            if since:
                params["since"] = since
            url = f"/repos/{repo}/issues"
            etag = (cursor.get(repo) or {}).get("etag", "")
            first_etag = ""
            while url:
                status, headers, data = self._get(url, params=params, etag=etag if params else "")
                if data is None:
                    break
                if params:
                    first_etag = _etag(headers)
                for element in data if isinstance(data, list) else []:
                    labels = [
                        label.get("name", "")
                        for label in element.get("labels") or []
                        if isinstance(label, dict)
                    ]
                    ids = item_ids_in(labels)
                    if not ids:
                        continue
                    number = str(element.get("number"))
                    if element.get("pull_request"):
                        _, _, pull = self._get(f"/repos/{repo}/pulls/{number}")
                        state = _pull_state(_key(repo, "pull", number), pull, "")
                    else:
                        state = _issue_state(_key(repo, "issue", number), element, "")
                    found += [Labelled(item_id, state) for item_id in ids]
                url, params = _next_link(headers), None
            else:
                # Only a scan that reached its end moves the cursor: a stopped one is redone.
                cursor[repo] = {"since": started, "etag": first_etag}
                continue
            cursor[repo] = {"since": since, "etag": etag}
        return found, cursor

    # Releases

    def release_containing(self, pulls: list[WorkState]) -> Release | None:
        """In the first repository (in link order) that publishes releases, the oldest
        release whose tag contains all of that repository's linked pull requests. Pull
        requests elsewhere (a server repository without releases) do not hold it back."""
        if not pulls or not all(p.merge_commit for p in pulls):
            return None
        by_repo: dict[str, list[WorkState]] = {}
        for pull in pulls:
            by_repo.setdefault(_split(pull.key)[0], []).append(pull)
        for repo, merged in by_repo.items():
            releases = self._releases(repo)
            if not releases:
                continue
            merges = [p.merged_at for p in merged if p.merged_at]
            latest_merge = max(merges) if merges else None
            for release in releases:
                published = parse_datetime(
                    release.get("published_at") or release.get("created_at") or ""
                )
                # A release published before the last merge cannot contain it: no compare.
                if latest_merge and published and published < latest_merge:
                    continue
                tag = release["tag_name"]
                if all(self._contains(repo, tag, p.merge_commit) for p in merged):
                    return Release(tag=tag, url=release.get("html_url") or "")
            return None
        return None

    def _releases(self, repo: str) -> list[dict]:
        """Published releases (no drafts, no prereleases), oldest first."""
        found, url, params = [], f"/repos/{repo}/releases", {"per_page": PER_PAGE}
        while url:
            _, headers, data = self._get(url, params=params)
            found += [r for r in data or [] if not r.get("draft") and not r.get("prerelease")]
            url, params = _next_link(headers), None
        return sorted(
            found,
            key=lambda r: (r.get("published_at") or r.get("created_at") or "", r.get("id", 0)),
        )

    def _contains(self, repo: str, tag: str, sha: str) -> bool:
        try:
            _, _, data = self._get(f"/repos/{repo}/compare/{tag}...{sha}")
        except WorkGone:
            return False
        return (data or {}).get("status") in ("behind", "identical")


def _classify(error: BaseException) -> Transient | RateLimit | None:
    if isinstance(error, GithubException):
        headers = {k.lower(): v for k, v in (error.headers or {}).items()}
        if error.status == 429 or (
            error.status == 403 and str(headers.get("x-ratelimit-remaining")) == "0"
        ):
            wait = retry_after_seconds(headers)
            return RateLimit(60.0 if wait is None else wait, f"HTTP {error.status} rate limit")
        if error.status >= 500:
            return Transient(f"HTTP {error.status}")
        return None
    if isinstance(error, requests.exceptions.RequestException):
        return Transient(f"network error ({type(error).__name__})")
    if isinstance(error, ValueError):
        return Transient(f"malformed response ({error})")
    return None


def _etag(headers: dict) -> str:
    return {k.lower(): v for k, v in (headers or {}).items()}.get("etag") or ""


def _next_link(headers: dict) -> str | None:
    link = {k.lower(): v for k, v in (headers or {}).items()}.get("link") or ""
    for part in link.split(","):
        url, _, rel = part.partition(";")
        if 'rel="next"' in rel:
            return url.strip().strip("<>")
    return None


def _issue_state(key: str, data: dict, etag: str) -> WorkState:
    state = data.get("state") or ""
    # An issue closed as "not planned" delivers nothing: it is not done work.
    done = state == "closed" and data.get("state_reason") != "not_planned"
    label = "closed (not planned)" if state == "closed" and not done else state
    return WorkState("issue", key, data.get("html_url") or "", label, done, etag=etag)


def _pull_state(key: str, data: dict, etag: str) -> WorkState:
    merged = bool(data.get("merged") or data.get("merged_at"))
    state = "merged" if merged else (data.get("state") or "")
    return WorkState(
        "pull",
        key,
        data.get("html_url") or "",
        state,
        merged,
        merge_commit=(data.get("merge_commit_sha") or "") if merged else "",
        merged_at=parse_datetime(data.get("merged_at") or "") if merged else None,
        etag=etag,
    )


def _milestone_state(key: str, data: dict, etag: str) -> WorkState:
    opened, closed = data.get("open_issues") or 0, data.get("closed_issues") or 0
    done = data.get("state") == "closed" or (opened == 0 and closed > 0)
    state = f"{data.get('state') or ''} ({closed} of {opened + closed} closed)"
    return WorkState("milestone", key, data.get("html_url") or "", state, done, etag=etag)
