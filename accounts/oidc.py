"""Single sign-on with the company's OpenID Connect provider (mozilla-django-oidc).

Endpoints come from the provider's discovery document (`OIDC_ISSUER`), fetched when a sign-in
needs them and kept for an hour, never at start-up: a provider that is down stops new sign-ins,
nothing else. New users land in Employee; the groups claim maps provider groups to Sales and PM
at every sign-in (a PM is staff, for the admin). Superusers' roles are never changed by it.

A sign-in finds its account by e-mail, so the provider must vouch for the e-mail
(`email_verified`): otherwise whoever typed someone else's address there would become them here.
Without that claim the sign-in is refused with a page that says so, for new users too (the
account they would get would be found by that e-mail at every later sign-in).
"""

import hashlib
import json
import urllib.request

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import Http404
from django.shortcuts import render
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from intake.roles import EMPLOYEE, PM, SALES

DISCOVERY_SECONDS = 3600
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def discovery() -> dict:
    """The provider's discovery document (cached), checked to name the configured issuer."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    key = "oidc-discovery:" + hashlib.sha256(issuer.encode()).hexdigest()
    document = cache.get(key)
    if document is None:
        url = f"{issuer}/.well-known/openid-configuration"
        with urllib.request.urlopen(url, timeout=settings.OIDC_TIMEOUT) as response:  # noqa: S310
            document = json.loads(response.read())
        if document.get("issuer", "").rstrip("/") != issuer:
            raise ImproperlyConfigured(f"{url} names another issuer: {document.get('issuer')}")
        cache.set(key, document, DISCOVERY_SECONDS)
    return document


def oidc_setting(attr: str, *default):
    if attr in DISCOVERED:
        return discovery()[DISCOVERED[attr]]
    return import_from_settings(attr, *default)


def username_for(email: str, claims: dict) -> str:
    """The provider's preferred username (or the e-mail's local part), made unique."""
    wanted = (claims.get("preferred_username") or (email or "").split("@")[0] or "user")[:120]
    if not get_user_model().objects.filter(username=wanted).exists():
        return wanted
    return f"{wanted}-{hashlib.sha256(str(claims.get('sub')).encode()).hexdigest()[:8]}"


class SignInRequestView(OIDCAuthenticationRequestView):
    """Starts a sign-in: to the provider's authorization endpoint (404 when not configured)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not enabled():
            raise Http404("Single sign-on is not configured.")
        self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class EmailNotVerified(Exception):
    """The provider does not vouch for the e-mail the sign-in would be matched by."""


def email_verified(claims: dict) -> bool:
    # The claim is a boolean (OpenID Connect Core 5.1); a few providers send the string.
    return claims.get("email_verified") in (True, "true")


class SignInCallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(oidc_setting)

    def get(self, request):
        if not enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            return super().get(request)
        except EmailNotVerified:
            context = {"provider": settings.OIDC_PROVIDER_NAME}
            return render(request, "registration/email_not_verified.html", context, status=403)


class SignInBackend(OIDCAuthenticationBackend):
    """Signs a user in from the provider's code; settings are read when needed, so that
    loading the backend (on every request of a signed-in user) never calls the provider."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if not enabled() or request is None or "code" not in request.GET:
            return None
        self.OIDC_OP_TOKEN_ENDPOINT = oidc_setting("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = oidc_setting("OIDC_OP_USER_ENDPOINT")
        self.OIDC_OP_JWKS_ENDPOINT = oidc_setting("OIDC_OP_JWKS_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims) -> bool:
        if claims.get("email") and not email_verified(claims):
            raise EmailNotVerified  # not a failed login (no lockout): the page says what to do
        return bool(claims.get("email"))

    @transaction.atomic
    def create_user(self, claims):
        user = super().create_user(claims)
        return self.update_user(user, claims)

    @transaction.atomic
    def update_user(self, user, claims):
        user.first_name = (claims.get("given_name") or "")[:150]
        user.last_name = (claims.get("family_name") or "")[:150]
        if not user.is_superuser:
            groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
            groups = {groups} if isinstance(groups, str) else set(groups)
            roles = {
                EMPLOYEE: True,
                SALES: bool(groups & set(settings.OIDC_SALES_GROUPS)),
                PM: bool(groups & set(settings.OIDC_PM_GROUPS)),
            }
            for name, wanted in roles.items():
                group, _ = Group.objects.get_or_create(name=name)
                (user.groups.add if wanted else user.groups.remove)(group)
            user.is_staff = roles[PM]  # a PM triages in the admin
        user.save()
        return user
