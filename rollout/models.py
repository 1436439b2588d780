"""Feature flags that carry a roadmap item through its stages, with a kill switch.

A flag's rollout state says who gets it (internal organizations, opted-in ones, a percentage,
everyone); the stage policy sets that state when the item's stage changes, unless a PM pinned
the flag. Evaluation compiles these rows to flagd flag definitions (rollout/flagd.py).
"""

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from intake.models import Organization, Team
from roadmap.models import RoadmapItem

FLAG_KEY_VALIDATOR = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{0,99}$", "Lower-case letters, digits and dashes, e.g. workload-identity."
)


class RolloutState(models.TextChoices):
    OFF = "off", "Off for everyone"
    INTERNAL = "internal", "Internal organizations only"
    OPTED_IN = "opted_in", "Organizations that opted in"
    PERCENTAGE = "percentage", "A percentage of organizations"
    EVERYONE = "everyone", "Everyone"


class StagePolicy(models.Model):
    """What a flag does when its item reaches a stage (editable in the admin)."""

    stage = models.CharField(max_length=20, choices=RoadmapItem.Stage.choices, unique=True)
    state = models.CharField(max_length=20, choices=RolloutState.choices)
    percentage = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(100)],
        help_text="Share of organizations (0-100) for the percentage state.",
    )

    class Meta:
        verbose_name_plural = "stage policies"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(percentage__lte=100), name="policy_percentage_0_100")
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.get_state_display()}"


def default_variants() -> dict:
    return {"on": True, "off": False}


class Flag(models.Model):
    key = models.CharField(max_length=100, unique=True, validators=[FLAG_KEY_VALIDATOR])
    description = models.TextField(blank=True)
    item = models.ForeignKey(
        RoadmapItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flags",
        help_text="The roadmap item this flag delivers; its stage drives the rollout state.",
    )
    owner_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="flags"
    )
    pm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flags",
        verbose_name="PM",
    )
    variants = models.JSONField(
        default=default_variants,
        help_text="Name → value. Boolean by default; string values for experiments, e.g. "
        '{"off": "seat", "usage": "usage", "hybrid": "hybrid"}: enabled organizations are '
        "split evenly over the variants other than the off variant.",
    )
    off_variant = models.CharField(max_length=50, default="off")

    state = models.CharField(max_length=20, choices=RolloutState.choices, default=RolloutState.OFF)
    percentage = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    pinned = models.BooleanField(
        default=False, help_text="Pinned: stage changes of the item leave this flag as it is."
    )
    state_changed_at = models.DateTimeField(auto_now_add=True)

    # Targeting.
    plans = models.JSONField(
        default=list, blank=True, help_text="Only these plans (empty: every plan)."
    )
    allow = models.ManyToManyField(
        Organization, blank=True, related_name="+", verbose_name="allow list"
    )
    deny = models.ManyToManyField(
        Organization, blank=True, related_name="+", verbose_name="deny list"
    )
    opted_in = models.ManyToManyField(
        Organization, blank=True, related_name="+", verbose_name="opted-in organizations"
    )
    wait_for_adoption = models.BooleanField(
        default=True,
        help_text="With a minimum client version: the percentage rollout starts only once "
        "enough devices carry that version (ROLLOUT_ADOPTION_THRESHOLD).",
    )

    # Kill switch.
    killed_at = models.DateTimeField(null=True, blank=True)
    killed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kill_reason = models.TextField(blank=True)
    # The `flag.killed` event whose owners were told: a handler that runs twice mails once.
    kill_notice_key = models.CharField(max_length=32, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["updated_at", "kill_notice_key"], m2m_fields=[allow, deny, opted_in]
    )

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(condition=Q(percentage__lte=100), name="flag_percentage_0_100"),
            models.CheckConstraint(
                condition=Q(killed_at__isnull=True) | ~Q(kill_reason=""),
                name="flag_killed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def killed(self) -> bool:
        return self.killed_at is not None

    def clean(self) -> None:
        """Variants: an object naming an off variant and at least one other."""
        from django.core.exceptions import ValidationError

        variants = self.variants
        if not isinstance(variants, dict) or len(variants) < 2:
            raise ValidationError(
                {"variants": "A flag needs an off variant and at least one other, as an object."}
            )
        if self.off_variant not in variants:
            raise ValidationError({"off_variant": "Name one of the variants as the off variant."})


class Revision(models.Model):
    """One row: bumped by every write that changes an answer, so each process knows when to
    recompile its flags, and bulk answers carry an ETag."""

    number = models.PositiveBigIntegerField(default=0)
    # Random per bump: a restored or re-created database never repeats an old revision.
    token = models.CharField(max_length=32, default="")

    def __str__(self) -> str:
        return f"{self.number}-{self.token}"


class ClientVersionCount(models.Model):
    """The latest snapshot of active devices per client version, as the platform reported it."""

    version = models.CharField(max_length=50, unique=True)
    devices = models.PositiveIntegerField()
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version"]

    def __str__(self) -> str:
        return f"{self.version}: {self.devices}"


def hash_sdk_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class SdkKey(models.Model):
    """A key a product sends as `Authorization: Bearer <key>`; only its hash is kept."""

    PREFIX = "ii_sdk_"

    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "SDK key"

    def __str__(self) -> str:
        return f"{self.name} (…{self.hint})"

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class EarlyAccessRequest(models.Model):
    """A customer organization asked to join an Alpha; a PM approves it into the opt-in list."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="early_access_requests")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["flag", "organization"], name="early_access_once_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.flag}"
