"""DRF's clear-text tokens become hashed API tokens that keep working until the default expiry
(migrations 0002 and 0003), run as `migrate` runs them."""

import hashlib
import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import ApiToken
from tests.factories import UserFactory

migration = importlib.import_module("accounts.migrations.0002_hash_drf_tokens")

BEFORE_HASHING = ("accounts", "0001_api_token")
HASHED = ("accounts", "0002_hash_drf_tokens")
EXPIRED = ("accounts", "0003_expire_migrated_tokens")
DRF_KEY = "0123456789abcdef0123456789abcdef01234567"


def _expires_after_default_days(expiry, settings) -> bool:
    expected = timezone.now() + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    return expiry is not None and abs(expiry - expected) < timedelta(minutes=5)


@pytest.fixture
def migrate_to():
    """Move the accounts app to a migration; the database ends fully migrated again."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("accounts")

    def migrate(target):
        executor.loader.build_graph()
        state = executor.migrate([target])
        return state.apps

    yield migrate
    migrate(latest[0])


@pytest.mark.django_db
def test_existing_drf_tokens_keep_working_and_leave_no_clear_text(client, settings):
    user = UserFactory(username="bot", groups=["Employee"])
    key = Token.objects.create(user=user).key

    migration.hash_drf_tokens(apps, None)

    assert not Token.objects.exists()
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (user, "Migrated DRF token")
    assert _expires_after_default_days(token.expiry, settings)
    assert key not in token.digest
    response = client.get("/api/ideas/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_migrated_drf_token_works_until_the_default_expiry_and_others_keep_theirs(
    client, settings, migrate_to
):
    user = UserFactory(username="bot", groups=["Employee"])
    old = migrate_to(BEFORE_HASHING)
    old.get_model("authtoken", "Token").objects.create(key=DRF_KEY, user_id=user.pk)
    chosen = timezone.now() + timedelta(days=7)
    old.get_model("accounts", "ApiToken").objects.create(
        digest="a" * 128, token_key="a" * 15, user_id=user.pk, expiry=chosen, name="CRM bot"
    )

    migrate_to(EXPIRED)

    migrated = ApiToken.objects.get(name="Migrated DRF token")
    assert _expires_after_default_days(migrated.expiry, settings)
    assert ApiToken.objects.get(name="CRM bot").expiry == chosen
    response = client.get("/api/ideas/", HTTP_AUTHORIZATION=f"Token {DRF_KEY}")
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_token_migrated_earlier_without_expiry_gets_the_default_expiry(
    client, settings, migrate_to
):
    user = UserFactory(username="bot", groups=["Employee"])
    hashed = migrate_to(HASHED)
    # As the first version of 0002 left it: hashed, no expiry.
    hashed.get_model("accounts", "ApiToken").objects.create(
        digest=hashlib.sha512(DRF_KEY.encode()).hexdigest(),
        token_key=DRF_KEY[:15],
        user_id=user.pk,
        expiry=None,
        name="Migrated DRF token",
    )

    migrate_to(EXPIRED)

    assert _expires_after_default_days(ApiToken.objects.get().expiry, settings)
    response = client.get("/api/ideas/", HTTP_AUTHORIZATION=f"Token {DRF_KEY}")
    assert response.status_code == 200
