from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Idea Intake"
admin.site.site_title = "Idea Intake"
admin.site.index_title = "Triage"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("roadmap/", include("roadmap.urls")),
    path("api/", include("roadmap.api")),
    path("planning/", include("planning.urls")),
    path("slack/", include("slackbot.urls")),
    path("", include("intake.urls")),
]
