"""What delivery adds to the internal roadmap and to /api/roadmap/ (listed in config/extensions.py).

Employees only: roadmap asks for these on its internal page and internal API, never on the
customer or public ones.
"""

from config.extensions import Panel

from . import selectors


def internal_item_panels(*, items) -> dict:
    """Progress ("3 of 5 done"), each link with its state and error, the shipping release."""
    return {
        item_id: Panel("delivery/_internal_item.html", work)
        for item_id, work in selectors.work_of([item.pk for item in items]).items()
        if work.total or work.release_tag
    }


def internal_item_api(*, items) -> dict:
    """The same facts as plain JSON for each item of /api/roadmap/."""
    found = {}
    for item_id, work in selectors.work_of([item.pk for item in items]).items():
        found[item_id] = {
            "linked_work": [
                {
                    "url": link.url,
                    "key": link.key,
                    "tracker": link.tracker,
                    "kind": link.kind,
                    "state": link.state,
                    "done": link.done,
                    "error": link.last_error,
                }
                for link in work.links
            ],
            "progress": {"done": work.done, "total": work.total},
            "release": work.release_tag,
            "shipped_in": work.shipped_in,
            "sync_failures": work.tracker_failures,
        }
    return found
