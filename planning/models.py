"""Quarterly planning: what a plan sheet said about each roadmap item, and each import of one."""

from django.conf import settings
from django.db import models

from roadmap.models import RoadmapItem


class PlanImport(models.Model):
    """One plan file: kept while it waits for confirmation in the admin, then as a record."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed, not imported"
        APPLIED = "applied", "Imported"

    filename = models.CharField(max_length=255, blank=True)
    quarter = models.CharField(
        max_length=20, blank=True, help_text="The quarter given for rows that leave it empty."
    )
    skip_invalid = models.BooleanField(default=False)
    content = models.BinaryField(help_text="The file exactly as uploaded.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    report = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "plan import"

    def __str__(self) -> str:
        return f"{self.filename or 'plan'} ({self.created_at:%Y-%m-%d %H:%M})"


class PlanEntry(models.Model):
    """What the plan sheet wrote for a roadmap item that RoadmapItem keeps only as a value."""

    item = models.OneToOneField(RoadmapItem, on_delete=models.CASCADE, related_name="plan_entry")
    pm_name = models.CharField(
        "PM as written", max_length=200, blank=True, help_text="The PM's name as the plan wrote it."
    )
    commitment = models.CharField(
        "commitment as written",
        max_length=100,
        blank=True,
        help_text="The commitment status word as the plan wrote it (Committed, Stretch, ...).",
    )
    last_import = models.ForeignKey(
        PlanImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
        help_text="The import that last changed this item.",
    )

    class Meta:
        verbose_name_plural = "plan entries"

    def __str__(self) -> str:
        return f"Plan entry for {self.item_id}"
