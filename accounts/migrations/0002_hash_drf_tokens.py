"""Existing DRF tokens (stored in clear) become hashed API tokens that keep working: the same
`Authorization: Token <key>` authenticates, but only the key's hash remains in the database.
They expire like a new token, API_TOKEN_DEFAULT_DAYS from the migration (a token that never
expires is a leak that never ends); the admin shows them as "Migrated DRF token" so that
someone can rotate them before then."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone

TOKEN_KEY_LENGTH = 15  # knox.settings.CONSTANTS.TOKEN_KEY_LENGTH


def hash_drf_tokens(apps, schema_editor):
    DrfToken = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("accounts", "ApiToken")
    expiry = timezone.now() + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    for old in DrfToken.objects.all():
        # knox hashes the token's UTF-8 bytes with SHA-512 (knox.crypto.hash_token).
        digest = hashlib.sha512(old.key.encode()).hexdigest()
        ApiToken(
            digest=digest,
            token_key=old.key[:TOKEN_KEY_LENGTH],
            user_id=old.user_id,
            expiry=expiry,
            name="Migrated DRF token",
        ).save()
        ApiToken.objects.filter(pk=digest).update(created=old.created)
    DrfToken.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_api_token"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(hash_drf_tokens, migrations.RunPython.noop)]
