from django.db import models

from roadmap.models import RoadmapItem

from .providers import PROVIDERS


class CrmConnection(models.Model):
    """Which CRM to read and which of its properties hold plan, ARR and renewal date.

    Credentials never live here: they come from the environment (HUBSPOT_ACCESS_TOKEN, ...).
    """

    provider = models.CharField(
        max_length=20, choices=[(name, name.title()) for name in PROVIDERS], unique=True
    )
    enabled = models.BooleanField(default=True, help_text="Synced by beat and by sync_crm.")
    arr_property = models.CharField(
        "ARR property", max_length=100, default="annualrevenue", blank=True,
        help_text="The company property holding ARR; blank: the CRM supplies no ARR.",
    )  # fmt: skip
    plan_property = models.CharField(
        max_length=100, default="plan", blank=True,
        help_text="Holds free, starter, business or enterprise; other values are ignored.",
    )  # fmt: skip
    renewal_property = models.CharField(
        max_length=100, default="renewal_date", blank=True,
        help_text="A date property: when the customer's contract renews.",
    )  # fmt: skip
    # Sync health, written by every run.
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    last_summary = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = "CRM connection"

    def __str__(self) -> str:
        return self.get_provider_display()


class AccountOwnerNotice(models.Model):
    """An account owner told that an item their customers asked for shipped: one per
    (item, owner), claimed before it is sent so a repeated event tells nobody twice."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SLACK = "slack", "Slack"

    item = models.ForeignKey(RoadmapItem, on_delete=models.CASCADE, related_name="+")
    owner_email = models.EmailField()
    customers = models.TextField()
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "owner_email"], name="crm_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.owner_email} about {self.item_id}"
