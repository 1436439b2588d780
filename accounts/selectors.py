"""Reads on accounts."""

from django.db.models import QuerySet

from .models import ApiToken


def api_tokens_managed_by(user) -> QuerySet[ApiToken]:
    """A PM manages their own tokens; a superuser everyone's."""
    tokens = ApiToken.objects.select_related("user").order_by("-created")
    return tokens if user.is_superuser else tokens.filter(user=user)
