from django.contrib import admin
from django.urls import include, path

from rollout.api import ClientVersions

admin.site.site_header = "Idea Intake"
admin.site.site_title = "Idea Intake"
admin.site.index_title = "Triage"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("roadmap/", include("roadmap.urls")),
    path("api/client-versions/", ClientVersions.as_view(), name="client-versions"),
    path("api/", include("roadmap.api")),
    path("planning/", include("planning.urls")),
    path("", include("rollout.urls")),
    path("", include("intake.urls")),
]
