"""The scoring policy (versioned) and the bridge criteria a PM ticks on an idea."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

NOT_NEGATIVE = [MinValueValidator(0)]


def _weight(label: str, default: float, help_text: str = "") -> models.FloatField:
    return models.FloatField(label, default=default, validators=NOT_NEGATIVE, help_text=help_text)


class ScoringPolicy(models.Model):
    """One version of the weights. Rows are never edited: a change is saved as a new version,
    so every stored score can name the exact weights that produced it."""

    version = models.PositiveIntegerField(unique=True, editable=False)
    note = models.CharField(
        max_length=300, blank=True, help_text="Why the weights changed (shown in the history)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Strategic fit: the pillar's weight times the impact multiplier.
    pillar_security = _weight("security", 100, "Default order: security > reliability > ...")
    pillar_reliability = _weight("reliability", 70)
    pillar_performance = _weight("performance", 45)
    pillar_feature = _weight("feature", 25)
    impact_low = _weight("low impact ×", 0.5)
    impact_medium = _weight("medium impact ×", 1.0)
    impact_high = _weight("high impact ×", 1.5)

    # How the three parts add up.
    fit_weight = _weight("fit ×", 1.0, "Multiplies strategic fit in the total.")
    bridge_weight = _weight("bridge ×", 1.0, "Multiplies the bridge criteria's points.")
    demand_weight = _weight(
        "demand ×", 0.5, "Multiplies demand in the total; below 1 so strategy outweighs volume."
    )

    # Demand: every count is flattened (log) so that volume alone cannot win.
    people_points = _weight(
        "points per doubling of people", 6, "Distinct people, each weighted by importance."
    )
    organization_points = _weight(
        "points per doubling of organizations",
        8,
        "Distinct organizations, each weighted by importance.",
    )
    source_kind_points = _weight("points per source kind", 4)
    arr_points = _weight("points per tenfold ARR at stake", 5, "Counted from $1,000 up.")
    votes_points = _weight("points per tenfold votes", 4)
    votes_cap = _weight("votes cap (powers of ten)", 3, "3 = votes stop counting after 1,000.")
    max_source_share = models.FloatField(
        "largest share of demand one source kind may supply",
        default=0.6,
        validators=[MinValueValidator(0.05), MaxValueValidator(1)],
        help_text="0.6 = one kind (say Reddit) supplies at most 60% of an idea's demand.",
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = "scoring policy"
        verbose_name_plural = "scoring policy versions"

    def __str__(self) -> str:
        return f"Scoring policy v{self.version}"

    def pillar_weights(self) -> dict[str, float]:
        return {
            "security": self.pillar_security,
            "reliability": self.pillar_reliability,
            "performance": self.pillar_performance,
            "feature": self.pillar_feature,
        }

    def impact_multipliers(self) -> dict[int, float]:
        return {1: self.impact_low, 2: self.impact_medium, 3: self.impact_high}


class BridgeCriterion(models.Model):
    """Work that serves more than one side of the business; a PM ticks those an idea meets."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    weight = models.FloatField(default=10, validators=NOT_NEGATIVE)
    active = models.BooleanField(default=True, help_text="Inactive criteria add nothing.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "bridge criteria"
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="bridge_weight_not_negative")
        ]

    def __str__(self) -> str:
        return self.name


class IdeaDemand(models.Model):
    """Demand counted from an idea's signals, per source kind: the policy-free half of a score.

    Rebuilt for an idea whenever it is rescored from its signals; a policy change reweighs these
    rows instead of reading every signal again.
    """

    idea = models.ForeignKey("intake.Idea", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    people = models.PositiveIntegerField(default=0)
    people_weight = models.PositiveIntegerField(default=0)
    votes = models.PositiveBigIntegerField(default=0)
    organizations = models.PositiveIntegerField(default=0)
    organizations_weight = models.PositiveIntegerField(default=0)
    arr = models.FloatField(default=0)
    enterprise = models.BooleanField(default=False, help_text="An Enterprise-plan customer asked.")
    paying = models.BooleanField(default=False, help_text="Another customer asked.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "kind"], name="ideademand_idea_kind_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.idea_id}/{self.kind}"
