from django.urls import path

from . import ofrep, views

app_name = "rollout"

urlpatterns = [
    path("ofrep/v1/evaluate/flags", ofrep.evaluate_flags, name="ofrep-bulk"),
    path("ofrep/v1/evaluate/flags/<str:key>", ofrep.evaluate_flag, name="ofrep-flag"),
    path("ofrep/flagd.json", ofrep.flagd_json, name="flagd-json"),
    path("rollout/flags/<str:key>/", views.flag_history, name="flag-history"),
    path("rollout/early-access/<int:item_id>/", views.request_early_access, name="early-access"),
]
