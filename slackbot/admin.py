from django.contrib import admin

from intake.admin_hardening import HardenedAdminMixin

from .models import SlackNotification


@admin.register(SlackNotification)
class SlackNotificationAdmin(HardenedAdminMixin, admin.ModelAdmin):
    """The log of Slack messages closing the loop; written only by the Slack app."""

    list_display = ["idea", "status", "slack_user_id", "sent_at", "error"]
    list_filter = ["status"]
    search_fields = ["slack_user_id", "idea__title"]
    list_select_related = ["idea"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
