"""With Redis (the cache) stopped, every page, form and endpoint still works and saves.

The cache runs on a Redis of the test's own, as in production (config.fail_safe_cache); the
test stops it, uses the site, then starts it again empty.
"""

import json
import logging
import time

import pytest
from django.urls import reverse

from intake.models import Idea, Signal
from tests.factories import IdeaFactory, UserFactory, api_token
from tests.roadmap.factories import CustomerAccountFactory, PublicItemFactory, ShareLinkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roadmap(db):
    """Ideas to find duplicates among, and public items for the public pages."""
    for title in ("Dark mode for the admin console", "SSO with Okta", "Exit node per app"):
        IdeaFactory(title=title)
    return [PublicItemFactory(public_title=f"Public thing {n}") for n in range(3)]


def test_employees_submit_ideas_through_the_form_while_redis_is_down(
    client, cache_on_own_redis, roadmap, employee
):
    client.force_login(employee)
    assert client.get(reverse("submit-similar"), {"q": "dark mode"}).status_code == 200
    assert cache_on_own_redis.keys() > 0  # the duplicate engine does use the cache
    cache_on_own_redis.stop()

    for n in range(10):
        suggestions = client.get(
            reverse("submit-similar"), {"q": f"dark mode for the admin console {n}"}
        )
        assert suggestions.status_code == 200
        assert suggestions.json()["results"][0]["title"] == "Dark mode for the admin console"
        response = client.post(
            reverse("submit"), {"title": f"Dark mode for reports {n}", "pillar": "feature"}
        )
        assert response.status_code == 302

    assert Signal.objects.filter(source=Signal.Source.EMPLOYEE).count() == 10
    assert Idea.objects.filter(title__startswith="Dark mode for reports").count() == 10
    assert "Dark mode for reports 9" in client.get(reverse("my")).content.decode()


def test_sales_feedback_and_api_signals_are_saved_while_redis_is_down(
    client, cache_on_own_redis, roadmap, sales_rep
):
    token = api_token(sales_rep)
    client.force_login(sales_rep)
    cache_on_own_redis.stop()

    for n in range(5):
        response = client.post(
            reverse("submit-sales"),
            {
                "new_organization_name": f"Globex {n}",
                "title": "SCIM provisioning for Okta",
                "words": "We cannot roll out without SCIM.",
                "arr_at_stake": "250000",
                "deal_stage": "open",
                "urgency": "deal_breaker",
                "competitor": "",
            },
        )
        assert response.status_code == 302
    client.logout()
    for n in range(10):
        response = client.post(
            "/api/signals/",
            json.dumps({"external_id": f"crm-{n}", "title": f"Audit log export {n}"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        assert response.status_code == 201, response.content

    assert Signal.objects.filter(source=Signal.Source.SALES).count() == 5
    assert Signal.objects.filter(source="api").count() == 10


def test_public_and_customer_roadmaps_render_while_redis_is_down(
    client, cache_on_own_redis, roadmap
):
    account = CustomerAccountFactory(user=UserFactory(username="carla"))
    link = ShareLinkFactory(organization=account.organization)
    assert client.get("/roadmap/").status_code == 200
    cache_on_own_redis.stop()

    pages = ["/roadmap/", "/roadmap/feed/", "/api/public/roadmap/", f"/roadmap/c/{link.token}/"]
    for url in pages * 5:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Public thing 2" in client.get("/roadmap/").content.decode()
    client.force_login(account.user)
    assert client.get("/roadmap/customer/").status_code == 200


def test_login_and_admin_work_while_redis_is_down(client, cache_on_own_redis, pm):
    """Sessions live in the database: nobody is logged out, and logging in works."""
    cache_on_own_redis.stop()
    response = client.post(reverse("login"), {"username": pm.username, "password": "pw-for-tests"})
    assert response.status_code == 302
    assert client.get("/admin/intake/idea/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_the_cache_is_used_again_once_redis_returns_empty(client, cache_on_own_redis, roadmap):
    from roadmap import services

    cache_on_own_redis.stop()
    assert client.get("/roadmap/").status_code == 200
    cache_on_own_redis.start()
    assert cache_on_own_redis.keys() == 0

    for _ in range(50):  # until the 0.2 s pause after the failure has passed
        services._local_pages.clear()
        assert client.get("/roadmap/").status_code == 200
        if cache_on_own_redis.keys():
            break
        time.sleep(0.05)
    assert cache_on_own_redis.keys() > 0


def test_an_outage_is_logged_once_not_per_request(client, cache_on_own_redis, roadmap, caplog):
    from roadmap import services

    cache_on_own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="config.outages"):
        for _ in range(20):
            services._local_pages.clear()
            client.get("/roadmap/")
            time.sleep(0.02)
    messages = [r.getMessage() for r in caplog.records if r.name == "config.outages"]
    assert len(messages) == 1
    assert messages[0].startswith("Cache unreachable (ConnectionError")
