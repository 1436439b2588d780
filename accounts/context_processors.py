from django.conf import settings

from . import oidc


def sign_in(request) -> dict:
    """The login page's "Sign in with …" button, when single sign-on is configured."""
    if not oidc.enabled():
        return {}
    return {"oidc_provider_name": settings.OIDC_PROVIDER_NAME, "oidc_only": settings.OIDC_ONLY}
