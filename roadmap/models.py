"""Roadmap items: planned work that delivers ideas, with separate text for each audience."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from intake.models import Idea, Team


class RoadmapItem(models.Model):
    class Visibility(models.TextChoices):
        INTERNAL = "internal", "Internal"
        CUSTOMER = "customer", "Customers"
        PUBLIC = "public", "Public (and customers)"

    class Horizon(models.TextChoices):
        NOW = "now", "Now"
        NEXT = "next", "Next"
        LATER = "later", "Later"

    class Stage(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_DEVELOPMENT = "in_development", "In development"
        POC = "poc", "POC"
        ALPHA = "alpha", "Alpha"
        BETA = "beta", "Beta"
        GA = "ga", "GA"
        SHIPPED = "shipped", "Shipped"

    class Priority(models.TextChoices):
        P0 = "P0", "P0"
        P1 = "P1", "P1"
        P2 = "P2", "P2"

    # Internal text: never shown to customers or the public.
    title = models.CharField(max_length=200)
    internal_notes = models.TextField(blank=True)
    # Customer text.
    customer_title = models.CharField(max_length=200, blank=True)
    customer_description = models.TextField(blank=True)
    # Public text.
    public_title = models.CharField(max_length=200, blank=True)
    public_description = models.TextField(blank=True)

    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    horizon = models.CharField(max_length=10, choices=Horizon.choices, default=Horizon.LATER)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.NOT_STARTED)
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P1)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="roadmap_items"
    )
    pm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roadmap_items",
        verbose_name="PM",
    )
    quarter = models.CharField(max_length=20, blank=True, help_text="Internal only, e.g. Q4 FY26.")
    committed = models.BooleanField(default=False)
    surface = models.CharField(max_length=20, choices=Idea.Surface.choices, blank=True)
    min_client_version = models.CharField(max_length=20, blank=True)
    ideas = models.ManyToManyField(Idea, blank=True, related_name="roadmap_items")
    shipped_at = models.DateTimeField(null=True, blank=True)
    changelog = models.TextField(blank=True, help_text="Public changelog entry (Markdown).")

    # Quarterly planning: the paperwork each item needs and the other teams it touches.
    key = models.CharField(max_length=100, blank=True, help_text="Stable key from the plan sheet.")
    problem_doc = models.CharField(max_length=500, blank=True)
    one_pager = models.CharField(max_length=500, blank=True)
    project_doc = models.CharField(max_length=500, blank=True)
    dependent_teams = models.ManyToManyField(
        Team, blank=True, related_name="dependent_roadmap_items"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[ideas])

    class Meta:
        ordering = ["priority", "title"]
        indexes = [
            models.Index(fields=["visibility", "horizon"], name="item_visibility_horizon_idx"),
            models.Index(fields=["quarter", "team"], name="item_quarter_team_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="roadmap_item_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title
