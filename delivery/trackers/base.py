"""One small interface for an engineering tracker; a module per tracker, chosen in registry.py.

A tracker answers in plain dataclasses and raises `TrackerDown` when it cannot be reached (after
`connectors.retry`'s bounded retries, or a long rate limit): the sync then stops that tracker
and keeps every link's last known state. `WorkGone` is one link's problem (deleted, private).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError

from connectors.retry import RetryPolicy

LABEL_PATTERN = re.compile(r"^roadmap:(\d+)$")


class TrackerDown(Exception):
    """The tracker is unreachable, failing or rate limited past what a run waits for."""


class WorkGone(Exception):
    """This piece of work cannot be read: deleted, moved, or not visible to our credentials."""


@dataclass(frozen=True)
class WorkRef:
    kind: str  # WorkLink.Kind value
    key: str


@dataclass(frozen=True)
class WorkState:
    kind: str
    key: str
    url: str
    state: str
    done: bool
    merge_commit: str = ""
    merged_at: datetime | None = None
    etag: str = ""


@dataclass(frozen=True)
class Labelled:
    """Work found on the tracker with a `roadmap:<item id>` label."""

    item_id: int
    work: WorkState


@dataclass(frozen=True)
class Release:
    tag: str
    url: str


class Tracker:
    kind: str = ""
    # What one entry of the scope (a repository, a project) looks like, and how to say it.
    scope_pattern: re.Pattern = re.compile(r"^$")
    scope_help: str = ""

    def __init__(self, scope: list[str], *, policy: RetryPolicy | None = None) -> None:
        self.scope = scope
        # The connectors' retry policy (timeouts, backoff, rate-limit waits) serves every tracker.
        self.policy = policy or RetryPolicy.from_settings()

    @classmethod
    def validate_scope(cls, scope: Any) -> list[str]:
        """The scope normalised, or a ValidationError on `scope`."""
        if not isinstance(scope, list) or not all(
            isinstance(entry, str) and cls.scope_pattern.match(entry.strip()) for entry in scope
        ):
            raise ValidationError({"scope": cls.scope_help})
        return [entry.strip() for entry in scope]

    @classmethod
    def parse_ref(cls, text: str) -> WorkRef | None:
        """The work named by a URL or key, or None when it is not this tracker's."""
        raise NotImplementedError

    def fetch(self, ref: WorkRef, *, etag: str = "") -> WorkState | None:
        """The work's state now; None when `etag` still matches (nothing changed)."""
        raise NotImplementedError

    def labelled(self, cursor: dict) -> tuple[list[Labelled], dict]:
        """Work in scope labelled roadmap:<id> changed since the cursor, and the next cursor."""
        raise NotImplementedError

    def release_containing(self, pulls: list[WorkState]) -> Release | None:
        """The first release that contains every merged pull request; None if none does yet."""
        return None


def item_ids_in(labels: list[str]) -> list[int]:
    return [int(m.group(1)) for m in (LABEL_PATTERN.match(label) for label in labels) if m]
