"""E-mail to a flag's owners when it is killed."""

from django.conf import settings
from django.core.mail import send_mail

from .models import Flag


def owner_addresses(flag: Flag) -> list[str]:
    """The flag's PM and its item's PM: the people who own the flag."""
    people = [flag.pm, flag.item.pm if flag.item else None]
    return sorted({p.email for p in people if p is not None and p.email})


def tell_owners_flag_killed(*, flag: Flag) -> int:
    recipients = owner_addresses(flag)
    if not recipients:
        return 0
    who = flag.killed_by.get_username() if flag.killed_by else "a command"
    body = (
        f"The flag {flag.key} was killed by {who} at {flag.killed_at:%Y-%m-%d %H:%M} UTC: it is "
        f"off for everyone.\n\nReason: {flag.kill_reason}\n\n"
        f"History: {settings.SITE_URL}/admin/rollout/flag/{flag.pk}/history/\n"
    )
    return send_mail(f"Flag killed: {flag.key}", body, None, recipients)
