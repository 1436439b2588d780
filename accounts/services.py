"""Writes on accounts: API tokens made, used and revoked."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import ApiToken

# A token's last use is written at most this often (not on every request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def create_api_token(*, user, name: str, expires_days: int | None = None) -> tuple[ApiToken, str]:
    """Make a token for `user`. Returns the row and the token itself, which is never stored
    (only its hash) and so can be shown only this once."""
    days = settings.API_TOKEN_DEFAULT_DAYS if expires_days is None else expires_days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {"expires_days": f"Choose from 1 to {settings.API_TOKEN_MAX_DAYS} days."}
        )
    name = name.strip() or "API token"
    return ApiToken.objects.create(user=user, expiry=timedelta(days=days), name=name[:100])


def revoke_api_token(*, token: ApiToken) -> None:
    """The token stops working at once: its row is deleted."""
    token.delete()


def record_use(*, token: ApiToken) -> None:
    """Note that `token` was used now (at most once per LAST_USED_RESOLUTION)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(digest=token.digest).update(last_used_at=now)
        token.last_used_at = now
