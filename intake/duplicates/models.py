"""The duplicate engine's tables (app label `intake`): its two indexes, what each source's
template repeats, and the PM's decisions it learns from."""

from django.db import models


class IdeaTerm(models.Model):
    """The lexical index: the normalised terms of each phrasing of an idea, one row each, so a
    search reads a few posting lists instead of every idea. Phrasing 0 is the idea's own title
    and description; 1, 2… are the other titles it is known by (`phrasings.py`)."""

    idea = models.ForeignKey("intake.Idea", on_delete=models.CASCADE, related_name="+")
    phrasing = models.PositiveSmallIntegerField(default=0)
    term = models.CharField(max_length=40)
    weight = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["term", "idea", "phrasing"], name="ideaterm_term_idea_phrasing_uniq"
            ),
        ]
        indexes = [
            # Covers the search's posting-list reads, so they never touch the table rows.
            models.Index(
                fields=["term", "idea", "phrasing", "weight"], name="ideaterm_covering_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.term


class IdeaEmbedding(models.Model):
    """The semantic index: the sentence embeddings of an idea's phrasings (float32 bytes, one
    vector after another, the idea's own text first). `digests` names the text each vector was
    made from, so reindexing embeds only what changed; `model` names the model that made them,
    so vectors of another model are never compared."""

    idea = models.OneToOneField(
        "intake.Idea", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    model = models.CharField(max_length=60, default="", db_index=True)
    vector = models.BinaryField()
    digests = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"embedding of {self.idea_id}"


class SourceBoilerplate(models.Model):
    """What one source repeats in its items (template lines, title prefixes), learned from its
    signals by `intake.duplicates.cleaning` and removed before duplicate matching."""

    source = models.CharField(max_length=300, unique=True)
    lines = models.JSONField(default=list)
    title_prefixes = models.JSONField(default=list)
    items = models.PositiveIntegerField(default=0, help_text="How many items it was learned from.")
    learned_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.source


class DuplicateDecision(models.Model):
    """A PM's triage of a text, as the engine saw it just before: the candidates it ranked
    (idea, semantic and lexical similarity) and the idea the PM chose for it (none: the PM made
    it a new idea). `decisions.py` learns this instance's weighting and thresholds from them."""

    class Kind(models.TextChoices):
        ATTACHED = "attached", "attached a signal"
        MERGED = "merged", "merged an idea"
        NEW_IDEA = "new_idea", "made a new idea"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    arrival = models.BooleanField(help_text="A text with a body (a connector's), not a title.")
    chosen_idea_id = models.BigIntegerField(null=True)
    engine = models.CharField(
        max_length=80, default="", help_text="The engine (and model) that ranked the candidates."
    )
    candidates = models.JSONField(default=list)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # Learning reads the latest decisions of the engine in use.
            models.Index(fields=["engine", "-decided_at"], name="decision_engine_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.chosen_idea_id}"
