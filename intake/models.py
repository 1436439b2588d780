"""The intake domain: organizations, ideas and the signals that ask for them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

TITLE_MAX_LENGTH = 200
# External ids of the customer-portal signals that say "this matters to us" about an item
# (`roadmap.customer_portal`): written on each of its ideas, never a request of their own.
CUSTOMER_INTEREST_PREFIX = "interest:"
# Written only set-based by intake.demand; a save of the whole idea (an admin form opened a
# minute ago) must not put back the counts it read.
DERIVED_COUNTS = ("signal_count", "organization_count", "source_kind_count")


class Organization(models.Model):
    """A customer. Demand is counted per organization, never per click."""

    class Plan(models.TextChoices):
        FREE = "free", "Free"
        STARTER = "starter", "Starter"
        BUSINESS = "business", "Business"
        ENTERPRISE = "enterprise", "Enterprise"

    name = models.CharField(max_length=200, unique=True)
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.FREE)
    arr = models.DecimalField("ARR", max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Synced from the CRM (crm/): the CRM is the source of truth for what it holds.
    crm_id = models.CharField(
        "CRM id", max_length=64, blank=True, default="", help_text="The company's id in the CRM."
    )
    renewal_date = models.DateField(null=True, blank=True)
    account_owner_name = models.CharField(max_length=200, blank=True, default="")
    account_owner_email = models.EmailField(blank=True, default="")
    # Which of plan, arr, renewal_date, account_owner the CRM supplied at the last sync: the
    # others are a PM's manual values, kept where the CRM has none.
    crm_fields = models.JSONField(default=list, blank=True, editable=False)
    # When a CRM sync last linked or changed it; set means its ARR is the current one.
    crm_synced_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(arr__gte=0), name="organization_arr_not_negative"),
            models.UniqueConstraint(
                fields=["crm_id"], condition=~Q(crm_id=""), name="organization_crm_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrganizationDomain(models.Model):
    """An e-mail or web domain of a customer, so that input from a support desk or a chat
    (where people write from their work address) is counted for the right organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True, help_text="e.g. acme-robotics.com")

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        # Domains are case-insensitive; stored lower-case so that lookups are plain equality.
        self.domain = self.domain.strip().lower()
        super().save(*args, **kwargs)


