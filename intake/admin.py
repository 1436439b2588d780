"""Triage in the admin: the inbox, ideas with their demand, merge, decline, status."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OrderBy, OuterRef, QuerySet
from django.forms import CheckboxSelectMultiple, Form
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from . import duplicates, events, search, selectors, services
from .admin_hardening import HardenedAdminMixin, limit_search_term
from .forms import AttachForm, DeclineForm, ImportanceForm, MergeForm
from .models import (
    Idea,
    InboxSignal,
    MergeRecord,
    Organization,
    OrganizationDomain,
    OutboxEvent,
    Signal,
    Team,
)
from .pagination import CappedCountAdminMixin, CappedCountChangeList


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


PREVIEW_ROWS = 20  # of a selection shown on an action's confirmation page


def action_confirmation(modeladmin, request, queryset, *, form, title: str, action: str):
    """Render an action's confirmation page (its form), carrying the selection along."""
    select_across = request.POST.get("select_across") == "1"
    count = queryset.count()
    preview = list(queryset[:PREVIEW_ROWS])
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "select_across": select_across,
        "count": count,
        "preview": preview,
        "selected": [obj.pk for obj in preview]
        if select_across
        else list(queryset.values_list("pk", flat=True)),
        "action": action,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return render(request, "admin/intake/idea_action.html", context)


class OrganizationDomainInline(admin.TabularInline):
    model = OrganizationDomain
    extra = 1
    verbose_name = "e-mail domain"
    verbose_name_plural = "e-mail domains (tickets and messages from them count for this customer)"


@admin.register(Organization)
class OrganizationAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "plan", "arr", "renewal_date", "account_owner_name"]
    list_filter = ["plan"]
    search_fields = ["name", "domains__domain", "crm_id"]
    inlines = [OrganizationDomainInline]
    # What the CRM supplied at its last sync is overwritten by the next one; a PM edits the rest.
    readonly_fields = ["crm_fields", "crm_synced_at"]


@admin.register(Team)
class TeamAdmin(HardenedAdminMixin, admin.ModelAdmin):
    search_fields = ["name"]


SIGNAL_CONTENT_FIELDS = [
    "source", "external_id", "url", "title", "body", "author", "author_email", "submitted_by",
    "organization", "votes", "comment_count", "upstream_state", "created_upstream",
    "updated_upstream", "deal_stage", "arr_at_stake", "urgency", "competitor", "raw",
    "created_at", "updated_at",
]  # fmt: skip


RECENT_SIGNALS = 50  # shown on an idea's page; the rest are one link away, in the Signals list


def signals_of_idea_url(idea_id: int) -> str:
    return reverse("admin:intake_signal_changelist") + f"?idea={idea_id}"


class IdeaStatusFilter(admin.SimpleListFilter):
    """Merged ideas disappear from lists unless asked for."""

    title = "status"
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        return [*Idea.Status.choices, ("all", "All, including merged")]

    def choices(self, changelist):
        choices = list(super().choices(changelist))
        choices[0]["display"] = "All but merged"
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == "all":
            return queryset
        if value in Idea.Status.values:
            return queryset.filter(status=value)
        return queryset.exclude(status=Idea.Status.MERGED)


class MotionFilter(admin.SimpleListFilter):
    """Cut the backlog by go-to-market motion, so one motion's volume hides no other's needs."""

    title = "motion"
    parameter_name = "motion"
    FIELDS = {"plg": "serves_plg", "pls": "serves_pls", "enterprise": "serves_enterprise"}

    def lookups(self, request, model_admin):
        return [("plg", "PLG"), ("pls", "PLS"), ("enterprise", "Enterprise")]

    def queryset(self, request, queryset):
        field = self.FIELDS.get(self.value())
        return queryset.filter(**{field: True}) if field else queryset


