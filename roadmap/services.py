"""Writes of the roadmap: items and their stages, promotion of ideas, share links.

What follows a change (webhooks, closing the loop) is recorded as a domain event and handled in
roadmap/handlers.py (config/events.py lists them).
"""

import time
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake import events
from intake import services as intake_services
from intake.models import Idea, Organization

from .models import RoadmapItem, ShareLink

Stage = RoadmapItem.Stage
SHARE_LINK_MAX_DAYS = 90

# The public pages are cached with the version number of the roadmap they show; bumping the
# version retires every cached copy at once. A page and the current version are read in one
# round trip, and a render that started before a change is stored with the old version, so it
# can never be served as current.
PUBLIC_CACHE_VERSION_KEY = "roadmap:public:version"
PUBLIC_CACHE_SECONDS = 300
# Each process also keeps the page for a second, so that a traffic spike costs no round trip to
# the shared cache per request; another process sees a change at most this much later.
LOCAL_SECONDS = 1.0
_local_pages: dict[str, tuple[float, object]] = {}


def public_cache_key(name: str) -> str:
    return f"roadmap:public:{name}"


def current_public_version() -> int:
    version = cache.get(PUBLIC_CACHE_VERSION_KEY)
    if version is None:
        cache.add(PUBLIC_CACHE_VERSION_KEY, time.time_ns(), None)
        version = cache.get(PUBLIC_CACHE_VERSION_KEY)
    return version


def cached_public_page(name: str):
    """(version, page) if the cached page of `name` is current, else (version, None)."""
    local = _local_pages.get(name)
    if local is not None and local[0] > time.monotonic():
        return None, local[1]
    key = public_cache_key(name)
    found = cache.get_many([PUBLIC_CACHE_VERSION_KEY, key])
    version = found.get(PUBLIC_CACHE_VERSION_KEY)
    if version is None:
        return current_public_version(), None
    entry = found.get(key)
    if entry is None or entry[0] != version:
        return version, None
    _local_pages[name] = (time.monotonic() + LOCAL_SECONDS, entry[1])
    return version, entry[1]


def store_public_page(name: str, version: int, page) -> None:
    cache.set(public_cache_key(name), (version, page), PUBLIC_CACHE_SECONDS)
    _local_pages[name] = (time.monotonic() + LOCAL_SECONDS, page)


def _bump_public_version() -> None:
    _local_pages.clear()
    try:
        cache.incr(PUBLIC_CACHE_VERSION_KEY)
    except ValueError:
        # Evicted or never set: a fresh, never-used number.
        cache.set(PUBLIC_CACHE_VERSION_KEY, time.time_ns(), None)


def invalidate_public_roadmap() -> None:
    """Retire the cached public page and feed once the current transaction commits."""
    transaction.on_commit(_bump_public_version)


# Items ------------------------------------------------------------------------------------------


def stamp_item(item: RoadmapItem) -> RoadmapItem:
    """Shipping stamps the date; moving back out of shipped clears it."""
    if item.stage == Stage.SHIPPED and item.shipped_at is None:
        item.shipped_at = timezone.now()
    elif item.stage != Stage.SHIPPED:
        item.shipped_at = None
    return item


def item_changed(
    *,
    item: RoadmapItem,
    previous_stage: str | None,
    previous_horizon: str | None = None,
    previous_client_version: str | None = None,
) -> None:
    """What follows a saved item (its ideas already set): ideas move, webhooks fire, caches go.

    Ideas on an item are planned; when the item ships they are shipped. Either change tells the
    people who asked (through intake's status service). Call inside the saving transaction;
    `previous_horizon` (None: unknown or new) lets followers hear of a move to Now, and
    `previous_client_version` lets the item's flags target a new minimum client version.
    """
    target = Idea.Status.SHIPPED if item.stage == Stage.SHIPPED else Idea.Status.PLANNED
    movable = {
        Idea.Status.PLANNED: (Idea.Status.NEW, Idea.Status.UNDER_REVIEW),
        Idea.Status.SHIPPED: (Idea.Status.NEW, Idea.Status.UNDER_REVIEW, Idea.Status.PLANNED),
    }[target]
    for idea in item.ideas.filter(status__in=movable).order_by("pk"):
        intake_services.set_idea_status(idea=idea, status=target)
    if previous_stage != item.stage:
        events.record(
            "item.stage_changed",
            item_id=item.pk,
            previous_stage=previous_stage or "",
            stage=item.stage,
        )
        if item.stage == Stage.SHIPPED:
            events.record("item.shipped", item_id=item.pk)
    # Followers hear when an item they follow starts being built (a new item has none).
    if previous_horizon not in (None, RoadmapItem.Horizon.NOW) and (
        item.horizon == RoadmapItem.Horizon.NOW
    ):
        events.record("item.moved_to_now", item_id=item.pk)
    # Rollout's client-version targeting of the item's flags starts from the new version.
    if previous_client_version is not None and previous_client_version != item.min_client_version:
        events.record("item.client_version_set", item_id=item.pk, version=item.min_client_version)
    invalidate_public_roadmap()


@transaction.atomic
def set_item_stage(*, item: RoadmapItem, stage: str) -> RoadmapItem:
    """Move an item to a stage (an admin action), with everything `item_changed` does."""
    if stage not in Stage.values:
        raise ValidationError({"stage": "Choose one of the roadmap stages."})
    item = RoadmapItem.objects.select_for_update().get(pk=item.pk)
    previous = item.stage
    item.stage = stage
    stamp_item(item)
    item.save()
    item_changed(item=item, previous_stage=previous)
    return item


@transaction.atomic
def promote_idea(*, idea: Idea, user=None) -> RoadmapItem:
    """Make a new internal roadmap item that delivers `idea`, and mark the idea planned.

    The item starts internal: a PM writes customer and public text before widening it.
    """
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if idea.status == Idea.Status.MERGED:
        raise ValidationError(f"“{idea.title}” was merged; promote the idea it merged into.")
    item = RoadmapItem.objects.create(
        title=idea.title[:200],
        internal_notes=f"Promoted from idea #{idea.pk}.",
        team=idea.team,
        pm=idea.pm or user,
        surface=idea.surface,
        visibility=RoadmapItem.Visibility.INTERNAL,
    )
    item.ideas.add(idea)
    if idea.status != Idea.Status.PLANNED:
        intake_services.set_idea_status(idea=idea, status=Idea.Status.PLANNED)
    invalidate_public_roadmap()
    return item


# Share links ------------------------------------------------------------------------------------


def create_share_link(*, organization: Organization, user, days: int) -> ShareLink:
    """An expiring link to `organization`'s customer roadmap, valid for `days` (1 to 90)."""
    if not 1 <= int(days) <= SHARE_LINK_MAX_DAYS:
        raise ValidationError({"days": f"A link lasts from 1 to {SHARE_LINK_MAX_DAYS} days."})
    return ShareLink.objects.create(
        organization=organization,
        created_by=user,
        expires_at=timezone.now() + timedelta(days=int(days)),
    )


def revoke_share_link(*, link: ShareLink) -> ShareLink:
    """Stop a link working at once; revoking twice keeps the first time."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def share_link_opened(link: ShareLink) -> None:
    ShareLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
