"""Password guessing is stopped per account and per address, with a clear page and a 429."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _try(client, username: str, password: str, address: str = "203.0.113.5"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _attempt_that_is_stopped(client, username, addresses) -> int | None:
    for attempt, address in enumerate(addresses, start=1):
        if _try(client, username(attempt), "wrong-guess", address).status_code == 429:
            return attempt
    return None


def test_guessing_one_accounts_password_is_stopped_at_the_fifth_attempt(client, settings):
    UserFactory(username="emma")
    stopped_at = _attempt_that_is_stopped(client, lambda n: "emma", ["203.0.113.5"] * 25)
    assert stopped_at == settings.AXES_FAILURE_LIMIT == 5


def test_a_locked_account_stays_locked_even_with_the_right_password(client):
    UserFactory(username="emma")
    for _ in range(5):
        _try(client, "emma", "wrong-guess")
    response = _try(client, "emma", "pw-for-tests")
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_an_account_is_locked_even_when_guesses_come_from_many_addresses(client):
    UserFactory(username="emma")
    addresses = [f"198.51.100.{n}" for n in range(1, 26)]
    assert _attempt_that_is_stopped(client, lambda n: "emma", addresses) == 5


def test_an_address_is_locked_even_when_it_guesses_many_accounts(client):
    stopped_at = _attempt_that_is_stopped(client, lambda n: f"user{n}", ["203.0.113.9"] * 25)
    assert stopped_at == 5
    assert _try(client, "someone-else", "x", "203.0.113.10").status_code == 200


def test_a_successful_login_resets_the_count(client):
    UserFactory(username="emma")
    for _ in range(4):
        _try(client, "emma", "wrong-guess")
    assert _try(client, "emma", "pw-for-tests").status_code == 302
    client.logout()
    for _ in range(4):
        assert _try(client, "emma", "wrong-guess").status_code == 200


def test_the_admin_login_is_locked_out_too(client):
    UserFactory(username="root", is_staff=True)
    url = reverse("admin:login")
    codes = [
        client.post(
            url, {"username": "root", "password": "nope"}, REMOTE_ADDR="192.0.2.1"
        ).status_code
        for _ in range(6)
    ]
    assert codes[:4] == [200] * 4 and codes[4:] == [429, 429]


def test_a_made_up_forwarded_address_does_not_dodge_the_address_lockout(client):
    UserFactory(username="pat")
    for n in range(8):  # each guess for another account, each under a made-up address
        client.post(
            LOGIN, {"username": f"user{n}", "password": "wrong-guess"},
            REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )  # fmt: skip
    response = _try(client, "pat", "pw-for-tests", "203.0.113.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_behind_a_trusted_proxy_each_visitor_has_their_own_lockout(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="pat")
    for n in range(8):
        client.post(
            LOGIN, {"username": f"user{n}", "password": "wrong-guess"},
            REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.66",
        )  # fmt: skip
    response = client.post(
        LOGIN, {"username": "pat", "password": "pw-for-tests"},
        REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7",
    )  # fmt: skip
    assert response.status_code == 302
