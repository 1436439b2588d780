"""Login lockout (django-axes) for logins that come over the network."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a login while its account or address is locked out. A login without a request
    (a management command, a shell) has no address and nobody guessing: it is let through to
    the next backend instead of raising."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PasswordBackend(ModelBackend):
    """Django's password login; with `OIDC_ONLY` on, for superusers only (everyone else signs
    in with single sign-on)."""

    def user_can_authenticate(self, user) -> bool:
        if settings.OIDC_ONLY and not user.is_superuser:
            return False
        return super().user_can_authenticate(user)
