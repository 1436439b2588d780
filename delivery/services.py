"""Writes of delivery: links added in the admin, and the sync that follows the trackers.

The sync refreshes every link one small transaction at a time, so a tracker that goes down
mid-sync leaves the links already read updated and the rest as they were; it never clears a
state it could not read. Progress is stored on ItemDelivery (done of total), so the roadmap
reads it as a column.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from intake import events
from intake.models import Idea
from roadmap import services as roadmap_services
from roadmap.models import RoadmapItem

from .models import DeliveryTracker, ItemDelivery, WorkLink
from .trackers import registry
from .trackers.base import Tracker, TrackerDown, WorkGone, WorkRef, WorkState

logger = logging.getLogger(__name__)
VERSION_PATTERN = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?$")
CLIENT_SURFACES = (Idea.Surface.CLIENT, Idea.Surface.BOTH)


@dataclass
class SyncReport:
    changes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def client_version(tag: str) -> str | None:
    """`v1.66.0` → "1.66.0"; None for a tag that is not a version."""
    match = VERSION_PATTERN.match(tag.strip())
    if not match:
        return None
    return ".".join(part for part in match.groups(default="0"))


def short_version(version: str) -> str:
    return ".".join(version.split(".")[:2])


def save_tracker(*, tracker: DeliveryTracker) -> DeliveryTracker:
    """Save a tracker with its scope validated for its kind (a ValidationError says what to fix)."""
    tracker.scope = registry.tracker_class(tracker.kind).validate_scope(tracker.scope)
    tracker.save()
    return tracker


@transaction.atomic
def add_link(*, item: RoadmapItem, ref: str) -> WorkLink:
    """Link the work named by a URL or key to `item`; its state is read on the next sync."""
    parsed = registry.parse_ref(ref)
    if parsed is None:
        raise ValidationError(
            {
                "ref": "Give a GitHub issue, pull request or milestone URL (or owner/name#12), "
                "or a Jira issue URL or key (NET-12)."
            }
        )
    kind, work = parsed
    if WorkLink.objects.filter(item=item, tracker=kind, key=work.key).exists():
        raise ValidationError({"ref": f"{work.key} is already linked to this item."})
    link = WorkLink.objects.create(item=item, tracker=kind, key=work.key, kind=work.kind)
    _recount(item.pk)
    return link


@transaction.atomic
def remove_link(*, link: WorkLink) -> None:
    """Unlink work; the item's progress is recounted at once."""
    item_id = link.item_id
    link.delete()
    _recount(item_id)


def _recount(item_id: int) -> ItemDelivery:
    links = list(WorkLink.objects.filter(item_id=item_id).values_list("done", flat=True))
    delivery, _ = ItemDelivery.objects.get_or_create(item_id=item_id)
    delivery.total_count, delivery.done_count = len(links), sum(links)
    delivery.save(update_fields=["total_count", "done_count"])
    return delivery


# Sync -------------------------------------------------------------------------------------------


