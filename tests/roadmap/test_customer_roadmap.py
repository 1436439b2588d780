"""The customer roadmap: customer text, horizons not dates, and what this organization asked for."""

from datetime import timedelta

import pytest
from django.utils import timezone

from roadmap.models import ShareLink
from tests.factories import OrganizationFactory, SalesSignalFactory, api_token
from tests.roadmap.factories import (
    CustomerItemFactory,
    PublicItemFactory,
    RoadmapItemFactory,
    ShareLinkFactory,
)

pytestmark = pytest.mark.django_db


def test_customer_sees_customer_and_public_items_in_customer_words(client, customer):
    CustomerItemFactory(title="Internal name", customer_title="SSO for everyone")
    PublicItemFactory(customer_title="Faster relays (customer words)", public_title="Relays")
    RoadmapItemFactory(title="Secret project")
    client.force_login(customer)
    page = client.get("/roadmap/customer/").content.decode()
    assert "SSO for everyone" in page
    assert "Faster relays (customer words)" in page
    assert "Internal name" not in page
    assert "Secret project" not in page


def test_items_this_organization_asked_for_are_marked(client, customer, customer_org):
    asked = CustomerItemFactory(customer_title="Audit log export")
    asked.ideas.add(SalesSignalFactory(organization=customer_org).idea)
    CustomerItemFactory(customer_title="Dark mode")
    client.force_login(customer)
    page = client.get("/roadmap/customer/").content.decode()
    audit = page[page.index("Audit log export") :][:300]
    dark = page[page.index("Dark mode") :][:300]
    assert "Requested by Acme Robotics" in audit
    assert "Requested by" not in dark


def test_what_another_organization_asked_for_is_not_marked(client, customer):
    item = CustomerItemFactory(customer_title="Audit log export")
    item.ideas.add(SalesSignalFactory(organization=OrganizationFactory(name="Globex")).idea)
    client.force_login(customer)
    page = client.get("/roadmap/customer/").content.decode()
    assert "Requested by" not in page.split("Audit log export", 1)[1][:300]
    assert "Globex" not in page


def test_customer_sees_horizon_and_stage_but_no_date_or_quarter(client, customer):
    CustomerItemFactory(
        customer_title="Posture checks",
        horizon="next",
        stage="beta",
        quarter="Q3 FY27",
        surface="both",
        min_client_version="1.62",
    )
    client.force_login(customer)
    page = client.get("/roadmap/customer/").content.decode()
    assert "Posture checks" in page.split('id="column-next"', 1)[1]
    assert "Beta" in page
    assert "requires client 1.62 or newer" in page
    assert "Q3 FY27" not in page


def test_customer_pages_are_never_cached_by_shared_caches(client, customer):
    client.force_login(customer)
    response = client.get("/roadmap/customer/")
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_customer_api_marks_what_the_organization_asked_for(client, customer, customer_org):
    asked = CustomerItemFactory(customer_title="Audit log export")
    idea = SalesSignalFactory(organization=customer_org).idea
    idea.customer_summary = "We are building it."
    idea.save()
    asked.ideas.add(idea)
    CustomerItemFactory(customer_title="Dark mode")
    token = api_token(customer)
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    items = client.get("/api/customer/roadmap/?asked=true", **auth).json()["results"]
    assert [row["title"] for row in items] == ["Audit log export"]
    ideas = client.get("/api/customer/ideas/", **auth).json()["results"]
    assert ideas == [
        {
            "id": idea.pk,
            "status": "new",
            "summary": "We are building it.",
            "roadmap_items": [asked.pk],
        }
    ]


def test_an_employee_previews_any_customers_view(client, sales_rep, customer_org):
    CustomerItemFactory(customer_title="SSO for everyone")
    client.force_login(sales_rep)
    page = client.get(f"/roadmap/customer/?organization={customer_org.pk}").content.decode()
    assert "Roadmap for Acme Robotics" in page
    assert "SSO for everyone" in page
    assert client.get("/roadmap/customer/?organization=999999").status_code == 400


