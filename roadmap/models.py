"""Roadmap items: planned work that delivers ideas, with separate text for each audience."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from intake.models import Idea, Organization, Team


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

    def clean(self) -> None:
        """An item shown outside needs text written for that audience; never the internal title."""
        from django.core.exceptions import ValidationError

        errors = {}
        if self.visibility in (self.Visibility.CUSTOMER, self.Visibility.PUBLIC):
            if not (self.customer_title or "").strip():
                errors["customer_title"] = "Customers see this item: give it a customer title."
        if self.visibility == self.Visibility.PUBLIC and not (self.public_title or "").strip():
            errors["public_title"] = "The public sees this item: give it a public title."
        if errors:
            raise ValidationError(errors)

    @property
    def is_shipped(self) -> bool:
        return self.stage == self.Stage.SHIPPED

    @property
    def needs_client(self) -> bool:
        """Client work names the minimum client version that carries it (runtime duality)."""
        return bool(self.min_client_version) and self.surface in (
            Idea.Surface.CLIENT,
            Idea.Surface.BOTH,
        )


class CustomerAccount(models.Model):
    """A customer's login: the user sees the customer roadmap of one organization."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_account"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="customer_accounts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.organization})"


def _new_share_token() -> str:
    return secrets.token_urlsafe(32)


def _new_follow_nonce() -> str:
    return secrets.token_hex(16)


class ShareLink(models.Model):
    """An expiring, revocable link to one organization's customer roadmap, made by sales."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="share_links"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_share_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="share_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Link for {self.organization}"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class Notification(models.Model):
    """One message telling one person what became of an idea they asked for (closing the loop).

    Unique per (idea, status, recipient): a retried task never sends twice.
    """

    class Audience(models.TextChoices):
        EMPLOYEE = "employee", "Employee"
        SALES = "sales", "Sales rep"

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="notifications")
    status = models.CharField(max_length=20, choices=Idea.Status.choices)
    recipient = models.EmailField()
    audience = models.CharField(max_length=10, choices=Audience.choices)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "status", "recipient"], name="notification_once_per_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"


class Webhook(models.Model):
    """An outgoing webhook an admin configured: where to POST which events, signed how."""

    class Event(models.TextChoices):
        IDEA_CREATED = "idea.created", "Idea created"
        IDEA_STATUS_CHANGED = "idea.status_changed", "Idea status changed"
        ITEM_STAGE_CHANGED = "roadmap_item.stage_changed", "Roadmap item stage changed"
        ITEM_SHIPPED = "roadmap_item.shipped", "Roadmap item shipped"
        FLAG_KILLED = "flag.killed", "Feature flag killed (internal webhooks only)"

    class Format(models.TextChoices):
        JSON = "json", "JSON (signed)"
        SLACK = "slack", "Slack-compatible text (signed)"

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text="The events this webhook receives.")
    secret = models.CharField(
        max_length=200, help_text="Shared secret: each body is signed with HMAC-SHA256."
    )

    class Audience(models.TextChoices):
        INTERNAL = "internal", "Internal (every event, internal text)"
        PUBLIC = "public", "Public (public roadmap items only, public text)"

    payload_format = models.CharField(max_length=10, choices=Format.choices, default=Format.JSON)
    audience = models.CharField(
        max_length=10,
        choices=Audience.choices,
        default=Audience.INTERNAL,
        help_text="A channel outsiders can read must be Public: it then never gets internal text.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def secret_hint(self) -> str:
        """Enough to recognise a secret, never enough to use it."""
        return f"…{self.secret[-4:]}" if len(self.secret) >= 12 else "set"


class WebhookDelivery(models.Model):
    """One event for one webhook: the body sent, every attempt counted, the last response."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=Webhook.Event.choices)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The domain event this delivery tells of: an event handled twice queues each webhook once.
    event_key = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["webhook", "-created_at"], name="delivery_webhook_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event_key"],
                condition=~models.Q(event_key=""),
                name="delivery_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook}"


