"""Connectors: where signals flow in by themselves (GitHub, Reddit), and the record of each sync."""

from django.db import models
from django.db.models import Q


class Connector(models.Model):
    """One configured source, synced on its own schedule.

    Credentials never live here: they come from the environment (see config/settings.py).
    The lease and rate-limit fields are written only by the sync service, with targeted
    updates, so an admin saving the form never clobbers a running sync.
    """

    class Kind(models.TextChoices):
        GITHUB = "github", "GitHub"
        REDDIT = "reddit", "Reddit"
        ZENDESK = "zendesk", "Zendesk"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    enabled = models.BooleanField(default=True)
    public = models.BooleanField(
        default=False,
        help_text="Tick only when anyone may open its threads (a public repository or "
        "subreddit): the public roadmap then links to them for votes. Private otherwise.",
    )
    reply_in_threads = models.BooleanField(
        "reply in threads",
        default=False,
        help_text="Reddit only: when an idea its posts asked for is planned or shipped, reply "
        "once in each thread, in public words, from the Reddit account in the environment.",
    )
    interval_minutes = models.PositiveIntegerField(
        default=60, help_text="How often the sync runs, in minutes."
    )
    options = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            'GitHub: {"repos": ["owner/name"], "labels": ["fr"], "discussions": true, '
            '"discussion_categories": ["Ideas"]}. '
            'Reddit: {"subreddits": ["name"], "flairs": ["Feature Request"], '
            '"query": "feature request"} (flairs and query optional). '
            'Zendesk: {"tags": ["feature-request"]}.'
        ),
    )
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="connector",
    )
    # The hold of a running sync on SQLite (a short lease; see connectors/run_lock.py). On
    # PostgreSQL a session advisory lock holds the connector instead and these stay empty.
    lease_token = models.CharField(max_length=64, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    rate_limited_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_minutes__gte=1), name="connector_interval_at_least_1"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SyncCursor(models.Model):
    """How far one target of a connector (a repository's issues, a subreddit) has been synced.

    `state` belongs to the source module; it is saved in the same transaction as the signals
    of the page that moved it, so it never runs ahead of what was stored.
    """

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="cursors")
    target = models.CharField(max_length=300)
    state = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["connector", "target"]
        constraints = [
            models.UniqueConstraint(fields=["connector", "target"], name="sync_cursor_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.connector} · {self.target}"


class SyncRun(models.Model):
    """One run of one connector: what it fetched and stored, and how it ended."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCESS = "success", "Success"
        PARTIAL = "partial", "Partial (some items or targets failed)"
        RATE_LIMITED = "rate_limited", "Rate limited (resumes after the reset)"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted (its process died; the next run resumed)"
        SKIPPED = "skipped", "Skipped"

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    requests = models.PositiveIntegerField("API requests", default=0)
    error = models.TextField(blank=True)
    item_errors = models.JSONField(
        default=list, blank=True, help_text="Upstream items that could not be stored, and why."
    )
    retry_after = models.DateTimeField(
        null=True, blank=True, help_text="When a rate-limited run resumes."
    )
    reason = models.CharField(
        max_length=300, blank=True, help_text="Why the run was skipped or interrupted."
    )
    notes = models.JSONField(
        default=list,
        blank=True,
        help_text="What was changed on the way in: items stored without control characters.",
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["connector", "-started_at"], name="syncrun_connector_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.connector} at {self.started_at:%Y-%m-%d %H:%M} ({self.outcome})"

    @property
    def summary(self) -> str:
        """What happened, in one line: "ran: 3 created, 1 updated of 40 fetched", "skipped: …"."""
        counts = f"{self.created} created, {self.updated} updated of {self.fetched} fetched"
        if self.item_errors:
            counts += f", {len(self.item_errors)} items could not be stored"
        if self.outcome == self.Outcome.SKIPPED:
            return f"skipped: {self.reason}"
        if self.outcome == self.Outcome.RUNNING:
            return f"running: {counts} so far"
        if self.outcome == self.Outcome.INTERRUPTED:
            return f"interrupted after {counts}: {self.reason}"
        if self.outcome == self.Outcome.RATE_LIMITED:
            return (
                f"ran: {counts}, then waiting for the rate-limit reset until "
                f"{self.retry_after:%Y-%m-%d %H:%M:%S} UTC"
            )
        if self.outcome == self.Outcome.FAILED:
            first = self.error.splitlines()[0] if self.error else "see the run"
            return f"failed after {counts}: {first}"
        return f"ran: {counts}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
