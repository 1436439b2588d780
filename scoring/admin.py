"""The scoring policy and bridge criteria in the admin. A policy is never edited in place:
saving the form publishes a new version and rescores the backlog."""

from django.contrib import admin
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from intake.admin_hardening import HardenedAdminMixin
from intake.models import Idea

from . import explain, selectors, services
from .models import BridgeCriterion, ScoringPolicy

POLICY_WEIGHTS = [
    f.name
    for f in ScoringPolicy._meta.fields
    if f.name not in ("id", "version", "note", "created_by", "created_at")
]


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = [
        "version", "note", "created_by", "created_at", "pillar_security", "pillar_reliability",
        "pillar_performance", "pillar_feature", "fit_weight", "bridge_weight", "demand_weight",
    ]  # fmt: skip
    list_select_related = ["created_by"]
    readonly_fields = ["version", "created_by", "created_at"]
    fieldsets = [
        (None, {"fields": ["note"]}),
        (
            "Strategic fit: pillar weight × impact",
            {
                "fields": [
                    "pillar_security",
                    "pillar_reliability",
                    "pillar_performance",
                    "pillar_feature",
                    "impact_low",
                    "impact_medium",
                    "impact_high",
                ]
            },
        ),
        ("The total", {"fields": ["fit_weight", "bridge_weight", "demand_weight"]}),
        (
            "Demand",
            {
                "fields": [
                    "people_points",
                    "organization_points",
                    "source_kind_points",
                    "arr_points",
                    "votes_points",
                    "votes_cap",
                    "max_source_share",
                ]
            },
        ),
    ]

    def get_changeform_initial_data(self, request):
        # A new version starts from the weights in force.
        return model_to_dict(selectors.current_policy(), fields=POLICY_WEIGHTS)

    def has_change_permission(self, request, obj=None):
        # Versions that scored ideas stay as they were; change means "add a new version".
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.publish_policy(policy=obj, user=request.user)
        self.message_user(request, f"Published v{obj.version}; every idea is being rescored.")


@admin.register(BridgeCriterion)
class BridgeCriterionAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "weight", "active", "description"]
    list_editable = ["weight", "active"]
    list_filter = ["active"]
    search_fields = ["name", "description"]

    def has_delete_permission(self, request, obj=None):
        # Untick "active" instead: ideas keep their ticks and history stays readable.
        return False

    def save_model(self, request, obj, form, change):
        services.save_bridge_criterion(criterion=obj)


# The idea admin is intake's (the ground floor); explaining a score is scoring's, so scoring
# extends the registered idea admin instead of intake importing scoring.
IdeaAdmin = type(admin.site.get_model_admin(Idea))


class ScoredIdeaAdmin(IdeaAdmin):
    readonly_fields = [*IdeaAdmin.readonly_fields, "score_explanation"]

    def get_fieldsets(self, request, obj=None):
        return [
            (name, {**options, "fields": ["score_explanation", *options["fields"]]})
            if name == "Score"
            else (name, options)
            for name, options in super().get_fieldsets(request, obj)
        ]

    @admin.display(description="why this score")
    def score_explanation(self, idea):
        if idea.pk is None or not idea.score_breakdown:
            return "Not scored yet: the score appears once the idea is saved."
        rank = selectors.rank_of(idea)
        renewals = selectors.renewals_soon([idea.pk], today=timezone.localdate()).get(idea.pk)
        lines = explain.describe(idea.score_breakdown, renewals=renewals)
        head = format_html(
            "<strong>#{} in the backlog, score {}.</strong>", rank, f"{idea.score:.1f}"
        )
        return format_html(
            "{}<ul>{}</ul>", head, format_html_join("", "<li>{}</li>", ((ln,) for ln in lines))
        )


admin.site.unregister(Idea)
admin.site.register(Idea, ScoredIdeaAdmin)
