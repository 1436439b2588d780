"""Triage in the admin: the inbox, ideas with their demand, merge, decline, status."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from . import selectors, services
from .forms import AttachForm, DeclineForm, MergeForm
from .models import Idea, InboxSignal, MergeRecord, Organization, Signal, Team


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _intermediate(modeladmin, request, queryset, *, form, title: str, action: str, template: str):
    """Render an action's confirmation page, carrying the selection along."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "action": action,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return render(request, template, context)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "arr"]
    list_filter = ["plan"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    search_fields = ["name"]


SIGNAL_CONTENT_FIELDS = [
    "source", "external_id", "url", "title", "body", "author", "author_email", "submitted_by",
    "organization", "votes", "comment_count", "upstream_state", "created_upstream",
    "updated_upstream", "deal_stage", "arr_at_stake", "urgency", "competitor", "raw",
    "created_at", "updated_at",
]  # fmt: skip


class SignalInline(admin.TabularInline):
    model = Signal
    fields = ["title", "source", "author", "organization", "votes", "importance", "created_at"]
    readonly_fields = ["title", "source", "author", "organization", "votes", "created_at"]
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")


class IdeaStatusFilter(admin.SimpleListFilter):
    """Merged ideas disappear from lists unless asked for."""

    title = "status"
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        return [*Idea.Status.choices, ("all", "All, including merged")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "all":
            return queryset
        if value in Idea.Status.values:
            return queryset.filter(status=value)
        return queryset.exclude(status=Idea.Status.MERGED)


@admin.register(Idea)
class IdeaAdmin(SimpleHistoryAdmin):
    list_display = [
        "title", "status", "pillar", "team", "pm", "signal_count", "organization_count",
        "source_kind_count", "created_at",
    ]  # fmt: skip
    list_filter = [IdeaStatusFilter, "pillar", "surface", "team", "pm"]
    search_fields = ["title", "description", "product_area"]
    list_select_related = ["team", "pm"]
    list_per_page = 50
    inlines = [SignalInline]
    readonly_fields = [
        "status", "merged_into", "decline_reason", "declined_by", "declined_at", "created_at",
        "updated_at",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["title", "description", "pillar", "surface", "product_area"]}),
        ("Ownership", {"fields": ["team", "pm"]}),
        ("Audience text", {"fields": ["internal_notes", "customer_summary", "public_summary"]}),
        (
            "Decision",
            {
                "fields": [
                    "status",
                    "merged_into",
                    "decline_reason",
                    "revisit_when",
                    "declined_by",
                    "declined_at",
                    "created_at",
                    "updated_at",
                ]  # fmt: skip
            },
        ),
    ]
    actions = [
        "merge_selected", "undo_merge", "decline_selected", "mark_under_review",
        "mark_planned", "mark_shipped", "mark_new",
    ]  # fmt: skip

    def get_queryset(self, request) -> QuerySet[Idea]:
        return selectors.ideas_with_demand()

    @admin.display(description="signals", ordering="signal_count")
    def signal_count(self, idea):
        return idea.signal_count

    @admin.display(description="organizations", ordering="organization_count")
    def organization_count(self, idea):
        return idea.organization_count

    @admin.display(description="source kinds", ordering="source_kind_count")
    def source_kind_count(self, idea):
        return idea.source_kind_count

    @admin.action(description="Merge selected ideas…")
    def merge_selected(self, request, queryset):
        ideas = list(queryset.exclude(status=Idea.Status.MERGED))
        if "apply" in request.POST:
            form = MergeForm(request.POST)
            if form.is_valid():
                survivor = form.cleaned_data["survivor"]
                merged = 0
                for idea in ideas:
                    if idea.pk == survivor.pk:
                        continue
                    try:
                        services.merge_ideas(merged=idea, survivor=survivor, user=request.user)
                        merged += 1
                    except ValidationError as error:
                        self.message_user(request, _error_text(error), messages.ERROR)
                self.message_user(request, f"Merged {merged} idea(s) into “{survivor}”.")
                return None
        else:
            form = MergeForm(initial={"survivor": ideas[0].pk if ideas else None})
            form.fields["survivor"].queryset = Idea.objects.filter(pk__in=[i.pk for i in ideas])
        return _intermediate(
            self,
            request,
            queryset,
            form=form,
            title="Merge ideas",
            action="merge_selected",
            template="admin/intake/idea_action.html",
        )

    @admin.action(description="Undo merge")
    def undo_merge(self, request, queryset):
        for idea in queryset:
            try:
                services.unmerge_idea(idea=idea)
                self.message_user(request, f"“{idea}” is back with its signals.")
            except ValidationError as error:
                self.message_user(request, _error_text(error), messages.ERROR)

    @admin.action(description="Decline selected ideas…")
    def decline_selected(self, request, queryset):
        if "apply" in request.POST:
            form = DeclineForm(request.POST)
            if form.is_valid():
                for idea in queryset:
                    try:
                        services.decline_idea(
                            idea=idea,
                            reason=form.cleaned_data["reason"],
                            revisit_when=form.cleaned_data["revisit_when"],
                            user=request.user,
                        )
                    except ValidationError as error:
                        self.message_user(request, _error_text(error), messages.ERROR)
                self.message_user(request, "Declined, with the reason recorded.")
                return None
        else:
            form = DeclineForm()
        return _intermediate(
            self,
            request,
            queryset,
            form=form,
            title="Decline ideas",
            action="decline_selected",
            template="admin/intake/idea_action.html",
        )

    def _set_status(self, request, queryset, status):
        changed = 0
        for idea in queryset:
            try:
                services.set_idea_status(idea=idea, status=status)
                changed += 1
            except ValidationError as error:
                self.message_user(request, f"“{idea}”: {_error_text(error)}", messages.ERROR)
        self.message_user(request, f"{changed} idea(s) now {Idea.Status(status).label.lower()}.")

    @admin.action(description="Set status: under review")
    def mark_under_review(self, request, queryset):
        self._set_status(request, queryset, Idea.Status.UNDER_REVIEW)

    @admin.action(description="Set status: planned")
    def mark_planned(self, request, queryset):
        self._set_status(request, queryset, Idea.Status.PLANNED)

    @admin.action(description="Set status: shipped")
    def mark_shipped(self, request, queryset):
        self._set_status(request, queryset, Idea.Status.SHIPPED)

    @admin.action(description="Set status: new")
    def mark_new(self, request, queryset):
        self._set_status(request, queryset, Idea.Status.NEW)