class Team(models.Model):
    """An engineering team that owns ideas and roadmap items (Networking, Client, ...)."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Idea(models.Model):
    """The canonical request that signals attach to."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        UNDER_REVIEW = "under_review", "Under review"
        PLANNED = "planned", "Planned"
        SHIPPED = "shipped", "Shipped"
        DECLINED = "declined", "Declined"
        MERGED = "merged", "Merged"

    class Pillar(models.TextChoices):
        # Strict SRPF order: security > reliability > performance > feature.
        SECURITY = "security", "Security"
        RELIABILITY = "reliability", "Reliability"
        PERFORMANCE = "performance", "Performance"
        FEATURE = "feature", "Feature"

    class Surface(models.TextChoices):
        CLIENT = "client", "Client"
        PLATFORM = "platform", "Platform"
        BOTH = "both", "Client and platform"

    class Impact(models.IntegerChoices):
        LOW = 1, "Low"
        MEDIUM = 2, "Medium"
        HIGH = 3, "High"

    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField("description (Markdown)", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    pillar = models.CharField(max_length=20, choices=Pillar.choices, default=Pillar.FEATURE)
    surface = models.CharField(max_length=20, choices=Surface.choices, blank=True)
    product_area = models.CharField(max_length=100, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    pm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_ideas",
        verbose_name="PM",
        limit_choices_to={"groups__name": "PM"},
    )
    internal_notes = models.TextField(blank=True, help_text="Internal only; never shown outside.")
    customer_summary = models.TextField(blank=True, help_text="Shown to customers.")
    public_summary = models.TextField(blank=True, help_text="Shown to the public and submitters.")
    decline_reason = models.TextField(blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    revisit_when = models.CharField(
        max_length=300, blank=True, help_text="A condition under which to look at it again."
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_ideas"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Triage inputs to the score (scoring/).
    impact = models.PositiveSmallIntegerField(
        choices=Impact.choices,
        default=Impact.MEDIUM,
        help_text="How much it changes things for those it serves; multiplies the pillar weight.",
    )
    bridge_criteria = models.ManyToManyField(
        "scoring.BridgeCriterion", blank=True, related_name="ideas"
    )
    serves_plg = models.BooleanField("PLG", default=False, help_text="Free, self-serve.")
    serves_pls = models.BooleanField("PLS", default=False, help_text="Usage that leads to a sale.")
    serves_enterprise = models.BooleanField(
        "Enterprise", default=False, help_text="Top-down, compliance-driven."
    )
    motions_from_sources = models.BooleanField(
        "motions follow the signals",
        default=True,
        help_text="Untick to keep the motions a PM chose; ticked, rescoring sets them from the "
        "signals (community sources: PLG; Enterprise-plan customers: Enterprise; other "
        "customers: PLS).",
    )
    # Written only by scoring.services, set-based; higher ranks first. Indexed (the Ideas list
    # sorts by it), so a policy change's UPDATE writes index entries too: issue 18 measured it.
    score = models.FloatField(default=0)
    score_breakdown = models.JSONField(default=dict, blank=True)
    score_policy_version = models.PositiveIntegerField(null=True, blank=True)
    # Demand as lists show it, written by intake.demand when the idea's signals change (never
    # counted while a page is drawn); the score's own counts live in scoring.IdeaDemand.
    signal_count = models.PositiveIntegerField("signals", default=0, editable=False)
    organization_count = models.PositiveIntegerField("organizations", default=0, editable=False)
    source_kind_count = models.PositiveIntegerField("source kinds", default=0, editable=False)
    # The duplicate engine's index (IdeaTerm) needs rebuilding for this idea.
    search_stale = models.BooleanField(default=True, editable=False)

    # Scores are derived data, rewritten set-based; history keeps what people changed.
    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "score",
            "score_breakdown",
            "score_policy_version",
            "search_stale",
            *DERIVED_COUNTS,
        ]
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="idea_status_created_idx"),
            models.Index(fields=["pillar", "status"], name="idea_pillar_status_idx"),
            models.Index(fields=["team", "status"], name="idea_team_status_idx"),
            # One per sortable column of the Ideas list (the list breaks ties by id), so that
            # a page of 50 reads 50 index entries instead of sorting every idea.
            models.Index(fields=["score", "id"], name="idea_score_idx"),
            models.Index(fields=["title", "id"], name="idea_title_idx"),
            models.Index(fields=["status", "id"], name="idea_status_id_idx"),
            models.Index(fields=["pillar", "id"], name="idea_pillar_id_idx"),
            models.Index(fields=["pm", "id"], name="idea_pm_id_idx"),
            models.Index(fields=["created_at", "id"], name="idea_created_id_idx"),
            # The list's filters on columns of few values: its capped count reads these alone.
            models.Index(fields=["impact", "status"], name="idea_impact_status_idx"),
            models.Index(fields=["surface", "status"], name="idea_surface_status_idx"),
            # The roadmap's "not doing" list: the latest decisions first.
            models.Index(
                fields=["-declined_at", "-id"],
                condition=Q(status="declined"),
                name="idea_declined_idx",
            ),
            models.Index(fields=["signal_count", "id"], name="idea_signal_count_idx"),
            models.Index(fields=["organization_count", "id"], name="idea_org_count_idx"),
            models.Index(fields=["source_kind_count", "id"], name="idea_kind_count_idx"),
            models.Index(
                fields=["id"], condition=Q(search_stale=True), name="idea_search_stale_idx"
            ),
        ]
        # Full-text search (intake/search.py, migration 0013) is indexed outside the model, in
        # a table kept by triggers: on PostgreSQL intake_idea_search (a vector with a GIN
        # index), on SQLite an FTS5 table.
        constraints = [
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="idea_merged_has_survivor",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="idea_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="idea_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in DERIVED_COUNTS
            ]
        # A changed title or description makes the duplicate index stale for this idea; the
        # next search (or the writing service) rebuilds it. Covers the admin and any caller.
        if (self.title, self.description) != getattr(self, "_indexed_text", None):
            self.search_stale = True
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and {"title", "description"} & set(update_fields):
                kwargs["update_fields"] = {*update_fields, "search_stale"}
        super().save(*args, **kwargs)
        self._indexed_text = (self.title, self.description)

    @classmethod
    def from_db(cls, db, field_names, values):
        idea = super().from_db(db, field_names, values)
        idea._indexed_text = (idea.__dict__.get("title"), idea.__dict__.get("description"))
        return idea

    def survivor(self) -> "Idea":
        """The idea that now stands for this one, following merges."""
        idea, seen = self, set()
        while idea.merged_into_id and idea.pk not in seen:
            seen.add(idea.pk)
            idea = idea.merged_into
        return idea


