"""Flags (kill switch, undo, history), the stage policy, SDK keys, client adoption and
early-access requests in the admin."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from intake.admin import action_confirmation
from intake.admin_hardening import HardenedAdminMixin
from intake.forms import TextForm
from intake.models import Organization

from . import services
from .models import ClientVersionCount, EarlyAccessRequest, Flag, SdkKey, StagePolicy

MAX_CSV_BYTES = 2_000_000


class FlagForm(forms.ModelForm):
    plans = forms.MultipleChoiceField(
        choices=Organization.Plan.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only these plans; none ticked: every plan.",
    )

    class Meta:
        model = Flag
        fields = [
            "key", "description", "item", "owner_team", "pm", "variants", "off_variant",
            "state", "percentage", "pinned", "plans", "allow", "deny", "opted_in",
            "wait_for_adoption",
        ]  # fmt: skip


class KillForm(TextForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, help_text="Required; kept."
    )


@admin.register(Flag)
class FlagAdmin(HardenedAdminMixin, SimpleHistoryAdmin):
    form = FlagForm
    list_display = ["key", "item", "state", "percentage", "pinned", "killed_at", "owner_team"]
    list_filter = ["state", "pinned", ("killed_at", admin.EmptyFieldListFilter), "owner_team"]
    search_fields = ["key", "description", "item__title"]
    autocomplete_fields = ["item", "owner_team", "allow", "deny", "opted_in"]
    readonly_fields = ["killed_at", "killed_by", "kill_reason", "state_changed_at"]
    actions = ["kill", "undo_kill"]
    fieldsets = [
        (None, {"fields": ["key", "description", "item", "owner_team", "pm"]}),
        ("Variants", {"fields": ["variants", "off_variant"]}),
        ("Rollout", {"fields": ["state", "percentage", "pinned", "state_changed_at"]}),
        ("Targeting", {"fields": ["plans", "allow", "deny", "opted_in", "wait_for_adoption"]}),
        ("Kill switch", {"fields": ["killed_at", "killed_by", "kill_reason"]}),
    ]

    def save_model(self, request, obj, form, change):
        # The form ran Flag.clean(); the admin saves the lists right after, in the same
        # transaction as this revision bump.
        services.save_flag(flag=obj, user=request.user, reason="Edited in the admin")

    @admin.action(description="Kill: turn off for everyone now (asks for a reason)")
    def kill(self, request, queryset):
        form = KillForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            for flag in queryset:
                services.kill_flag(flag=flag, reason=form.cleaned_data["reason"], user=request.user)
            self.message_user(request, f"Killed {queryset.count()} flag(s); owners are told.")
            return None
        return action_confirmation(
            self,
            request,
            queryset,
            form=form,
            title="Kill flags: off for everyone within a second; owners are told",
            action="kill",
        )

    @admin.action(description="Undo kill: answer from the rollout state again")
    def undo_kill(self, request, queryset):
        undone = 0
        for flag in queryset:
            try:
                services.unkill_flag(flag=flag, user=request.user)
                undone += 1
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
        if undone:
            self.message_user(request, f"Kill undone on {undone} flag(s).")


@admin.register(StagePolicy)
class StagePolicyAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = ["stage", "state", "percentage"]
    list_editable = ["state", "percentage"]


@admin.register(SdkKey)
class SdkKeyAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["name", "hint", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # `python manage.py create_sdk_key NAME` prints the secret once

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        self.message_user(request, f"Revoked {services.revoke_sdk_keys(queryset)} key(s).")


class ClientVersionsUploadForm(forms.Form):
    file = forms.FileField(help_text="CSV with `version` and `devices` columns.")


@admin.register(ClientVersionCount)
class ClientVersionCountAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = ["version", "devices", "reported_at"]
    change_list_template = "admin/rollout/clientversioncount/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload)
        return [
            path("upload/", upload, name="rollout_clientversioncount_upload")
        ] + super().get_urls()

    def upload(self, request):
        """Replace the adoption snapshot with an uploaded CSV (all rows or none)."""
        if not self.has_view_permission(request) or not request.user.has_perm(
            "rollout.add_clientversioncount"
        ):
            return redirect("admin:index")
        form = ClientVersionsUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_CSV_BYTES:
                    raise ValidationError("The file is larger than 2 MB.")
                rows = services.client_versions_from_csv(upload.read())
                count = services.replace_client_versions(rows=rows)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                self.message_user(request, f"Client adoption replaced: {count} versions.")
                return redirect(reverse("admin:rollout_clientversioncount_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Upload client adoption",
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/rollout/clientversioncount/upload.html", context)


@admin.register(EarlyAccessRequest)
class EarlyAccessRequestAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "flag", "status", "requested_at", "decided_by"]
    list_filter = ["status"]
    readonly_fields = [
        "flag", "organization", "requested_by", "requested_at", "status", "decided_by", "decided_at"
    ]  # fmt: skip
    actions = ["approve", "decline"]

    def has_add_permission(self, request) -> bool:
        return False

    def _decide(self, request, queryset, approve: bool) -> None:
        for early in queryset:
            services.decide_early_access(request=early, approve=approve, user=request.user)
        self.message_user(request, f"{'Approved' if approve else 'Declined'}: {queryset.count()}.")

    @admin.action(description="Approve: add the organization to the opt-in list")
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description="Decline")
    def decline(self, request, queryset):
        self._decide(request, queryset, False)
