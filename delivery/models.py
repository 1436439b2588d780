"""Where a roadmap item's work lives in the engineering trackers (GitHub, Jira), and how far it is.

Nothing here is ever shown to a customer or the public: tracker URLs, states and errors are
internal. Only the item's own fields that delivery sets (minimum client version, changelog,
stage) reach other audiences, and those are written from the item's public text.
"""

from django.db import models

from roadmap.models import RoadmapItem


class TrackerKind(models.TextChoices):
    GITHUB = "github", "GitHub"
    JIRA = "jira", "Jira"


class DeliveryTracker(models.Model):
    """One tracker to read (credentials come from the environment) and its sync health."""

    class Status(models.TextChoices):
        NEVER = "never", "Never synced"
        OK = "ok", "OK"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=TrackerKind.choices, unique=True)
    scope = models.JSONField(
        default=list,
        blank=True,
        help_text='GitHub: repositories as ["owner/name", ...]; Jira: project keys as ["NET"]. '
        "Their issues labelled roadmap:<item id> are linked on sync.",
    )
    enabled = models.BooleanField(default=True)
    # Per repository or project: the time of the last label scan, and ETags of its first page.
    cursor = models.JSONField(default=dict, blank=True, editable=False)
    last_status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEVER)
    last_error = models.TextField(blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.get_kind_display()


class WorkLink(models.Model):
    """One piece of work (issue, pull request, milestone, epic) that delivers a roadmap item."""

    class Kind(models.TextChoices):
        ISSUE = "issue", "Issue"
        PULL = "pull", "Pull request"
        MILESTONE = "milestone", "Milestone"
        EPIC = "epic", "Epic"

    class LinkedBy(models.TextChoices):
        ADMIN = "admin", "Admin"
        LABEL = "label", "Tracker label"

    item = models.ForeignKey(RoadmapItem, on_delete=models.CASCADE, related_name="work_links")
    tracker = models.CharField(max_length=20, choices=TrackerKind.choices)
    # "owner/name#12", "owner/name/milestone/3" (GitHub) or "NET-12" (Jira).
    key = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    url = models.URLField(max_length=500, blank=True)
    state = models.CharField(max_length=40, blank=True, help_text="As the tracker says it.")
    done = models.BooleanField(default=False)
    merge_commit = models.CharField(max_length=64, blank=True)
    merged_at = models.DateTimeField(null=True, blank=True)
    etag = models.CharField(max_length=200, blank=True, editable=False)
    linked_by = models.CharField(max_length=20, choices=LinkedBy.choices, default=LinkedBy.ADMIN)
    last_error = models.TextField(blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "tracker", "key"], name="one_link_per_work")
        ]
        indexes = [models.Index(fields=["tracker", "key"])]

    def __str__(self) -> str:
        return self.key


class ItemDelivery(models.Model):
    """Per-item delivery facts, written by the sync and read as columns by the roadmap."""

    item = models.OneToOneField(RoadmapItem, on_delete=models.CASCADE, related_name="delivery")
    auto_ship = models.BooleanField(
        default=False, help_text="Mark the item shipped when all its linked work is done."
    )
    done_count = models.PositiveIntegerField(default=0)
    total_count = models.PositiveIntegerField(default=0)
    # Claimed before the PM is e-mailed, so the notice goes once however many syncs overlap.
    ready_notified_at = models.DateTimeField(null=True, blank=True)
    release_tag = models.CharField(max_length=100, blank=True)
    release_url = models.URLField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "item deliveries"

    def __str__(self) -> str:
        return f"Delivery of item #{self.item_id}"

    @property
    def all_done(self) -> bool:
        return self.total_count > 0 and self.done_count == self.total_count
