"""Tokens that 0002 migrated before it set an expiry (and any other token without one) expire
API_TOKEN_DEFAULT_DAYS from now, like a new token: a client keeps working until then, and the
admin's expiry column shows whom to give a new token."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def expire_tokens_without_expiry(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    expiry = timezone.now() + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    ApiToken.objects.filter(expiry__isnull=True).update(expiry=expiry)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_hash_drf_tokens")]

    operations = [migrations.RunPython(expire_tokens_without_expiry, migrations.RunPython.noop)]
