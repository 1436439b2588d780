from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

from intake.admin_hardening import HardenedAdminMixin

from . import services
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(HardenedAdminMixin, admin.ModelAdmin):
    """Tokens are listed and revoked here; they are made on the API tokens page or with
    `create_api_token`, the only places that can show a new token once."""

    list_display = ["name", "user", "token_key", "created", "expiry", "last_used_at"]
    list_filter = ["expiry"]
    search_fields = ["name", "token_key", "user__username"]
    fields = ["name", "user", "token_key", "created", "expiry", "last_used_at"]
    readonly_fields = ["user", "token_key", "created", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_superuser

    @admin.action(description="Revoke the selected tokens", permissions=["delete"])
    def revoke(self, request, queryset):
        count = 0
        for token in queryset:
            services.revoke_api_token(token=token)
            count += 1
        self.message_user(request, f"Revoked {count} token(s).")


# DRF's clear-text tokens were migrated to hashed ones (migration 0002); none are made any more.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