def test_an_employee_finds_the_customer_to_preview_by_name(client, sales_rep, customer_org):
    OrganizationFactory(name="Globex")
    client.force_login(sales_rep)
    page = client.get("/roadmap/customer/?name=robot").content.decode()
    assert f'href="?organization={customer_org.pk}">Acme Robotics</a>' in page
    assert "Globex" not in page


def test_finding_a_customer_lists_a_page_of_names_however_many_match(
    client, sales_rep, monkeypatch
):
    monkeypatch.setattr("roadmap.selectors.ORGANIZATIONS_LISTED", 3)
    for n in range(5):
        OrganizationFactory(name=f"Initech {n}")
    client.force_login(sales_rep)
    page = client.get("/roadmap/customer/?name=initech").content.decode()
    assert page.count('href="?organization=') == 3
    assert "More customers match" in page


def test_finding_no_name_says_what_to_type(client, sales_rep):
    client.force_login(sales_rep)
    response = client.get("/roadmap/customer/?name=+")
    assert response.status_code == 400
    assert "Type a customer’s name." in response.content.decode()
    nothing = client.get("/roadmap/customer/?name=zzz").content.decode()
    assert "No customer’s name contains" in nothing


# Share links ------------------------------------------------------------------------------------


def test_sales_rep_creates_a_link_that_shows_the_customer_roadmap(client, sales_rep, customer_org):
    CustomerItemFactory(customer_title="SSO for everyone")
    client.force_login(sales_rep)
    response = client.post("/roadmap/share/", {"organization": customer_org.pk, "days": 14})
    assert response.status_code == 302
    link = ShareLink.objects.get()
    assert link.created_by == sales_rep
    assert timedelta(days=13) < link.expires_at - timezone.now() <= timedelta(days=14)
    assert f"/roadmap/c/{link.token}/" in client.get("/roadmap/share/").content.decode()
    client.logout()
    page = client.get(f"/roadmap/c/{link.token}/")
    assert "SSO for everyone" in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert page["Referrer-Policy"] == "no-referrer"


def test_a_link_longer_than_ninety_days_is_refused(client, sales_rep, customer_org):
    client.force_login(sales_rep)
    response = client.post("/roadmap/share/", {"organization": customer_org.pk, "days": 365})
    assert response.status_code == 400
    assert "90" in response.content.decode()
    assert not ShareLink.objects.exists()


def test_an_expired_link_is_gone(client):
    link = ShareLinkFactory(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(f"/roadmap/c/{link.token}/")
    assert response.status_code == 410
    assert "no longer valid" in response.content.decode()


def test_a_revoked_link_stops_working_at_once(client, sales_rep):
    link = ShareLinkFactory(created_by=sales_rep)
    assert client.get(f"/roadmap/c/{link.token}/").status_code == 200
    client.force_login(sales_rep)
    client.post(f"/roadmap/share/{link.pk}/revoke/")
    client.logout()
    assert client.get(f"/roadmap/c/{link.token}/").status_code == 410


def test_an_unknown_token_is_not_found(client):
    assert client.get("/roadmap/c/not-a-real-token/").status_code == 404


def _queries_for(client, url, add_items, **headers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    add_items()
    client.get(url, **headers)  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(url, **headers)
    add_items()
    with CaptureQueriesContext(connection) as many:
        client.get(url, **headers)
    return len(few.captured_queries), len(many.captured_queries)


def test_the_customer_page_costs_the_same_queries_for_many_items(client, customer, customer_org):
    def add_items():
        for _ in range(10):
            item = CustomerItemFactory()
            item.ideas.add(SalesSignalFactory(organization=customer_org).idea)

    client.force_login(customer)
    few, many = _queries_for(client, "/roadmap/customer/", add_items)
    assert few == many


def test_the_internal_api_costs_the_same_queries_for_many_items(client, employee):
    def add_items():
        for _ in range(10):
            item = RoadmapItemFactory()
            item.ideas.add(SalesSignalFactory().idea)

    token = api_token(employee)
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    few, many = _queries_for(client, "/api/roadmap/", add_items, **auth)
    assert few == many
    few, many = _queries_for(client, "/api/ideas/", add_items, **auth)
    assert few == many