def sync_delivery(*, trackers: dict[str, Tracker] | None = None) -> SyncReport:
    """One sync of every enabled tracker: labels picked up, links refreshed, items followed up.

    Guarantees: a tracker failure is recorded on the tracker (sync health) and stops only that
    tracker; links it did not reach keep their last state; nothing is linked twice.
    """
    report = SyncReport()
    touched: set[int] = set()
    configs = list(DeliveryTracker.objects.filter(enabled=True).order_by("kind"))
    clients = {
        c.kind: (trackers or {}).get(c.kind) or registry.tracker_class(c.kind)(c.scope)
        for c in configs
    }
    for config in configs:
        try:
            _pick_up_labels(config, clients[config.kind], report, touched)
            _refresh_links(config.kind, clients[config.kind], report, touched)
        except (TrackerDown, WorkGone) as error:
            # WorkGone here: a repository or project in scope went private or away.
            message = str(error)[:2000]
            report.failures.append(f"{config}: {message}")
            DeliveryTracker.objects.filter(pk=config.pk).update(
                last_status=DeliveryTracker.Status.FAILED,
                last_error=message,
                last_sync_at=timezone.now(),
            )
            continue
        DeliveryTracker.objects.filter(pk=config.pk).update(
            last_status=DeliveryTracker.Status.OK, last_error="", last_sync_at=timezone.now()
        )
    # Done work still owed a follow-up: client work waits for the release that carries it
    # (which may come later), and a PM notice that could not be sent is tried again.
    waiting = (
        ItemDelivery.objects.filter(total_count__gt=0, done_count=models.F("total_count"))
        .filter(
            models.Q(ready_notified_at__isnull=True)
            | models.Q(release_tag="", item__surface__in=CLIENT_SURFACES)
        )
        .exclude(item__stage=RoadmapItem.Stage.SHIPPED)
    )
    for item_id in sorted(touched | set(waiting.values_list("item_id", flat=True))):
        try:
            _follow_up(item_id, clients, report, quiet=item_id not in touched)
        except (TrackerDown, WorkGone) as error:
            report.failures.append(f"Item #{item_id}: release not found: {error}")
    return report


def _pick_up_labels(config, tracker: Tracker, report: SyncReport, touched: set[int]) -> None:
    found, cursor = tracker.labelled(config.cursor or {})
    existing_items = set(
        RoadmapItem.objects.filter(pk__in={f.item_id for f in found}).values_list("pk", flat=True)
    )
    for labelled in found:
        if labelled.item_id not in existing_items:
            report.failures.append(
                f"{labelled.work.key} is labelled roadmap:{labelled.item_id}, "
                "but there is no such roadmap item."
            )
            continue
        try:
            with transaction.atomic():
                link, created = WorkLink.objects.get_or_create(
                    item_id=labelled.item_id,
                    tracker=config.kind,
                    key=labelled.work.key,
                    defaults={"kind": labelled.work.kind, "linked_by": WorkLink.LinkedBy.LABEL},
                )
        except IntegrityError:
            continue  # linked by a concurrent sync
        if created:
            report.changes.append(f"Item #{labelled.item_id}: linked {link.key} (label)")
            touched.add(labelled.item_id)
    DeliveryTracker.objects.filter(pk=config.pk).update(cursor=cursor)


def _refresh_links(kind: str, tracker: Tracker, report: SyncReport, touched: set[int]) -> None:
    for link in WorkLink.objects.filter(tracker=kind).order_by("pk").iterator():
        try:
            state = tracker.fetch(WorkRef(link.kind, link.key), etag=link.etag)
        except WorkGone as error:
            if link.last_error != str(error):
                WorkLink.objects.filter(pk=link.pk).update(
                    last_error=str(error), checked_at=timezone.now()
                )
                report.failures.append(f"Item #{link.item_id}: {link.key}: {error}")
            continue
        if state is None:  # not modified since the last answer
            WorkLink.objects.filter(pk=link.pk).update(last_error="", checked_at=timezone.now())
            continue
        if _apply(link, state):
            report.changes.append(
                f"Item #{link.item_id}: {link.key} {link.state or 'new'} → {state.state}"
            )
            touched.add(link.item_id)


@transaction.atomic
def _apply(link: WorkLink, state: WorkState) -> bool:
    """Store what the tracker said; True when the state or done flag changed."""
    changed = (link.state, link.done) != (state.state, state.done)
    WorkLink.objects.filter(pk=link.pk).update(
        kind=state.kind,
        url=state.url[:500],
        state=state.state[:40],
        done=state.done,
        merge_commit=state.merge_commit,
        merged_at=state.merged_at,
        etag=state.etag[:200],
        last_error="",
        checked_at=timezone.now(),
    )
    if changed:
        _recount(link.item_id)
    return changed


