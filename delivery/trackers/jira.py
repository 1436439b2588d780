"""Jira: issues and epics through the `jira` library, at JIRA_URL with basic auth (JIRA_EMAIL and
JIRA_API_TOKEN).

A link is done when its status is in Jira's "done" category (whatever the workflow calls it).
Labels are found with a JQL search over the configured projects' issues updated since the last
scan: on Cloud the enhanced `/rest/api/2/search/jql` (paged by `nextPageToken`), on Data Center
`/rest/api/2/search` (paged by `startAt`), the one each offers. Jira has no conditional
requests. The library's own retries are off: `connectors.retry` does them.
"""

from __future__ import annotations

import re

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from jira import JIRA, JIRAError

from connectors.retry import (
    RateLimit,
    RateLimited,
    RetryPolicy,
    Transient,
    UpstreamUnavailable,
    call_with_retries,
    retry_after_seconds,
)

from .base import Labelled, Tracker, TrackerDown, WorkGone, WorkRef, WorkState, item_ids_in

KEY_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]+-\d+$")
URL_PATTERN = re.compile(r"^https?://[^/]+(?:/[^/]+)*/browse/(?P<key>[A-Z][A-Z0-9_]+-\d+)/?$")
PROJECT_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]+$")
FIELDS = "status,issuetype,labels"
PER_PAGE = 100


class JiraTracker(Tracker):
    kind = "jira"
    scope_pattern = PROJECT_PATTERN
    scope_help = 'List Jira project keys as ["NET", ...].'

    def __init__(self, scope: list[str], *, policy: RetryPolicy | None = None) -> None:
        super().__init__(scope, policy=policy)
        self._server = settings.JIRA_URL.rstrip("/")
        self._client: JIRA | None = None

    def _jira(self) -> JIRA:
        if self._client is None:
            if not self._server:
                raise TrackerDown("JIRA_URL is not set")
            self._client = JIRA(
                server=self._server,
                basic_auth=(settings.JIRA_EMAIL, settings.JIRA_API_TOKEN),
                # The server info says Cloud or Data Center, which search endpoint exists.
                get_server_info=True,
                max_retries=0,
                timeout=self.policy.http_timeout,
            )
        return self._client

    @classmethod
    def parse_ref(cls, text: str) -> WorkRef | None:
        text = text.strip()
        match = URL_PATTERN.match(text)
        key = match["key"] if match else (text if KEY_PATTERN.match(text) else None)
        # Issue or epic: the first fetch tells from the issue type.
        return WorkRef("issue", key) if key else None

    def _call(self, fn, describe: str):
        try:
            return call_with_retries(fn, policy=self.policy, classify=_classify, describe=describe)
        except (RateLimited, UpstreamUnavailable) as error:
            raise TrackerDown(str(error)) from error
        except JIRAError as error:
            if error.status_code in (403, 404, 410):
                raise WorkGone(f"HTTP {error.status_code} (deleted, moved or private)") from error
            raise TrackerDown(f"{describe}: HTTP {error.status_code}") from error

    def fetch(self, ref: WorkRef, *, etag: str = "") -> WorkState:
        issue = self._call(
            lambda: self._jira().issue(ref.key, fields=FIELDS), f"Jira issue {ref.key}"
        )
        return self._state(issue.raw)

    def labelled(self, cursor: dict) -> tuple[list[Labelled], dict]:
        if not self.scope:
            return [], cursor
        started = timezone.now()
        projects = ", ".join(self.scope)
        jql = f"project in ({projects}) AND labels is not EMPTY"
        last = parse_datetime(cursor.get("since") or "")
        if last is not None:
            # A relative time does not depend on the Jira user's time zone; JQL counts in
            # minutes, so two minutes' overlap re-reads a little and misses nothing.
            minutes = int((started - last).total_seconds() // 60) + 2
            jql += f' AND updated >= "-{minutes}m"'
        found: list[Labelled] = []
        for page in self._search_pages(jql + " ORDER BY updated DESC"):
            for raw in page.get("issues") or []:
                ids = item_ids_in((raw.get("fields") or {}).get("labels") or [])
                if ids:
                    state = self._state(raw)
                    found += [Labelled(item_id, state) for item_id in ids]
        return found, {"since": started.isoformat()}

    def _search_pages(self, jql: str):
        """Pages of a JQL search: Cloud's `search/jql` (nextPageToken), else Data Center's
        `search` (startAt), the only one each offers."""
        cloud = self._call(lambda: self._jira()._is_cloud, "Jira server info")
        token, start = None, 0
        while True:
            if cloud:
                page = self._call(
                    lambda token=token: self._jira().enhanced_search_issues(
                        jql,
                        nextPageToken=token,
                        maxResults=PER_PAGE,
                        fields=FIELDS,
                        json_result=True,
                    ),
                    "Jira search",
                )
            else:
                page = self._call(
                    lambda start=start: self._jira().search_issues(
                        jql, startAt=start, maxResults=PER_PAGE, fields=FIELDS, json_result=True
                    ),
                    "Jira search",
                )
            if not isinstance(page, dict):
                raise TrackerDown("Jira search answered something that is not a search result")
            yield page
            issues = page.get("issues") or []
            if cloud:
                token = page.get("nextPageToken")
                if page.get("isLast", True) or not token:
                    return
            else:
                start += len(issues)
                if not issues or start >= int(page.get("total") or 0):
                    return

    def _state(self, raw: dict) -> WorkState:
        fields = raw.get("fields") or {}
        status = fields.get("status") or {}
        category = (status.get("statusCategory") or {}).get("key")
        is_epic = ((fields.get("issuetype") or {}).get("name") or "").casefold() == "epic"
        return WorkState(
            "epic" if is_epic else "issue",
            raw.get("key") or "",
            f"{self._server}/browse/{raw.get('key')}",
            status.get("name") or "",
            category == "done",
        )


def _classify(error: BaseException) -> Transient | RateLimit | None:
    if isinstance(error, JIRAError):
        if error.status_code == 429:
            wait = retry_after_seconds(getattr(error.response, "headers", None))
            return RateLimit(60.0 if wait is None else wait, "HTTP 429 rate limit")
        if error.status_code and error.status_code >= 500:
            return Transient(f"HTTP {error.status_code}")
        return None
    if isinstance(error, requests.exceptions.RequestException):
        return Transient(f"network error ({type(error).__name__})")
    if isinstance(error, ValueError):
        return Transient(f"malformed response ({error})")
    return None