class SignalActionsMixin:
    actions = ["attach_to_idea", "make_idea"]

    @admin.action(description="Attach to an idea…")
    def attach_to_idea(self, request, queryset):
        if "apply" in request.POST:
            form = AttachForm(request.POST)
            if form.is_valid():
                try:
                    moved = services.attach_signals(
                        signal_ids=queryset.values_list("pk", flat=True),
                        idea=form.cleaned_data["idea"],
                        importance=form.cleaned_data["importance"],
                    )
                except ValidationError as error:
                    self.message_user(request, _error_text(error), messages.ERROR)
                    return None
                self.message_user(request, f"Attached {moved} signal(s).")
                return None
        else:
            form = AttachForm()
        return _intermediate(
            self,
            request,
            queryset,
            form=form,
            title="Attach signals to an idea",
            action="attach_to_idea",
            template="admin/intake/idea_action.html",
        )

    @admin.action(description="Make a new idea from these")
    def make_idea(self, request, queryset):
        try:
            idea = services.create_idea_from_signals(
                signal_ids=queryset.values_list("pk", flat=True)
            )
        except ValidationError as error:
            self.message_user(request, _error_text(error), messages.ERROR)
            return
        self.message_user(
            request,
            format_html('Created idea <a href="../idea/{}/change/">“{}”</a>.', idea.pk, idea.title),
        )


@admin.register(Signal)
class SignalAdmin(SignalActionsMixin, admin.ModelAdmin):
    list_display = ["title", "source", "author", "organization", "idea", "votes", "created_at"]
    list_filter = ["source", ("created_at", admin.DateFieldListFilter), "deal_stage", "urgency"]
    search_fields = ["title", "body", "author", "author_email", "external_id", "url"]
    list_select_related = ["organization", "idea"]
    date_hierarchy = "created_at"
    readonly_fields = SIGNAL_CONTENT_FIELDS
    fields = ["idea", "importance", *SIGNAL_CONTENT_FIELDS]
    raw_id_fields = ["idea"]

    def has_add_permission(self, request):
        # Signals come from sources; triage never invents one.
        return False


@admin.register(InboxSignal)
class InboxAdmin(SignalAdmin):
    list_display = ["title", "source", "author", "organization", "votes", "created_at"]

    def get_queryset(self, request):
        return selectors.inbox_signals()


@admin.register(MergeRecord)
class MergeRecordAdmin(admin.ModelAdmin):
    list_display = ["merged", "survivor", "merged_by", "merged_at", "undone_at"]
    list_select_related = ["merged", "survivor", "merged_by"]
    readonly_fields = [f.name for f in MergeRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