class Signal(models.Model):
    """One raw input from one source. Never edited by triage, never lost."""

    class Source(models.TextChoices):
        GITHUB_ISSUE = "github_issue", "GitHub issue"
        GITHUB_DISCUSSION = "github_discussion", "GitHub discussion"
        REDDIT_POST = "reddit_post", "Reddit post"
        SALES = "sales", "Sales note"
        EMPLOYEE = "employee", "Employee submission"
        API = "api", "API"
        SLACK = "slack", "Slack message"
        ZENDESK = "zendesk", "Zendesk ticket"
        # A customer on their roadmap: "this matters to us", or a request of their own.
        CUSTOMER_PORTAL = "customer_portal", "Customer portal"

    class DealStage(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    class Urgency(models.TextChoices):
        NICE_TO_HAVE = "nice_to_have", "Nice to have"
        IMPORTANT = "important", "Important"
        BLOCKER = "blocker", "Blocker"
        DEAL_BREAKER = "deal_breaker", "Deal-breaker"

    source = models.CharField(max_length=30, choices=Source.choices)
    external_id = models.CharField(max_length=255, default="")
    url = models.URLField(max_length=500, blank=True)
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    author = models.CharField(max_length=200, blank=True)
    author_email = models.EmailField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_signals",
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="signals"
    )
    votes = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    upstream_state = models.CharField(
        max_length=20, blank=True, help_text="open/closed as the source reports it"
    )
    created_upstream = models.DateTimeField(null=True, blank=True)
    updated_upstream = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True)
    idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.PROTECT, related_name="signals"
    )
    importance = models.PositiveSmallIntegerField(
        default=1, help_text="0 (noise) to 3 (critical): how much this evidence weighs."
    )
    # Sales details: only a sales signal carries them (and the urgency a customer gave on the
    # customer portal).
    deal_stage = models.CharField(max_length=10, choices=DealStage.choices, blank=True)
    arr_at_stake = models.DecimalField(
        "ARR at stake", max_digits=14, decimal_places=2, null=True, blank=True
    )
    urgency = models.CharField(max_length=20, choices=Urgency.choices, blank=True)
    competitor = models.CharField(max_length=200, blank=True)
    # The duplicate engine's answer for an untriaged signal, stored when it arrives so the
    # inbox can show it without searching once per row: the closest idea (its first
    # suggestion), and the same idea as its likely duplicate when it is close enough for that.
    closest_idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closest_similarity = models.FloatField(null=True, blank=True)
    likely_idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    likely_similarity = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="signal_source_ext_uniq"
            ),
            models.CheckConstraint(
                condition=~Q(external_id=""), name="signal_external_id_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(arr_at_stake__isnull=True) | Q(arr_at_stake__gte=0),
                name="signal_arr_not_negative",
            ),
            models.CheckConstraint(condition=Q(importance__lte=3), name="signal_importance_0_to_3"),
            # A sales note, or a Sales rep's Slack message naming the customer.
            models.CheckConstraint(
                condition=Q(source__in=["sales", "slack"])
                | (
                    Q(arr_at_stake__isnull=True)
                    & Q(deal_stage="")
                    & (Q(urgency="") | Q(source="customer_portal"))
                    & Q(competitor="")
                ),
                name="signal_sales_details_only_on_sales",
            ),
        ]
        indexes = [
            # The PM inbox: untriaged signals, newest first.
            models.Index(
                fields=["-created_at"],
                condition=Q(idea__isnull=True),
                name="signal_inbox_idx",
            ),
            models.Index(fields=["idea", "source"], name="signal_idea_source_idx"),
            # The Signals list: newest first, whole or cut to one idea, source or deal detail.
            models.Index(fields=["created_at", "id"], name="signal_created_idx"),
            models.Index(fields=["idea", "created_at"], name="signal_idea_created_idx"),
            models.Index(fields=["source", "created_at"], name="signal_source_created_idx"),
            models.Index(fields=["deal_stage", "created_at"], name="signal_deal_created_idx"),
            models.Index(fields=["urgency", "created_at"], name="signal_urgency_created_idx"),
            models.Index(fields=["submitted_by", "-created_at"], name="signal_submitter_idx"),
            models.Index(fields=["url"], name="signal_url_idx"),
            # The admin's search for a pasted e-mail address or upstream id (intake/search.py).
            models.Index(fields=["author_email"], name="signal_author_email_idx"),
            models.Index(fields=["external_id"], name="signal_external_id_idx"),
        ]
        # Full-text search of title, body and author is indexed outside the model, as Idea's is.

    def __str__(self) -> str:
        return self.title or f"{self.get_source_display()} {self.external_id}"

    @staticmethod
    def new_external_id() -> str:
        """Forms and notes have no upstream id; a random one keeps the (source, id) key."""
        return uuid.uuid4().hex


class MergeRecord(models.Model):
    """One merge, kept so that it can be undone exactly."""

    merged = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="merge_records")
    survivor = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="+")
    previous_status = models.CharField(max_length=20, choices=Idea.Status.choices)
    signal_ids = models.JSONField(default=list)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"


class InboxSignal(Signal):
    """The PM inbox in the admin: signals that wait for an idea."""

    class Meta:
        proxy = True
        verbose_name = "inbox signal"
        verbose_name_plural = "inbox"


class OutboxEvent(models.Model):
    """Work that must follow a committed change, one row per (event, handler).

    Written in the same transaction as the change it follows (`intake.events.record`), so the
    database, not the broker, knows what is still to do: a row stays pending until its handler
    has run to the end, however often the broker loses or repeats the message.
    """

    name = models.CharField(max_length=64)
    handler = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the relay may hand the row to the broker (again): now for new rows, a little later
    # once dispatched (in case the broker loses it), later still after each failure.
    available_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the handler failed too often; retry it here."
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["available_at"],
                condition=Q(done_at__isnull=True, failed_at__isnull=True),
                name="outbox_pending_idx",
            ),
            models.Index(fields=["done_at"], name="outbox_done_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.handler} #{self.pk}"

    @property
    def state(self) -> str:
        if self.done_at:
            return "done"
        return "failed" if self.failed_at else "pending"


# The duplicate engine's own tables live with it; imported here so Django finds them in intake.
from .duplicates.models import (  # noqa: E402, F401
    DuplicateDecision,
    IdeaEmbedding,
    IdeaTerm,
    SourceBoilerplate,
)
