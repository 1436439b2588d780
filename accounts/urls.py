from django.urls import path

from . import views

urlpatterns = [
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/<str:digest>/revoke/", views.revoke_api_token, name="revoke-api-token"),
]
