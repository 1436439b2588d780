from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from rollout.api import ClientVersions

admin.site.site_header = "Idea Intake"
admin.site.site_title = "Idea Intake"
admin.site.index_title = "Triage"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("roadmap/", include("roadmap.urls")),
    path("api/client-versions/", ClientVersions.as_view(), name="client-versions"),
    path("api/", include("roadmap.api")),
    path("planning/", include("planning.urls")),
    path("", include("rollout.urls")),
    path("slack/", include("slackbot.urls")),
    path("", include("intake.urls")),
]

# A database outage outside a view (a middleware saving the session) answers 503 too.
handler500 = "config.database_unavailable.server_error"