class SourceComment(models.Model):
    """A comment posted back where a signal came from: its GitHub issue when its idea shipped or
    was declined, its Reddit thread when planned or shipped. Unique per (signal, status): a
    retried task never comments twice."""

    signal = models.ForeignKey(
        "intake.Signal", on_delete=models.CASCADE, related_name="source_comments"
    )
    status = models.CharField(max_length=20, choices=Idea.Status.choices)
    body = models.TextField()
    posted_at = models.DateTimeField(null=True, blank=True)
    comment_url = models.URLField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)
    refused_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the site refused it for good (a locked, archived or deleted thread): "
        "never tried again.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["signal", "status"], name="source_comment_once_per_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} on {self.signal}"


class CustomerInterest(models.Model):
    """One person of a customer said "this matters to us" about an item or an idea they can see:
    how much, and optionally why (for PMs only). It counts as customer-portal signals on the
    ideas it concerns (`signal_keys`, their external ids), changed or withdrawn with it."""

    class Level(models.TextChoices):
        # The values are intake's Signal.Urgency values, so the signal carries the same word.
        NICE_TO_HAVE = "nice_to_have", "Nice to have"
        IMPORTANT = "important", "Important"
        BLOCKER = "blocker", "Blocker"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_interests"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="customer_interests"
    )
    item = models.ForeignKey(
        RoadmapItem, null=True, blank=True, on_delete=models.CASCADE, related_name="interests"
    )
    idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="customer_interests"
    )
    level = models.CharField(max_length=20, choices=Level.choices)
    reason = models.TextField(blank=True, help_text="In the customer's words; PMs only.")
    signal_keys = models.JSONField(default=list, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=True, idea__isnull=False)
                | Q(item__isnull=False, idea__isnull=True),
                name="interest_in_one_thing",
            ),
            models.UniqueConstraint(
                fields=["user", "item"], condition=Q(item__isnull=False), name="interest_once_item"
            ),
            models.UniqueConstraint(
                fields=["user", "idea"], condition=Q(idea__isnull=False), name="interest_once_idea"
            ),
        ]
        indexes = [models.Index(fields=["organization", "item"], name="interest_org_item_idx")]

    def __str__(self) -> str:
        return f"{self.organization}: {self.item or self.idea} ({self.get_level_display()})"


class Follower(models.Model):
    """An e-mail address following one roadmap item, without an account (double opt-in).

    The address is stored only for this: it gets the one confirmation e-mail, then, once
    confirmed, one notice when the item moves to Now and one when it ships. Unsubscribing
    deletes the row; an unconfirmed row is purged after a few days.
    """

    class Audience(models.TextChoices):
        PUBLIC = "public", "Public"
        CUSTOMER = "customer", "Customer"

    item = models.ForeignKey(RoadmapItem, on_delete=models.CASCADE, related_name="followers")
    email = models.EmailField(help_text="Normalised: trimmed, lower case.")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    # A customer follower: their organization (the account that followed); gone with it.
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    # Part of every signed link, so a link outlives neither its row nor a reused id.
    nonce = models.CharField(max_length=32, default=_new_follow_nonce, editable=False)
    # The follow request (its event key) whose confirmation e-mail was sent: once per request.
    confirmation_key = models.CharField(max_length=32, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["item", "email"], name="follower_once_per_item"),
            models.CheckConstraint(
                condition=Q(audience="public", organization__isnull=True)
                | Q(audience="customer", organization__isnull=False),
                name="follower_customer_has_organization",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(confirmed_at__isnull=True),
                name="follower_unconfirmed_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Follower of item {self.item_id}"


class FollowNotice(models.Model):
    """One notice to one follower; unique per (follower, kind): a retried task never sends
    twice. Claimed (sent_at set) before the e-mail goes out."""

    class Kind(models.TextChoices):
        NOW = "now", "Moved to Now"
        SHIPPED = "shipped", "Shipped"

    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "kind"], name="follow_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to follower {self.follower_id}"
