from django.contrib import admin

from intake.admin_hardening import HardenedAdminMixin

from .models import AccountOwnerNotice, CrmConnection


@admin.register(CrmConnection)
class CrmConnectionAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = ["provider", "enabled", "last_run_at", "last_success_at", "last_error"]
    readonly_fields = ["last_run_at", "last_success_at", "last_error", "last_summary"]
    fieldsets = [
        (None, {"fields": ["provider", "enabled"]}),
        (
            "Which CRM property holds each value",
            {
                "fields": ["arr_property", "plan_property", "renewal_property"],
                "description": "Credentials come from the environment (HUBSPOT_ACCESS_TOKEN), "
                "never from here.",
            },
        ),
        ("Sync health", {"fields": readonly_fields}),
    ]


@admin.register(AccountOwnerNotice)
class AccountOwnerNoticeAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = ["item", "owner_email", "customers", "channel", "sent_at", "error"]
    list_select_related = ["item"]
    readonly_fields = ["item", "owner_email", "customers", "channel", "sent_at", "error"]

    def has_add_permission(self, request):
        return False
