"""Connectors in the admin: configure sources, see every sync run, and "sync now"."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.html import format_html

from intake.admin_hardening import HardenedAdminMixin

from . import reddit, registry, selectors, services, tasks
from .models import Connector, SyncCursor, SyncRun

REPLIES_OFF = (
    "Replies are off: no Reddit account is configured (REDDIT_USERNAME and REDDIT_PASSWORD, "
    "or REDDIT_REFRESH_TOKEN, with REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET)."
)


class ConnectorForm(forms.ModelForm):
    class Meta:
        model = Connector
        fields = [
            "name", "kind", "enabled", "public", "reply_in_threads", "interval_minutes", "options",
        ]  # fmt: skip
        widgets = {"options": forms.Textarea(attrs={"rows": 6, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if reddit.account() is None:
            field = self.fields["reply_in_threads"]
            field.help_text = format_html(
                "{} <strong>{}</strong>", field.help_text, REPLIES_OFF
            )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        kind, options = cleaned.get("kind"), cleaned.get("options")
        if cleaned.get("reply_in_threads") and kind != Connector.Kind.REDDIT:
            self.add_error("reply_in_threads", "Only Reddit connectors reply in threads.")
        if kind and "options" not in self.errors:
            try:
                cleaned["options"] = registry.validate_options(kind, options)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class SyncCursorInline(admin.TabularInline):
    model = SyncCursor
    fields = ["target", "state", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Connector)
class ConnectorAdmin(HardenedAdminMixin, admin.ModelAdmin):
    form = ConnectorForm
    list_display = [
        "name", "kind", "enabled", "public", "reply_in_threads", "interval_minutes", "last_run",
        "rate_limited_until",
    ]  # fmt: skip
    list_filter = ["kind", "enabled"]
    search_fields = ["name"]
    readonly_fields = ["rate_limited_until", "created_at", "updated_at"]
    inlines = [SyncCursorInline]
    actions = ["sync_now"]

    def get_queryset(self, request):
        return selectors.connectors_with_last_run()

    @admin.display(description="last run", ordering="last_run_at")
    def last_run(self, obj):
        if obj.last_run_at is None:
            return "never"
        outcome = dict(SyncRun.Outcome.choices).get(obj.last_run_outcome, obj.last_run_outcome)
        return format_html(
            "{} · {} · {} new", obj.last_run_at.strftime("%Y-%m-%d %H:%M"), outcome,
            obj.last_run_created,
        )  # fmt: skip

    def save_model(self, request, obj, form, change):
        services.save_connector(connector=obj)

    def delete_model(self, request, obj):
        services.delete_connector(connector=obj)

    def delete_queryset(self, request, queryset):
        for connector in queryset:
            services.delete_connector(connector=connector)

    @admin.action(description="Sync now")
    def sync_now(self, request, queryset: QuerySet[Connector]):
        """Say what actually happened: ran (with counts), skipped and why, or queued."""
        eager = tasks.sync_connector.app.conf.task_always_eager
        for connector in queryset:
            run = services.skip_if_blocked(connector_id=connector.pk)
            if run is None:
                tasks.sync_connector.delay(connector.pk)
                run = selectors.latest_run(connector_id=connector.pk) if eager else None
            if run is None:
                text, level = "queued; a worker runs it now (see Sync runs)", messages.SUCCESS
            else:
                done = run.outcome in (SyncRun.Outcome.SUCCESS, SyncRun.Outcome.RATE_LIMITED)
                text, level = run.summary, messages.SUCCESS if done else messages.WARNING
            self.message_user(request, f"{connector.name}: {text}", level)


@admin.register(SyncRun)
class SyncRunAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = [
        "connector", "started_at", "finished_at", "outcome", "fetched", "created", "updated",
        "requests", "reason",
    ]  # fmt: skip
    list_filter = ["outcome", "connector"]
    list_select_related = ["connector"]
    date_hierarchy = "started_at"
    fields = [
        "connector", "started_at", "finished_at", "outcome", "fetched", "created", "updated",
        "requests", "retry_after", "reason", "error", "item_errors", "notes",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Deleting stays with Django's permissions: runs go with their connector, and an operator
    # may prune old history. Nobody edits what a run recorded.
