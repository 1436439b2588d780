"""Rate limits answer 429 with Retry-After and save nothing; they count the real client (a made-up
X-Forwarded-For changes nothing), writes per account and per address, and the public pages,
which are cached for everyone, are never refused to an office behind one address."""

import pytest
from django.urls import reverse

from intake.models import Signal
from tests.factories import UserFactory, api_token
from tests.roadmap.factories import PublicItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.RATE_LIMITS = {
        "submission": "2/minute",
        "writes": "2/minute",
        "writes_per_address": "3/minute",
        "api": "5/minute",
        "api_signal_post": "2/minute",
    }
    return settings.RATE_LIMITS


def _submit(client, user, n, **extra):
    client.force_login(user)
    return client.post(reverse("submit"), {"title": f"Idea {n}", "pillar": "feature"}, **extra)


def test_the_submission_form_is_limited_per_user(client, employee, limits):
    codes = [_submit(client, employee, n).status_code for n in range(2)]
    assert codes == [302, 302]
    response = _submit(client, employee, 3)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Too many requests" in response.content.decode()
    assert Signal.objects.count() == 2
    assert client.get(reverse("submit")).status_code == 200  # reading the form is not limited


def test_one_account_from_many_addresses_is_still_one_account(client, employee, limits):
    codes = [_submit(client, employee, n, REMOTE_ADDR=f"198.51.100.{n}").status_code
             for n in range(3)]  # fmt: skip
    assert codes == [302, 302, 429]


def test_many_accounts_from_one_address_share_its_ceiling(client, limits):
    people = [UserFactory(groups=["Employee"]) for _ in range(4)]
    codes = [_submit(client, person, n, REMOTE_ADDR="203.0.113.9").status_code
             for n, person in enumerate(people)]  # fmt: skip
    assert codes == [302, 302, 302, 429]
    assert Signal.objects.count() == 3


def test_a_forged_forwarded_header_escapes_no_limit(client, limits):
    people = [UserFactory(groups=["Employee"]) for _ in range(4)]
    codes = [
        _submit(client, person, n, REMOTE_ADDR="203.0.113.9",
                HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n, person in enumerate(people)
    ]  # fmt: skip
    assert codes == [302, 302, 302, 429]


def test_the_sales_form_shares_the_submission_limit(client, sales_rep, limits):
    client.force_login(sales_rep)
    codes = [client.post(reverse("submit-sales"), {"title": "x"}).status_code for _ in range(3)]
    assert codes == [400, 400, 429]


def test_share_links_and_tokens_are_limited_per_account(client, sales_rep, pm, limits):
    client.force_login(sales_rep)
    codes = [client.post(reverse("roadmap:share-links"), {}).status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    client.force_login(pm)
    codes = [client.post("/accounts/tokens/", {}, REMOTE_ADDR="198.51.100.1").status_code
             for _ in range(3)]  # fmt: skip
    assert codes == [400, 400, 429]


def test_posting_signals_is_limited_with_retry_after(client, employee, limits):
    auth = {"HTTP_AUTHORIZATION": f"Token {api_token(employee)}"}
    codes = [
        client.post(
            "/api/signals/", {"external_id": f"crm-{n}", "title": "SCIM"},
            content_type="application/json", **auth,
        ).status_code
        for n in range(3)
    ]  # fmt: skip
    assert codes == [201, 201, 429]
    assert Signal.objects.count() == 2
    response = client.post("/api/signals/", {}, content_type="application/json", **auth)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert client.get("/api/signals/", **auth).status_code == 200  # listing is not spent


def test_posting_signals_from_many_accounts_meets_the_address_ceiling(client, limits):
    tokens = [api_token(UserFactory(groups=["Employee"])) for _ in range(4)]
    codes = [
        client.post(
            "/api/signals/", {"external_id": f"crm-{n}", "title": "SCIM"},
            content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        ).status_code
        for n, token in enumerate(tokens)
    ]  # fmt: skip
    assert codes == [201, 201, 201, 429]


def test_the_api_is_limited_per_user(client, employee, limits):
    auth = {"HTTP_AUTHORIZATION": f"Token {api_token(employee)}"}
    codes = [client.get("/api/signals/", **auth).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_an_office_behind_one_address_reads_the_public_roadmap_freely(client, limits):
    PublicItemFactory()
    for path in ("/roadmap/", "/roadmap/feed/", "/api/public/roadmap/"):
        codes = {client.get(path, REMOTE_ADDR="203.0.113.1").status_code for _ in range(150)}
        assert codes == {200}, path


def test_behind_a_trusted_proxy_the_address_it_added_counts(client, settings, limits):
    settings.TRUSTED_PROXY_COUNT = 1
    people = [UserFactory(groups=["Employee"]) for _ in range(5)]

    def via_proxy(person, n, forwarded):
        return _submit(client, person, n, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    # The visitor made up the first entry; the proxy appended the address it saw.
    codes = [via_proxy(person, n, f"192.0.2.{n}, 198.51.100.7").status_code
             for n, person in enumerate(people[:4])]  # fmt: skip
    assert codes == [302, 302, 302, 429]
    assert via_proxy(people[4], 9, "198.51.100.8").status_code == 302


def test_an_empty_limit_turns_it_off(client, employee, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submission": None}
    assert all(_submit(client, employee, n).status_code == 302 for n in range(30))
