from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from intake.admin_hardening import harden_admin_site
from rollout.api import ClientVersions

admin.site.site_header = "Idea Intake"
admin.site.site_title = "Idea Intake"
admin.site.index_title = "Triage"
# Every app's admin module has run (autodiscovery, at start-up): harden the libraries' pages too.
harden_admin_site(admin.site)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("oidc/", include("accounts.oidc_urls")),
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
