"""An idea's explanation names renewals within 90 days among the organizations asking, on
internal pages only."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scoring.services import rescore_all
from tests.factories import IdeaFactory, OrganizationFactory, SalesSignalFactory
from tests.roadmap.factories import PublicItemFactory


def _renewing(name: str, days: int):
    return OrganizationFactory(name=name, renewal_date=timezone.localdate() + timedelta(days=days))


def _item_asked_for_by(*organizations, title="SCIM provisioning"):
    idea = IdeaFactory()
    for org in organizations:
        SalesSignalFactory(idea=idea, organization=org)
    item = PublicItemFactory(title=title, public_title=f"{title} (public)")
    item.ideas.set([idea])
    return idea


def test_the_internal_roadmap_names_renewals_within_90_days(client, employee):
    _item_asked_for_by(_renewing("Globex", 41), _renewing("Initech", 0), _renewing("Hooli", 91))
    rescore_all()
    client.force_login(employee)

    page = client.get("/roadmap/internal/").content.decode()

    assert "Initech renews today; Globex renews in 41 days." in page
    assert "Hooli renews" not in page


def test_the_idea_admin_page_names_a_renewal(admin_client):
    idea = _item_asked_for_by(_renewing("Globex", 41))
    rescore_all()

    page = admin_client.get(reverse("admin:intake_idea_change", args=[idea.pk])).content
    assert "Globex renews in 41 days" in page.decode()


def test_the_public_roadmap_names_no_renewal(client, db):
    _item_asked_for_by(_renewing("Globex", 41))
    rescore_all()

    page = client.get("/roadmap/").content.decode()

    assert "SCIM provisioning (public)" in page
    assert "renews" not in page and "Globex" not in page


def test_renewals_cost_the_internal_roadmap_the_same_queries_for_many_items(
    client, employee, django_assert_num_queries
):
    client.force_login(employee)
    _item_asked_for_by(_renewing("Org 0", 10), title="Item 0")
    rescore_all()
    client.get("/roadmap/internal/")
    with CaptureQueriesContext(connection) as few:
        client.get("/roadmap/internal/")
    for n in range(1, 11):
        _item_asked_for_by(_renewing(f"Org {n}", n), _renewing(f"Other {n}", 80), title=f"Item {n}")
    rescore_all()

    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get("/roadmap/internal/").content.decode()
    assert "Org 7 renews in 7 days" in page
