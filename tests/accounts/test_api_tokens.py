"""API tokens: made once, kept only as a hash, expiring, revocable, their last use noted."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from tests.factories import UserFactory, api_token

pytestmark = pytest.mark.django_db


def _ideas(client, token: str):
    return client.get("/api/ideas/", HTTP_AUTHORIZATION=f"Token {token}")


def test_create_api_token_prints_a_working_token_once(client, employee):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_token", "emma", "--name", "CRM bot", "--expires-days", "30",
        stdout=out, stderr=err,
    )  # fmt: skip
    token = out.getvalue().strip()
    assert len(token) == 64
    assert "shown only now" in err.getvalue()
    row = ApiToken.objects.get()
    assert (row.name, row.user) == ("CRM bot", employee)
    assert timedelta(days=29, hours=23) < row.expiry - timezone.now() <= timedelta(days=30)
    assert _ideas(client, token).status_code == 200


def test_the_database_keeps_only_a_hash_of_the_token(employee):
    token = api_token(employee)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        stored = " ".join(str(value) for value in cursor.fetchone())
    assert token not in stored
    assert token[:15] in stored  # the lookup prefix, too short to use


def test_create_api_token_refuses_an_unknown_user_and_bad_expiry(employee):
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "nobody", stdout=io.StringIO())
    with pytest.raises(CommandError, match="from 1 to 365"):
        call_command("create_api_token", "emma", "--expires-days", "0", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_refused(client, employee):
    token = api_token(employee)
    ApiToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert _ideas(client, token).status_code == 401


def test_a_wrong_token_is_refused(client, employee):
    token = api_token(employee)
    assert _ideas(client, token[:-1] + ("0" if token[-1] != "0" else "1")).status_code == 401


def test_using_a_token_records_its_last_use(client, employee):
    token = api_token(employee)
    assert ApiToken.objects.get().last_used_at is None
    _ideas(client, token)
    assert ApiToken.objects.get().last_used_at is not None


def test_a_pm_makes_a_token_seen_once_and_revokes_it(client, pm):
    client.force_login(pm)
    response = client.post(reverse("api-tokens"), {"name": "Slack bot", "expires_days": "7"})
    assert response.status_code == 200
    token = response.context["new_token"]
    assert token in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert _ideas(client, token).status_code == 200

    listing = client.get(reverse("api-tokens")).content.decode()
    assert "Slack bot" in listing and token not in listing

    row = ApiToken.objects.get()
    client.post(reverse("revoke-api-token", args=[row.digest]))
    assert not ApiToken.objects.exists()
    client.logout()
    assert _ideas(client, token).status_code == 401


def test_a_pm_cannot_see_or_revoke_another_users_token(client, pm, employee):
    api_token(employee)
    other = ApiToken.objects.get()
    client.force_login(pm)
    assert "tests" not in client.get(reverse("api-tokens")).content.decode()
    assert client.post(reverse("revoke-api-token", args=[other.digest])).status_code == 404
    assert ApiToken.objects.exists()


def test_employees_who_are_not_pms_cannot_open_the_page(client, employee):
    client.force_login(employee)
    assert client.get(reverse("api-tokens")).status_code == 403


def test_a_superuser_makes_and_revokes_tokens_for_anyone(client, superuser):
    bot = UserFactory(username="crm-bot", groups=["Employee"])
    client.force_login(superuser)
    response = client.post(
        reverse("api-tokens"), {"name": "CRM", "expires_days": "90", "user": bot.pk}
    )
    assert ApiToken.objects.get().user == bot
    assert _ideas(client, response.context["new_token"]).status_code == 200
    client.post(reverse("revoke-api-token", args=[ApiToken.objects.get().digest]))
    assert not ApiToken.objects.exists()


def test_a_control_character_in_the_name_is_a_field_error(client, pm):
    client.force_login(pm)
    response = client.post(reverse("api-tokens"), {"name": "bot\x1b", "expires_days": "7"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
