"""Delivery in the admin: which repositories and Jira projects to read, links by URL or key,
per-item auto-ship, and sync health (each tracker's last run, each failing link)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from intake.admin_hardening import HardenedAdminMixin

from . import services
from .models import DeliveryTracker, ItemDelivery, WorkLink
from .trackers import registry


class DeliveryTrackerForm(forms.ModelForm):
    class Meta:
        model = DeliveryTracker
        fields = ["kind", "scope", "enabled"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") and "scope" not in self.errors:
            try:
                cleaned["scope"] = registry.tracker_class(cleaned["kind"]).validate_scope(
                    cleaned.get("scope")
                )
            except ValidationError as error:
                self.add_error("scope", error.messages)
        return cleaned


@admin.register(DeliveryTracker)
class DeliveryTrackerAdmin(HardenedAdminMixin, admin.ModelAdmin):
    form = DeliveryTrackerForm
    list_display = ["kind", "enabled", "scope", "last_status", "last_sync_at", "last_error"]
    readonly_fields = ["last_status", "last_sync_at", "last_error"]

    def save_model(self, request, obj, form, change):
        services.save_tracker(tracker=obj)


class WorkLinkForm(forms.ModelForm):
    ref = forms.CharField(
        label="URL or key",
        max_length=500,
        help_text="A GitHub issue, pull request or milestone URL (or owner/name#12), "
        "or a Jira issue URL or key (NET-12).",
    )

    class Meta:
        model = WorkLink
        fields = ["item"]

    def clean(self):
        cleaned = super().clean()
        ref, item = cleaned.get("ref"), cleaned.get("item")
        if ref and item:
            parsed = registry.parse_ref(ref)
            if parsed is None:
                self.add_error("ref", "Not a GitHub or Jira URL or key.")
            elif WorkLink.objects.filter(item=item, tracker=parsed[0], key=parsed[1].key).exists():
                self.add_error("ref", f"{parsed[1].key} is already linked to this item.")
        return cleaned


@admin.register(WorkLink)
class WorkLinkAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = [
        "key",
        "item",
        "tracker",
        "kind",
        "state",
        "done",
        "linked_by",
        "last_error",
        "checked_at",
    ]
    list_filter = ["tracker", "kind", "done", "linked_by"]
    search_fields = ["key", "item__title"]
    list_select_related = ["item"]
    autocomplete_fields = ["item"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = WorkLinkForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "item",
            "tracker",
            "key",
            "kind",
            "url",
            "state",
            "done",
            "merge_commit",
            "merged_at",
            "linked_by",
            "last_error",
            "checked_at",
        ]

    def get_fields(self, request, obj=None):
        return ["item", "ref"] if obj is None else self.get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            saved = services.add_link(item=form.cleaned_data["item"], ref=form.cleaned_data["ref"])
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.remove_link(link=obj)

    def delete_queryset(self, request, queryset):
        for link in queryset:
            services.remove_link(link=link)


@admin.register(ItemDelivery)
class ItemDeliveryAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = [
        "item",
        "done_count",
        "total_count",
        "auto_ship",
        "release_tag",
        "ready_notified_at",
    ]
    list_select_related = ["item"]
    autocomplete_fields = ["item"]
    fields = [
        "item",
        "auto_ship",
        "done_count",
        "total_count",
        "release_tag",
        "release_url",
        "ready_notified_at",
    ]
    readonly_fields = [
        "done_count",
        "total_count",
        "release_tag",
        "release_url",
        "ready_notified_at",
    ]
