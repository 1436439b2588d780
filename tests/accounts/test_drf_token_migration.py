"""DRF's clear-text tokens become hashed API tokens that keep working (migration 0002)."""

import importlib

import pytest
from django.apps import apps
from rest_framework.authtoken.models import Token

from accounts.models import ApiToken
from tests.factories import UserFactory

migration = importlib.import_module("accounts.migrations.0002_hash_drf_tokens")


@pytest.mark.django_db
def test_existing_drf_tokens_keep_working_and_leave_no_clear_text(client):
    user = UserFactory(username="bot", groups=["Employee"])
    key = Token.objects.create(user=user).key

    migration.hash_drf_tokens(apps, None)

    assert not Token.objects.exists()
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.expiry) == (user, "Migrated DRF token", None)
    assert key not in token.digest
    response = client.get("/api/ideas/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
