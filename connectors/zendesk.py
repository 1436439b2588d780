"""Zendesk: tickets with a configured tag, from the incremental ticket export, through zenpy.

The cursor-based export (`/api/v2/incremental/tickets/cursor.json`) lists every ticket
created or updated since a point, oldest change first, with the requester and organization
sideloaded. Its `after_cursor` is the resume point: stored with each page, it never skips a
ticket (one that changes during the export moves behind the cursor and comes again), and a
later sync asks for what changed after it. The export has no conditional requests: an idle
sync costs one request, answered with no tickets.

zenpy waits out a 429 on its own, sleeping for as long as Retry-After says; a budget of zero
turns that into an exception at once, so that `connectors.retry` decides (wait a short reset,
stop the run on a long one) as for every other source. A requests response hook counts every
request and remembers the last response's headers, where the Retry-After is.

Cursor state: `{"cursor": after_cursor}` once a page is stored; `{}` starts from the beginning.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from zenpy import Zenpy
from zenpy.lib.api_objects import Ticket
from zenpy.lib.exception import APIException, RatelimitBudgetExceeded, ZenpyException

from .retry import RateLimit, RetryPolicy, Transient, call_with_retries, retry_after_seconds
from .sources import Batch, Item, ItemError, MalformedPage, Source, TargetFailed

T = TypeVar("T")

SOURCE_KIND = "zendesk"  # intake's Signal.Source.ZENDESK; sources import no intake model
PER_PAGE = 1000  # the export's maximum: its rate limit (10 a minute) counts requests
DEFAULT_RATE_LIMIT_WAIT = 60.0
CLOSED_STATUSES = {"solved", "closed"}
SIDELOADS = ["users", "organizations"]


class ZendeskSettingsMissing(Exception):
    """The environment does not say which Zendesk to read, or with which credentials."""


def zendesk_base_url() -> str:
    """`https://<subdomain>.zendesk.com`, or ZENDESK_URL when set (a host elsewhere, or a test)."""
    if settings.ZENDESK_URL:
        return settings.ZENDESK_URL.rstrip("/")
    if settings.ZENDESK_SUBDOMAIN:
        return f"https://{settings.ZENDESK_SUBDOMAIN}.zendesk.com"
    return ""


class ZendeskSource(Source):
    kind = "zendesk"

    def __init__(self, options: dict[str, Any], *, policy: RetryPolicy) -> None:
        super().__init__(options, policy=policy)
        self._token = settings.ZENDESK_API_TOKEN
        self._base = zendesk_base_url()
        self._tags = {t.casefold() for t in options.get("tags", [])}
        self._requests = 0
        self._last_headers: dict[str, str] = {}
        self._zenpy: Zenpy | None = None

    @classmethod
    def validate_options(cls, options: Any) -> dict[str, Any]:
        if not isinstance(options, dict):
            raise ValidationError({"options": "Options must be a JSON object."})
        errors: dict[str, str] = {}
        unknown = set(options) - {"tags"}
        if unknown:
            errors["options"] = (
                f"Unknown Zendesk option(s): {', '.join(sorted(unknown))}. Use tags."
            )
        tags = options.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
            errors["tags"] = "“tags” must be a list of non-empty strings."
            tags = []
        elif not tags:
            errors["tags"] = "List at least one tag in “tags” (e.g. feature-request)."
        if errors:
            raise ValidationError({"options": [f"{k}: {v}" for k, v in errors.items()]})
        return {"tags": [t.strip() for t in tags]}

    def targets(self) -> list[str]:
        # One listing; its name carries the tags, so that changing them starts a fresh export
        # (a newly configured tag may be on tickets the old cursor already passed).
        return [f"tickets tagged {' or '.join(sorted(self.options['tags']))}"]

    @property
    def requests_made(self) -> int:
        return self._requests

    def secrets(self) -> list[str]:
        return [self._token] if self._token else []

    # Client

    def _client(self) -> Zenpy:
        if self._zenpy is not None:
            return self._zenpy
        if not self._base or not settings.ZENDESK_EMAIL or not self._token:
            raise TargetFailed(
                "Zendesk is not configured: set ZENDESK_SUBDOMAIN (or ZENDESK_URL), "
                "ZENDESK_EMAIL and ZENDESK_API_TOKEN."
            )
        parts = urlsplit(self._base)
        subdomain, _, domain = (parts.netloc or "").partition(".")
        if parts.scheme not in ("http", "https") or not domain:
            raise TargetFailed(f"ZENDESK_URL is not a URL with a host name: {self._base!r}")
        session = requests.Session()
        session.hooks["response"].append(self._seen)
        self._zenpy = Zenpy(
            subdomain=subdomain,
            domain=domain,
            email=settings.ZENDESK_EMAIL,
            token=self._token,
            session=session,
            timeout=self.policy.http_timeout,
            ratelimit_budget=0,
        )
        # zenpy always speaks https; a ZENDESK_URL on plain http (a local test double) says so.
        self._zenpy.tickets.protocol = parts.scheme
        return self._zenpy

    def _seen(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._requests += 1
        self._last_headers = dict(response.headers)

    def _call(self, fn: Callable[[], T], describe: str) -> T:
        def attempt() -> T:
            self._last_headers = {}
            return fn()

        try:
            return call_with_retries(
                attempt, policy=self.policy, classify=self._classify, describe=describe
            )
        except (APIException, requests.HTTPError) as error:
            status = _status(error)
            raise TargetFailed(f"{describe}: HTTP {status}") from error

    def _classify(self, error: BaseException) -> Transient | RateLimit | None:
        if isinstance(error, RatelimitBudgetExceeded):
            wait = retry_after_seconds(self._last_headers)
            return RateLimit(
                DEFAULT_RATE_LIMIT_WAIT if wait is None else wait, "HTTP 429 rate limit"
            )
        status = _status(error)
        if status == 429:
            wait = retry_after_seconds(getattr(error.response, "headers", None))
            return RateLimit(
                DEFAULT_RATE_LIMIT_WAIT if wait is None else wait, "HTTP 429 rate limit"
            )
        if status is not None:
            return Transient(f"HTTP {status}") if status >= 500 else None
        if isinstance(error, requests.RequestException):
            return Transient(f"network error ({type(error).__name__})")
        if isinstance(error, MalformedPage | ZenpyException | ValueError | KeyError):
            return Transient(f"malformed response ({error})")
        return None

    # The export

    def walk(self, target: str, state: dict[str, Any]) -> Generator[Batch, None, dict[str, Any]]:
        cursor = state.get("cursor")
        while True:
            page = self._call(lambda cursor=cursor: self._page(cursor), "Zendesk ticket export")
            items, errors = [], []
            for ticket in page.values:
                parsed = self._ticket_item(ticket, page.people.get(id(ticket)))
                if isinstance(parsed, ItemError):
                    errors.append(parsed)
                elif parsed is not None:
                    items.append(parsed)
            final = {"cursor": page.after_cursor or cursor}
            yield Batch(items, errors, final)
            # A cursor that does not move would loop forever: treat it as the end.
            if page.end_of_stream or not page.after_cursor or page.after_cursor == cursor:
                return final
            cursor = page.after_cursor

    def _page(self, cursor: str | None) -> _Page:
        tickets = self._client().tickets
        if cursor:
            found = tickets.incremental(cursor=cursor, include=SIDELOADS, per_page=PER_PAGE)
        else:
            found = tickets.incremental(start_time=0, include=SIDELOADS, per_page=PER_PAGE)
        # One request per page: read the page zenpy holds, never iterate into the next.
        values = found.values or []
        after = getattr(found, "after_cursor", None)
        end = getattr(found, "end_of_stream", None)
        if not isinstance(values, list) or not isinstance(end, bool):
            raise MalformedPage("expected tickets, after_cursor and end_of_stream")
        if after is not None and not isinstance(after, str):
            raise MalformedPage("after_cursor is not a string")
        page = _Page(values=values, after_cursor=after, end_of_stream=end)
        # Requester and organization come from the sideloads zenpy cached with the page; one
        # missing there costs a request, made here so that it is retried with the page.
        page.people = {id(t): self._who(t) for t in values if isinstance(t, Ticket)}
        return page

    def _who(self, ticket: Ticket) -> tuple[str, str, tuple[str, ...]]:
        """(requester name, organization name, domains) of a ticket, as far as Zendesk knows."""
        name, organization, domains = "", "", []
        try:
            requester = ticket.requester if isinstance(ticket.requester_id, int) else None
            org = ticket.organization if isinstance(ticket.organization_id, int) else None
        except APIException as error:
            if _status(error) != 404:  # a deleted user or organization is simply unknown
                raise
            requester, org = None, None
        if requester is not None:
            name = str(getattr(requester, "name", "") or "")
            email = str(getattr(requester, "email", "") or "")
            if "@" in email:
                domains.append(email.rsplit("@", 1)[1].lower())
        if org is not None:
            organization = str(getattr(org, "name", "") or "")
            names = getattr(org, "domain_names", None) or []
            domains += [str(d).lower() for d in names if isinstance(d, str)]
        return name, organization, tuple(dict.fromkeys(domains))

    def _ticket_item(self, ticket: Any, people: tuple | None) -> Item | ItemError | None:
        """The ticket as an Item; None when it lacks the tags, or was deleted."""
        if not isinstance(ticket, Ticket):
            return ItemError("Zendesk ticket", f"expected an object, got {type(ticket).__name__}")
        raw = ticket.to_dict()
        label = f"Zendesk ticket {raw.get('id', '?')}"
        tags = raw.get("tags") or []
        if not isinstance(tags, list) or not self._tags & {str(t).casefold() for t in tags}:
            return None
        if raw.get("status") == "deleted":
            return None
        try:
            ticket_id = raw["id"]
            if not isinstance(ticket_id, int) or isinstance(ticket_id, bool):
                raise ValueError("id is not a number")
            subject = raw.get("subject") or raw.get("raw_subject")
            if not isinstance(subject, str) or not subject.strip():
                raise ValueError("subject is empty")
            description = raw.get("description") or ""
            if not isinstance(description, str):
                raise ValueError("description is not text")
            created = _time(raw["created_at"])
            updated = _time(raw["updated_at"])
            if created is None or updated is None:
                raise ValueError("created_at/updated_at is not a time")
        except KeyError as missing:
            return ItemError(label, f"missing field {missing}")
        except ValueError as error:
            return ItemError(label, str(error))
        requester, organization, domains = people or ("", "", ())
        return Item(
            source=SOURCE_KIND,
            external_id=str(ticket_id),
            url=f"{self._base}/agent/tickets/{ticket_id}",
            title=subject.strip()[:300],
            body=description,
            author=(requester or f"Zendesk user {raw.get('requester_id') or '?'}")[:200],
            votes=0,
            comment_count=0,
            upstream_state="closed" if raw.get("status") in CLOSED_STATUSES else "open",
            created_upstream=created,
            updated_upstream=updated,
            raw=raw,
            organization_name=organization,
            organization_domains=domains,
        )


class _Page:
    """One page of the export: its tickets, where the next starts, and who asked each."""

    def __init__(self, *, values: list, after_cursor: str | None, end_of_stream: bool) -> None:
        self.values = values
        self.after_cursor = after_cursor
        self.end_of_stream = end_of_stream
        self.people: dict[int, tuple[str, str, tuple[str, ...]]] = {}


def _status(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None)


def _time(value: Any):
    return parse_datetime(value) if isinstance(value, str) else None
