"""The one interface every source implements, and the plain data it hands to the ingest service.

A source knows its API and nothing about the database: it turns a target (a repository's
issues, a subreddit) and that target's cursor state into batches of items. The ingest service
(`connectors.services`) stores the batches with the cursor state after them, in the same
transaction, so the cursor never runs ahead of the stored signals.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class Item:
    """One upstream item, already mapped onto the Signal fields it fills."""

    source: str
    external_id: str
    url: str
    title: str
    body: str
    author: str
    votes: int
    comment_count: int
    upstream_state: str
    created_upstream: datetime | None
    updated_upstream: datetime | None
    raw: dict[str, Any]
    # Another URL the item points at (a Reddit link post's target), for cross-post matching.
    linked_url: str = ""
    # Who the asker works for, as upstream knows it (a support desk's organization and e-mail
    # domains); the ingest service matches them to an Organization. Empty: the source can't say.
    organization_name: str = ""
    organization_domains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemError:
    """Upstream data that could not be turned into an item: which one, and why."""

    item: str
    message: str


@dataclass(slots=True)
class Batch:
    """One page from upstream: the items, the errors, and the cursor state once it is stored."""

    items: list[Item]
    errors: list[ItemError] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    # (this page, last page) when the API says how many pages there are, for progress bars.
    pages: tuple[int, int] | None = None


class MalformedPage(Exception):
    """A whole response was unusable (not JSON, wrong shape): retried like a network error."""


class Source:
    """Base of every source. Subclasses set `kind` and implement validate_options, targets,
    walk and requests_made (and secrets, when they hold credentials).

    Contract for `walk`: yield batches in an order such that saving each batch's `state`
    right after its items never skips an item; raise `retry.RateLimited` or
    `retry.UpstreamUnavailable` to stop, leaving the last stored state to resume from.
    """

    kind: ClassVar[str]

    def __init__(self, options: dict[str, Any], *, policy) -> None:
        self.options = options
        self.policy = policy

    @classmethod
    def validate_options(cls, options: Any) -> dict[str, Any]:
        """Return the options normalised, or raise ValidationError naming what to fix."""
        raise NotImplementedError

    def targets(self) -> list[str]:
        """The independent listings this connector syncs, each with its own cursor."""
        raise NotImplementedError

    def fetch(self, target: str, state: dict[str, Any]) -> Iterator[Batch]:
        """Yield the items changed since `state`, page by page.

        A pass that resumes an interrupted one is followed by a short catch-up pass: items
        that changed while the run was stopped moved ahead of the resume point, and the
        catch-up finds them now rather than a whole interval later.
        """
        resumed = bool(state.get("pass"))
        final = yield from self.walk(target, state)
        if resumed:
            yield from self.walk(target, final)

    def walk(self, target: str, state: dict[str, Any]) -> Generator[Batch, None, dict[str, Any]]:
        """One pass over a target's listing from `state`; returns the state at its end."""
        raise NotImplementedError

    @property
    def requests_made(self) -> int:
        """HTTP requests sent to the API so far, retries included."""
        raise NotImplementedError

    def secrets(self) -> list[str]:
        """Credential values to scrub from anything written to the run or the logs."""
        return []


class TargetFailed(Exception):
    """The API refused this target (not found, forbidden, bad credentials): record, go on."""
