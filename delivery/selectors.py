"""Reads of delivery, for employees only: a roadmap item's linked work and progress."""

from __future__ import annotations

from dataclasses import dataclass

from .models import DeliveryTracker, ItemDelivery, WorkLink
from .services import client_version, short_version


@dataclass(frozen=True)
class ItemWork:
    links: list[WorkLink]
    done: int
    total: int
    release_tag: str
    release_url: str
    shipped_in: str  # "1.66", from the release tag
    auto_ship: bool
    # "GitHub: <error>" for each tracker of its links whose last sync failed.
    tracker_failures: list[str]


def work_of(item_ids: list[int]) -> dict[int, ItemWork]:
    """Each item's links, stored progress and failing trackers, in three queries however many
    items or links."""
    failed = {
        t.kind: f"{t.get_kind_display()}: {t.last_error}"
        for t in DeliveryTracker.objects.filter(last_status=DeliveryTracker.Status.FAILED)
    }
    links: dict[int, list[WorkLink]] = {}
    for link in WorkLink.objects.filter(item_id__in=item_ids).order_by("pk"):
        links.setdefault(link.item_id, []).append(link)
    found = {}
    for delivery in ItemDelivery.objects.filter(item_id__in=item_ids):
        version = client_version(delivery.release_tag) if delivery.release_tag else None
        found[delivery.item_id] = ItemWork(
            links=links.get(delivery.item_id, []),
            done=delivery.done_count,
            total=delivery.total_count,
            release_tag=delivery.release_tag,
            release_url=delivery.release_url,
            shipped_in=short_version(version) if version else "",
            auto_ship=delivery.auto_ship,
            tracker_failures=sorted(
                {
                    failed[link.tracker]
                    for link in links.get(delivery.item_id, [])
                    if link.tracker in failed
                }
            ),
        )
    return found


def sync_health() -> tuple[list[DeliveryTracker], list[WorkLink]]:
    """Every tracker's last run, and the links whose last read failed."""
    trackers = list(DeliveryTracker.objects.order_by("kind"))
    failing = list(
        WorkLink.objects.exclude(last_error="")
        .select_related("item")
        .order_by("item_id", "pk")[:200]
    )
    return trackers, failing
