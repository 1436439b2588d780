"""Roadmap items, customer accounts, share links, notifications and webhooks in the admin."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from intake.admin_hardening import HardenedAdminMixin
from intake.models import Idea
from intake.roles import PM, STAFF_GROUPS

from . import services, webhooks
from .models import (
    CustomerAccount,
    Notification,
    RoadmapItem,
    ShareLink,
    SourceComment,
    Webhook,
    WebhookDelivery,
)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@admin.action(description="Promote to a new roadmap item")
def promote_to_roadmap_item(modeladmin, request, queryset):
    """Idea admin action: one new internal roadmap item per selected idea, each idea planned."""
    created = []
    for idea in queryset:
        try:
            created.append(services.promote_idea(idea=idea, user=request.user))
        except ValidationError as error:
            modeladmin.message_user(request, _error_text(error), messages.ERROR)
    if len(created) == 1:
        modeladmin.message_user(
            request,
            "Promoted to a new roadmap item; it is internal until you write its customer "
            "and public text.",
        )
        return redirect(reverse("admin:roadmap_roadmapitem_change", args=[created[0].pk]))
    if created:
        modeladmin.message_user(request, f"Promoted {len(created)} ideas to new roadmap items.")
    return None


def _stage_action(stage: str, label: str):
    def action(modeladmin, request, queryset):
        moved = 0
        for item in queryset:
            try:
                services.set_item_stage(item=item, stage=stage)
                moved += 1
            except ValidationError as error:
                modeladmin.message_user(request, f"“{item}”: {_error_text(error)}", messages.ERROR)
        modeladmin.message_user(request, f"{moved} item(s) now {label}.")

    action.__name__ = f"stage_{stage}"
    return admin.action(description=f"Set stage: {label}")(action)


@admin.register(RoadmapItem)
class RoadmapItemAdmin(HardenedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "title", "visibility", "horizon", "stage", "priority", "team", "pm", "quarter",
        "committed",
    ]  # fmt: skip
    list_filter = ["visibility", "horizon", "stage", "priority", "committed", "team", "pm"]
    search_fields = ["title", "customer_title", "public_title", "key"]
    list_select_related = ["team", "pm"]
    autocomplete_fields = ["team", "ideas", "dependent_teams"]
    readonly_fields = ["shipped_at", "created_at", "updated_at", "followers"]
    fieldsets = [
        (
            "Internal (employees only)",
            {
                "fields": [
                    "title",
                    "internal_notes",
                    "team",
                    "pm",
                    "priority",
                    "quarter",
                    "committed",
                ]
            },
        ),
        (
            "Who sees it",
            {
                "fields": ["visibility"],
                "description": "Public items are shown to customers too. An item shown outside "
                "needs text written for that audience; the internal title is never shown there.",
            },
        ),
        ("Customer text", {"fields": ["customer_title", "customer_description"]}),
        ("Public text", {"fields": ["public_title", "public_description", "changelog"]}),
        (
            "Delivery",
            {
                "fields": [
                    "horizon",
                    "stage",
                    "surface",
                    "min_client_version",
                    "ideas",
                    "shipped_at",
                ]  # fmt: skip
            },
        ),
        (
            "Planning",
            {
                "fields": ["key", "problem_doc", "one_pager", "project_doc", "dependent_teams"],
                "classes": ["collapse"],
            },
        ),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
        ("Followers by e-mail", {"fields": ["followers"], "classes": ["collapse"]}),
    ]
    actions = [_stage_action(value, label) for value, label in RoadmapItem.Stage.choices]

    @admin.display(description="Followers")
    def followers(self, obj) -> str:
        # Counts only: the addresses are kept for the follow e-mails alone, not for staff.
        if obj.pk is None:
            return "–"
        counts = obj.followers.aggregate(
            confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
            waiting=Count("pk", filter=Q(confirmed_at__isnull=True)),
        )
        return f"{counts['confirmed']} confirmed, {counts['waiting']} awaiting confirmation"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "pm":
            kwargs["queryset"] = (
                get_user_model().objects.filter(groups__name=PM).distinct().order_by("username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # Kept for save_related, which runs once the ideas are saved too.
        obj._previous_stage = form.initial.get("stage") if change else None
        obj._previous_horizon = form.initial.get("horizon") if change else None
        obj._previous_client_version = form.initial.get("min_client_version") if change else None
        services.stamp_item(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        item = form.instance
        services.item_changed(
            item=item,
            previous_stage=getattr(item, "_previous_stage", None),
            previous_horizon=getattr(item, "_previous_horizon", None),
            previous_client_version=getattr(item, "_previous_client_version", None),
        )

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.invalidate_public_roadmap()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        services.invalidate_public_roadmap()


class CustomerAccountForm(forms.ModelForm):
    class Meta:
        model = CustomerAccount
        fields = ["user", "organization"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A customer login is nobody's employee account: employees see everything already.
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(is_superuser=False, is_staff=False)
            .exclude(groups__name__in=STAFF_GROUPS)
            .order_by("username")
        )


@admin.register(CustomerAccount)
class CustomerAccountAdmin(HardenedAdminMixin, admin.ModelAdmin):
    form = CustomerAccountForm
    list_display = ["user", "organization", "created_at"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["organization"]


@admin.register(ShareLink)
class ShareLinkAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "created_by", "created_at", "expires_at", "state"]
    list_select_related = ["organization", "created_by"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["organization__name", "created_by__username"]
    readonly_fields = [
        "organization", "created_by", "created_at", "expires_at", "revoked_at", "last_used_at",
    ]  # fmt: skip
    exclude = ["token"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # Sales reps create links at /roadmap/share/.

    @admin.display(description="state")
    def state(self, link):
        if link.revoked_at:
            return "revoked"
        return "active" if link.is_active() else "expired"

    @admin.action(description="Revoke selected links")
    def revoke(self, request, queryset):
        for link in queryset:
            services.revoke_share_link(link=link)
        self.message_user(request, "Revoked; the links stopped working at once.")


@admin.register(Notification)
class NotificationAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = ["recipient", "audience", "idea", "status", "sent_at", "has_error"]
    list_filter = ["status", "audience", ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["idea"]
    search_fields = ["recipient", "idea__title", "subject"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description="error")
    def has_error(self, note):
        return bool(note.error)


class WebhookForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=Webhook.Event.choices, widget=forms.CheckboxSelectMultiple
    )
    secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="At least 16 characters. Stored, never shown again; leave empty to keep the "
        "current one.",
    )

    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Where to POST each event (http or https).",
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "events", "payload_format", "audience", "secret", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            refused = webhooks.non_public_address(url)
        except OSError:
            refused = None  # not resolvable now: checked again before every delivery
        if refused is not None:
            raise forms.ValidationError(
                "This host is not a public internet address (loopback, private, link-local or "
                "reserved). Webhooks go to public addresses only, unless "
                "WEBHOOK_ALLOW_PRIVATE_ADDRESSES is set."
            )
        return url

    def clean_secret(self):
        secret = self.cleaned_data.get("secret", "")
        if not secret:
            if self.instance.pk and self.instance.secret:
                return self.instance.secret
            raise forms.ValidationError("Set a secret; receivers check the signature with it.")
        if len(secret) < 16:
            raise forms.ValidationError("Use at least 16 characters.")
        return secret


@admin.register(Webhook)
class WebhookAdmin(HardenedAdminMixin, admin.ModelAdmin):
    form = WebhookForm
    list_display = [
        "name",
        "url",
        "event_list",
        "payload_format",
        "audience",
        "active",
        "secret_shown",
    ]
    list_filter = ["active", "payload_format", "audience"]
    search_fields = ["name", "url"]

    @admin.display(description="events")
    def event_list(self, webhook):
        return ", ".join(webhook.events or [])

    @admin.display(description="secret")
    def secret_shown(self, webhook):
        return webhook.secret_hint


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = [
        "event", "webhook", "status", "attempts", "response_code", "created_at", "delivered_at",
    ]  # fmt: skip
    list_filter = ["status", "event", "webhook"]
    list_select_related = ["webhook"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send again")
    def send_again(self, request, queryset):
        ids = list(
            queryset.exclude(status=WebhookDelivery.Status.DELIVERED).values_list("pk", flat=True)
        )
        with transaction.atomic():
            WebhookDelivery.objects.filter(pk__in=ids).update(status=WebhookDelivery.Status.PENDING)
            webhooks.send_deliveries(ids)
        self.message_user(request, format_html("Queued {} deliveries.", len(ids)))


@admin.register(SourceComment)
class SourceCommentAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = ["signal", "status", "posted_at", "comment_url", "error", "refused_at"]
    list_filter = ["status", ("posted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["signal"]
    readonly_fields = [f.name for f in SourceComment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The idea admin is intake's; promoting an idea to a roadmap item is the roadmap's, so the
# roadmap extends the registered idea admin (intake never imports the roadmap).
_IdeaAdmin = type(admin.site.get_model_admin(Idea))


class IdeaAdmin(_IdeaAdmin):
    actions = [*_IdeaAdmin.actions, promote_to_roadmap_item]


admin.site.unregister(Idea)
admin.site.register(Idea, IdeaAdmin)
