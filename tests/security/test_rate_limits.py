"""Rate limits answer 429 with Retry-After, per user or per address, and save nothing."""

import pytest
from django.urls import reverse

from intake.models import Signal
from tests.factories import api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.RATE_LIMITS = {
        "submission": "2/minute",
        "public_roadmap": "3/minute",
        "api": "5/minute",
        "api_signal_post": "2/minute",
    }
    return settings.RATE_LIMITS


def test_the_submission_form_is_limited_per_user(client, employee, limits):
    client.force_login(employee)
    for n in range(2):
        response = client.post(reverse("submit"), {"title": f"Idea {n}", "pillar": "feature"})
        assert response.status_code == 302
    response = client.post(reverse("submit"), {"title": "One too many", "pillar": "feature"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Too many requests" in response.content.decode()
    assert Signal.objects.count() == 2
    assert client.get(reverse("submit")).status_code == 200  # reading the form is not limited


def test_the_sales_form_shares_the_submission_limit(client, sales_rep, limits):
    client.force_login(sales_rep)
    codes = [client.post(reverse("submit-sales"), {"title": "x"}).status_code for _ in range(3)]
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


def test_the_api_is_limited_per_address_for_visitors(client, limits):
    codes = [client.get("/api/public/roadmap/", REMOTE_ADDR="203.0.113.1").status_code
             for _ in range(6)]  # fmt: skip
    assert codes == [200] * 5 + [429]
    assert client.get("/api/public/roadmap/", REMOTE_ADDR="203.0.113.2").status_code == 200


def test_the_public_roadmap_is_limited_per_address(client, limits):
    codes = [client.get("/roadmap/", REMOTE_ADDR="203.0.113.1").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/roadmap/feed/", REMOTE_ADDR="203.0.113.3").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, limits, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for _ in range(3):
        client.get("/roadmap/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    blocked = client.get("/roadmap/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    other = client.get("/roadmap/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert (blocked.status_code, other.status_code) == (429, 200)


def test_an_empty_limit_turns_it_off(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_roadmap": None}
    assert all(client.get("/roadmap/").status_code == 200 for _ in range(130))
