"""mozilla-django-oidc's URLs (its views are chosen by OIDC_AUTHENTICATE_CLASS and
OIDC_CALLBACK_CLASS: ours, which read the provider's discovery document)."""

from mozilla_django_oidc.urls import urlpatterns  # noqa: F401