class BridgeCriterionFilter(admin.SimpleListFilter):
    """Ideas meeting one bridge criterion, by an EXISTS on the criteria table: the admin's own
    filter over a many-to-many made the list SELECT DISTINCT over every column of every idea."""

    title = "bridge criteria"
    parameter_name = "bridge_criterion"

    def lookups(self, request, model_admin):
        criteria = Idea._meta.get_field("bridge_criteria").related_model.objects
        return [(str(pk), name) for pk, name in criteria.order_by("name").values_list("pk", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters("The bridge criterion is given by its number.")
        ticks = Idea.bridge_criteria.through.objects.filter(
            idea_id=OuterRef("pk"), bridgecriterion_id=int(value)
        )
        return queryset.filter(Exists(ticks))


class IndexedOrderChangeList(CappedCountChangeList):
    """Sorts by the one column a PM clicked, ties broken by id in that column's direction
    (Django's own tie-break is always descending, and its header links carry the previous sort
    along as a second key), so that one (column, id) index serves the column sorted either way
    and a page of 50 reads 50 entries instead of sorting a whole group of equal values."""

    def get_ordering(self, request, queryset):
        ordering = super().get_ordering(request, queryset)
        if ORDER_VAR in self.params and ordering:
            ordering = [ordering[0], "-pk"]
        if len(ordering) > 1 and ordering[-1] == "-pk":
            first = ordering[0]
            descending = first.descending if isinstance(first, OrderBy) else (
                isinstance(first, str) and first.startswith("-")
            )  # fmt: skip
            ordering[-1] = "-pk" if descending else "pk"
        return ordering

    def get_ordering_field_columns(self):
        # The headers show (and their links carry) only the column the list is sorted by.
        columns = super().get_ordering_field_columns()
        return dict(list(columns.items())[:1])


MOTION_FIELDS = ["serves_plg", "serves_pls", "serves_enterprise"]


@admin.register(Idea)
class IdeaAdmin(HardenedAdminMixin, CappedCountAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "title", "score_column", "status", "pillar", "team", "pm", "signal_count",
        "organization_count", "source_kind_count", "created_at",
    ]  # fmt: skip
    list_filter = [
        IdeaStatusFilter, MotionFilter, "pillar", "impact", BridgeCriterionFilter, "surface",
        "team", "pm",
    ]  # fmt: skip
    ordering = ["-score", "-id"]
    # Every sortable column has its (column, id) index. Not the team: sorting by a related
    # name sorts the whole table on each page, and the team filter shows one team's ideas,
    # best first, at the cost of an index read.
    sortable_by = [name for name in list_display if name != "team"]
    # Full-text search (intake/search.py); the fields name what it reads, and show the box.
    search_fields = ["title", "description", "product_area"]
    search_help_text = (
        'Words of the title, description or product area, in any form ("node" finds "nodes"), '
        'the last one perhaps unfinished; "an exact phrase", a or b, -leave-out.'
    )
    list_select_related = ["team", "pm"]
    list_per_page = 50
    # Signals are shown, not edited, on the idea's page: its form then never grows with them
    # (an inline posted three fields a signal, past DATA_UPLOAD_MAX_NUMBER_FIELDS at ~330).
    readonly_fields = [
        "status", "merged_into", "decline_reason", "declined_by", "declined_at", "created_at",
        "updated_at", "recent_signals",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["title", "description", "pillar", "surface", "product_area"]}),
        ("Signals", {"fields": ["recent_signals"]}),
        (
            "Score",
            {
                "fields": [
                    "impact",
                    "bridge_criteria",
                    "motions_from_sources",
                    *MOTION_FIELDS,
                ]
            },
        ),
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

    def get_changelist(self, request, **kwargs):
        return IndexedOrderChangeList

    def get_search_results(self, request, queryset, search_term):
        return search.search_ideas(queryset, limit_search_term(search_term)), False

    @admin.display(description="score", ordering="score")
    def score_column(self, idea):
        return f"{idea.score:.1f}"

    @admin.display(description="most recent")
    def recent_signals(self, idea):
        if idea.pk is None:
            return "—"
        total = idea.signal_count  # stored on the idea (intake.demand), not counted here
        rows = idea.signals.select_related("organization").order_by("-created_at", "-pk")
        return render_to_string(
            "admin/intake/recent_signals.html",
            {
                "rows": rows[:RECENT_SIGNALS],
                "total": total,
                "all_url": signals_of_idea_url(idea.pk),
            },
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "bridge_criteria":
            kwargs["widget"] = CheckboxSelectMultiple
            kwargs["queryset"] = db_field.related_model.objects.filter(active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # A PM who ticks motions by hand keeps them: rescoring stops setting them from signals.
        changed = set(form.changed_data)
        if changed & set(MOTION_FIELDS) and "motions_from_sources" not in changed:
            obj.motions_from_sources = False
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Text, pillar, impact, criteria or motions may have changed; indexing and rescoring
        # one idea is cheap, so every save records it.
        services.idea_edited(idea=form.instance)

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
                # Selected, but merged since (most often by another PM a moment ago): the
                # list's default filter leaves it out of `queryset`, so say so.
                selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
                already = Idea.objects.filter(pk__in=selected, status=Idea.Status.MERGED)
                for idea in already.select_related("merged_into"):
                    self.message_user(
                        request,
                        f"“{idea}” is already merged into “{idea.merged_into}”; left as it is.",
                        messages.WARNING,
                    )
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
        return action_confirmation(
            self,
            request,
            queryset,
            form=form,
            title="Merge ideas",
            action="merge_selected",
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
        return action_confirmation(
            self,
            request,
            queryset,
            form=form,
            title="Decline ideas",
            action="decline_selected",
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


class IdeaOfSignalFilter(admin.SimpleListFilter):
    """`?idea=<id>`: the signals of one idea (the link on its page). Offers no choices of its
    own (there may be 100,000 ideas); it shows which idea the list is cut to."""

    title = "idea"
    parameter_name = "idea"

    def lookups(self, request, model_admin):
        value = self.value()
        if not (value and value.isdigit()):
            return []
        idea = Idea.objects.filter(pk=value).only("title").first()
        return [(value, idea.title if idea else f"#{value}")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters("The idea is given by its number.")
        return queryset.filter(idea_id=int(value))


class SignalActionsMixin:
    """Triage of signals in bulk: each action is one set-based statement over the selection
    (including "select all" of a filtered list), recorded on each idea it changed, whose
    rescoring then runs once per idea."""

    actions = ["attach_to_idea", "make_idea"]

    def _log_on_ideas(self, request, idea_ids, message: str) -> None:
        ideas = Idea.objects.filter(pk__in=idea_ids)
        LogEntry.objects.log_actions(request.user.pk, ideas, CHANGE, message)

    @admin.action(description="Attach to an idea…")
    def attach_to_idea(self, request, queryset):
        if "apply" in request.POST:
            form = AttachForm(request.POST)
            if form.is_valid():
                idea = form.cleaned_data["idea"]
                try:
                    change = services.move_signals(
                        signals=queryset,
                        idea=idea,
                        importance=form.cleaned_data["importance"],
                        triage=True,
                    )
                except ValidationError as error:
                    self.message_user(request, _error_text(error), messages.ERROR)
                    return None
                message = f"Attached {change.count} signal(s)."
                self._log_on_ideas(request, [idea.pk], message)
                others = set(change.idea_ids) - {idea.pk}
                self._log_on_ideas(request, others, f"Signals moved to idea #{idea.pk}.")
                self.message_user(request, message)
                return None
        else:
            form = AttachForm()
        return action_confirmation(
            self,
            request,
            queryset,
            form=form,
            title="Attach signals to an idea",
            action="attach_to_idea",
        )

    @admin.action(description="Make a new idea from these")
    def make_idea(self, request, queryset):
        try:
            idea = services.create_idea_from_signals(
                signal_ids=queryset.values_list("pk", flat=True), triage=True
            )
        except ValidationError as error:
            self.message_user(request, _error_text(error), messages.ERROR)
            return
        self.message_user(
            request,
            format_html('Created idea <a href="../idea/{}/change/">“{}”</a>.', idea.pk, idea.title),
        )

    @admin.action(description="Set importance…")
    def set_importance(self, request, queryset):
        form = ImportanceForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            importance = form.cleaned_data["importance"]
            change = services.set_signals_importance(signals=queryset, importance=importance)
            message = f"Set importance {importance} on {change.count} signal(s)."
            self._log_on_ideas(request, change.idea_ids, message)
            self.message_user(request, message)
            return None
        return action_confirmation(
            self, request, queryset, form=form, title="Set the importance of signals",
            action="set_importance",
        )  # fmt: skip

    @admin.action(description="Detach from their idea (back to the inbox)")
    def detach_from_idea(self, request, queryset):
        if "apply" in request.POST:
            change = services.detach_signals(signals=queryset)
            message = f"Detached {change.count} signal(s); they are back in the inbox."
            self._log_on_ideas(request, change.idea_ids, message)
            self.message_user(request, message)
            return None
        return action_confirmation(
            self, request, queryset, form=Form(),
            title="Detach signals from their idea", action="detach_from_idea",
        )  # fmt: skip


def customer_label(organization) -> str:
    if organization is None:
        return "—"
    return f"{organization.name} ({organization.get_plan_display()}, ARR {organization.arr:,.0f})"


@admin.register(Signal)
class SignalAdmin(HardenedAdminMixin, CappedCountAdminMixin, SignalActionsMixin, admin.ModelAdmin):
    list_display = [
        "title", "source", "author", "customer", "idea", "votes", "importance", "created_at",
    ]  # fmt: skip
    list_filter = [
        IdeaOfSignalFilter, "source", ("created_at", admin.DateFieldListFilter), "deal_stage",
        "urgency",
    ]  # fmt: skip
    actions = ["attach_to_idea", "set_importance", "detach_from_idea", "make_idea"]
    # Full-text search over title, body and author, and the others as they are (intake/search.py).
    search_fields = ["title", "body", "author", "author_email", "external_id", "url"]
    # A million signals are read newest first (indexed); sorting them by title or author
    # would sort the whole table for each page. The inbox, a few thousand, sorts by any.
    sortable_by = ["created_at"]
    search_help_text = (
        "Words of the title, body or author, in any form; or a whole URL, e-mail address or "
        "external id."
    )
    list_select_related = ["organization", "idea"]
    # No date_hierarchy: its year and month links are a DISTINCT over the dates of every signal;
    # the created_at filter above cuts by date at no such cost.
    readonly_fields = SIGNAL_CONTENT_FIELDS
    fields = ["idea", "importance", *SIGNAL_CONTENT_FIELDS]
    raw_id_fields = ["idea"]

    @admin.display(description="organization", ordering="organization__name")
    def customer(self, signal):
        """Who asked, with what they are worth: a customer's plan and ARR beside its name."""
        return customer_label(signal.organization)

    def has_add_permission(self, request):
        # Signals come from sources; triage never invents one.
        return False

    def get_search_results(self, request, queryset, search_term):
        return search.search_signals(queryset, limit_search_term(search_term)), False

    def save_model(self, request, obj, form, change):
        previous = Signal.objects.filter(pk=obj.pk).values_list("idea_id", flat=True).first()
        super().save_model(request, obj, form, change)
        # Moving a signal or weighing it differently changes both ideas' demand.
        services.signal_edited(signal=obj, previous_idea_id=previous)


@admin.register(InboxSignal)
class InboxAdmin(SignalAdmin):
    list_display = [
        "title", "source", "author", "customer", "urgency", "votes", "closest", "created_at",
    ]  # fmt: skip
    list_select_related = ["organization", "closest_idea"]
    sortable_by = None
    actions = [*SignalActionsMixin.actions, "set_importance", "find_likely_duplicates"]

    def get_queryset(self, request):
        return selectors.inbox_signals().select_related("closest_idea")

    @admin.display(description="closest idea")
    def closest(self, signal):
        if signal.closest_idea is None:
            return "—"
        likely = format_html("<strong>{}</strong> ", "likely duplicate:")
        # `formaction` submits the changelist's own form (and CSRF token) to the attach view:
        # one click, no nested form.
        return format_html(
            '{}“{}” ({}) <button type="submit" class="button" formaction="{}">Attach</button>',
            likely if signal.likely_idea_id == signal.closest_idea_id else "",
            signal.closest_idea.title,
            f"{signal.closest_similarity or 0:.0%}",
            reverse("admin:intake_inboxsignal_attach_likely", args=[signal.pk]),
        )

    @admin.action(description="Look for likely duplicates")
    def find_likely_duplicates(self, request, queryset):
        found = duplicates.suggest_ideas_for_signals(queryset)
        self.message_user(request, f"Found a likely duplicate for {found} signal(s).")
        if not duplicates.flags_likely_duplicates():
            self.message_user(
                request,
                "The duplicate engine in use calls no signal a likely duplicate on its own "
                "scale: on real requests none of its similarities was right 95% of the time. "
                "Each signal shows its closest idea; set DUPLICATE_LIKELY_SIMILARITY to flag "
                "likely duplicates from a similarity you choose.",
                messages.WARNING,
            )

    def get_urls(self):
        attach = self.admin_site.admin_view(require_POST(self.attach_likely_view))
        return [
            path("<int:pk>/attach-likely/", attach, name="intake_inboxsignal_attach_likely"),
            *super().get_urls(),
        ]

    def attach_likely_view(self, request, pk: int):
        signal = get_object_or_404(selectors.inbox_signals(), pk=pk)
        if not self.has_change_permission(request, signal):
            raise PermissionDenied
        idea = signal.closest_idea
        if idea is None:
            self.message_user(request, "That signal has no closest idea.", messages.ERROR)
        else:
            try:
                services.attach_signals(signal_ids=[signal.pk], idea=idea, triage=True)
            except ValidationError as error:
                self.message_user(request, _error_text(error), messages.ERROR)
            else:
                self.message_user(request, f"Attached “{signal}” to “{idea}”.")
        return redirect("admin:intake_inboxsignal_changelist")


@admin.register(MergeRecord)
class MergeRecordAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = ["merged", "survivor", "merged_by", "merged_at", "undone_at"]
    list_select_related = ["merged", "survivor", "merged_by"]
    readonly_fields = [f.name for f in MergeRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OutboxStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("pending", "Pending"), ("failed", "Failed"), ("done", "Done")]

    def queryset(self, request, queryset):
        match self.value():
            case "pending":
                return queryset.filter(done_at__isnull=True, failed_at__isnull=True)
            case "failed":
                return queryset.filter(done_at__isnull=True, failed_at__isnull=False)
            case "done":
                return queryset.filter(done_at__isnull=False)
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(HardenedAdminMixin, admin.ModelAdmin):
    """Work still to do after each change: what is pending, what failed and why."""

    list_display = ["name", "handler", "state", "attempts", "created_at", "available_at"]
    list_filter = [OutboxStateFilter, "name"]
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]
    date_hierarchy = "created_at"
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="state")
    def state(self, row):
        return row.state

    @admin.action(description="Retry now", permissions=["view"])
    def retry_now(self, request, queryset):
        count = events.retry(queryset.values_list("pk", flat=True))
        self.message_user(request, f"Handed {count} pending or failed row(s) to the workers.")
