"""Where an app adds to a page of another app on the same floor, without either importing the
other: `roadmap` and `planning` ask `contributions(name, ...)`; the providers listed here (by
dotted path, like the event handlers in the events registry) answer. A page keeps working,
unchanged, when nothing is listed for it.

Each provider returns {key: Panel} (item pages, keyed by item id) or a list of Panels (a
section of a page); a Panel is a template and the data it renders.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

PROVIDERS: dict[str, list[str]] = {
    # kwargs: items (RoadmapItem list) -> {item id: Panel}
    "roadmap.internal_item": [
        "rollout.extensions.internal_item_panels",
        "delivery.extensions.internal_item_panels",
    ],
    # kwargs: items (RoadmapItem list) -> {item id: dict}, added to /api/roadmap/ (employees)
    "roadmap.internal_item_api": ["delivery.extensions.internal_item_api"],
    # kwargs: organization, items (customer items), user, can_ask -> {item id: Panel}
    "roadmap.customer_item": ["rollout.extensions.customer_item_panels"],
    # kwargs: quarter -> [Panel]
    "planning.health": ["rollout.extensions.planning_health_panels"],
}


@dataclass(frozen=True)
class Panel:
    template: str
    data: Any


def contributions(name: str, **kwargs) -> list:
    return [import_string(path)(**kwargs) for path in PROVIDERS.get(name, ())]


def item_panels(name: str, **kwargs) -> dict[int, list[Panel]]:
    """Every provider's panels for each item id, in the registry's order."""
    panels: dict[int, list[Panel]] = {}
    for by_item in contributions(name, **kwargs):
        for item_id, panel in by_item.items():
            panels.setdefault(item_id, []).append(panel)
    return panels


def page_panels(name: str, **kwargs) -> list[Panel]:
    return [panel for panels in contributions(name, **kwargs) for panel in panels]