def _follow_up(
    item_id: int, trackers: dict[str, Tracker], report: SyncReport, *, quiet: bool
) -> None:
    delivery = ItemDelivery.objects.select_related("item", "item__pm").get(item_id=item_id)
    item = delivery.item
    if not quiet:
        report.changes.append(
            f"Item #{item_id}: {delivery.done_count} of {delivery.total_count} done"
        )
    if not delivery.all_done or item.is_shipped:
        return
    client_work = item.surface in CLIENT_SURFACES
    if client_work and not delivery.release_tag and "github" in trackers:
        _record_release(delivery, trackers["github"], report)
    if _claim_ready_notice(delivery):
        try:
            _tell_pm(item)
        except Exception as error:
            # Released again, so the next sync tries again; the rest of this sync goes on.
            ItemDelivery.objects.filter(pk=delivery.pk).update(ready_notified_at=None)
            logger.exception("Ready-to-ship e-mail for item #%s failed", item_id)
            report.failures.append(f"Item #{item_id}: ready-to-ship e-mail failed ({error})")
        else:
            report.changes.append(f"Item #{item_id}: PM told it is ready to ship")
    # Client work is out only once a release carries it (when it has pull requests to find).
    has_pulls = WorkLink.objects.filter(item_id=item_id, kind=WorkLink.Kind.PULL).exists()
    if delivery.auto_ship and (not client_work or not has_pulls or delivery.release_tag):
        roadmap_services.set_item_stage(item=item, stage=RoadmapItem.Stage.SHIPPED)
        report.changes.append(f"Item #{item_id}: shipped (auto-ship)")


def _record_release(delivery: ItemDelivery, tracker: Tracker, report: SyncReport) -> None:
    pulls = [
        WorkState(w.kind, w.key, w.url, w.state, w.done, w.merge_commit, w.merged_at)
        for w in WorkLink.objects.filter(item_id=delivery.item_id, tracker="github", kind="pull")
    ]
    if not pulls:
        return
    release = tracker.release_containing(pulls)
    version = client_version(release.tag) if release else None
    if release is None or version is None:
        return
    with transaction.atomic():
        item = RoadmapItem.objects.select_for_update().get(pk=delivery.item_id)
        item.min_client_version = version
        fields = ["min_client_version", "updated_at"]
        if not item.changelog.strip() and item.public_title:
            item.changelog = draft_changelog(item, version)
            fields.append("changelog")
        item.save(update_fields=fields)
        ItemDelivery.objects.filter(pk=delivery.pk).update(
            release_tag=release.tag[:100], release_url=release.url[:500]
        )
        # Rollout's client-version targeting of the item's flags starts from this version.
        events.record("item.client_version_set", item_id=item.pk, version=version)
        roadmap_services.invalidate_public_roadmap()
    delivery.release_tag = release.tag
    report.changes.append(
        f"Item #{item.pk}: shipped in {short_version(version)} ({release.tag}); "
        f"minimum client version {version}"
    )


def draft_changelog(item: RoadmapItem, version: str) -> str:
    """A changelog entry from the item's public text only: never the tracker's words."""
    parts = [f"**{item.public_title}**"]
    if item.public_description.strip():
        parts.append(item.public_description.strip())
    parts.append(f"Shipped in {short_version(version)}; requires client {version} or newer.")
    return "\n\n".join(parts)


def _claim_ready_notice(delivery: ItemDelivery) -> bool:
    """True for the one sync that claims the item's ready-to-ship notice."""
    return bool(
        ItemDelivery.objects.filter(pk=delivery.pk, ready_notified_at__isnull=True).update(
            ready_notified_at=timezone.now()
        )
    )


def _tell_pm(item: RoadmapItem) -> None:
    if item.pm is None or not item.pm.email:
        return
    link = settings.SITE_URL.rstrip("/") + reverse(
        "admin:roadmap_roadmapitem_change", args=[item.pk]
    )
    send_mail(
        f"Ready to ship: {item.title}",
        f"All the work linked to “{item.title}” is done.\n\n"
        f"Mark it shipped when it is out: {link}\n",
        None,
        [item.pm.email],
        fail_silently=False,
    )
