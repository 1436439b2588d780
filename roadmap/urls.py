from django.urls import path

from . import feeds, views

app_name = "roadmap"

urlpatterns = [
    path("", views.public, name="public"),
    path("feed/", feeds.feed, name="feed"),
    path("internal/", views.internal, name="internal"),
    path("customer/", views.customer, name="customer"),
    path("customer/matters/", views.customer_interest, name="customer-interest"),
    path("customer/ask/", views.customer_request, name="customer-request"),
    path("customer/similar/", views.customer_similar, name="customer-similar"),
    path("c/<str:token>/", views.shared, name="shared"),
    path("share/", views.share_links, name="share-links"),
    path("share/<int:pk>/revoke/", views.revoke_share_link, name="revoke-share-link"),
    path("follow/", views.follow, name="follow"),
    path("follow/confirm/<str:token>/", views.follow_confirm, name="follow-confirm"),
    path("follow/unsubscribe/<str:token>/", views.follow_unsubscribe, name="follow-unsubscribe"),
]
