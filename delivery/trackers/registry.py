"""Which module serves which tracker kind. Adding a tracker (Linear, ...): one module, one line."""

from .base import Tracker, WorkRef
from .github import GitHubTracker
from .jira import JiraTracker

TRACKERS: dict[str, type[Tracker]] = {
    GitHubTracker.kind: GitHubTracker,
    JiraTracker.kind: JiraTracker,
}


def tracker_class(kind: str) -> type[Tracker]:
    try:
        return TRACKERS[kind]
    except KeyError:
        raise ValueError(f"No tracker for kind {kind!r}") from None


def parse_ref(text: str) -> tuple[str, WorkRef] | None:
    """(tracker kind, work) for a URL or key any tracker recognises."""
    for kind, cls in TRACKERS.items():
        ref = cls.parse_ref(text)
        if ref is not None:
            return kind, ref
    return None
