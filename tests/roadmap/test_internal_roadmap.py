"""The internal roadmap: every item with its ideas and demand, filters, and "Not doing, and why"."""

import pytest

from intake import services as intake_services
from tests.factories import IdeaFactory, SalesSignalFactory, SignalFactory, TeamFactory
from tests.roadmap.factories import PublicItemFactory, RoadmapItemFactory

pytestmark = pytest.mark.django_db


def test_employees_see_every_item_with_internal_details(client, employee, pm):
    RoadmapItemFactory(
        title="Rewrite the relay scheduler",
        internal_notes="Needs two engineers.",
        quarter="Q1 FY27",
        priority="P0",
        committed=True,
        pm=pm,
        team=TeamFactory(name="Networking"),
    )
    PublicItemFactory(title="Internal name of a public item")
    client.force_login(employee)
    page = client.get("/roadmap/internal/").content.decode()
    for text in ("Rewrite the relay scheduler", "Needs two engineers.", "Q1 FY27", "P0",
                 "Committed", "Networking", "Pat", "Internal name of a public item"):  # fmt: skip
        assert text in page


def test_each_item_shows_its_ideas_with_their_demand(client, employee):
    idea = IdeaFactory(title="Audit log export to S3")
    SalesSignalFactory(idea=idea)
    SalesSignalFactory(idea=idea)
    RoadmapItemFactory(ideas=[idea])
    client.force_login(employee)
    page = client.get("/roadmap/internal/").content.decode()
    row = page[page.index("Audit log export to S3") :][:400]
    assert "<td>2</td>" in row  # two signals, from two organizations


def test_filters_narrow_the_items(client, employee):
    networking = TeamFactory(name="Networking")
    RoadmapItemFactory(title="Relay failover", team=networking, stage="beta")
    RoadmapItemFactory(title="Dark mode", stage="beta")
    RoadmapItemFactory(title="Billing in EUR", team=networking, stage="poc")
    client.force_login(employee)
    page = client.get(f"/roadmap/internal/?team={networking.pk}&stage=beta").content.decode()
    assert "Relay failover" in page
    assert "Dark mode" not in page
    assert "Billing in EUR" not in page


def test_filter_by_pillar_of_the_ideas(client, employee):
    RoadmapItemFactory(title="Key rotation", ideas=[IdeaFactory(pillar="security")])
    RoadmapItemFactory(title="Dark mode", ideas=[IdeaFactory(pillar="feature")])
    client.force_login(employee)
    page = client.get("/roadmap/internal/?pillar=security&committed=no").content.decode()
    assert "Key rotation" in page
    assert "Dark mode" not in page


def test_a_bad_filter_is_a_clear_error_not_a_crash(client, employee):
    client.force_login(employee)
    response = client.get("/roadmap/internal/?stage=launched&team=abc")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_not_doing_lists_declined_ideas_with_their_reasons(client, employee, pm):
    idea = IdeaFactory(title="Store traffic logs centrally")
    intake_services.decline_idea(
        idea=idea, reason="It breaks our end-to-end encryption promise.", user=pm
    )
    client.force_login(employee)
    page = client.get("/roadmap/internal/").content.decode()
    section = page[page.index("Not doing, and why") :]
    assert "Store traffic logs centrally" in section
    assert "It breaks our end-to-end encryption promise." in section


def test_the_page_costs_the_same_queries_for_many_items(
    client, employee, django_assert_num_queries
):
    def add_items(n):
        for _ in range(n):
            item = RoadmapItemFactory(team=TeamFactory())
            item.ideas.add(SignalFactory().idea)
            item.dependent_teams.add(TeamFactory())

    client.force_login(employee)
    add_items(2)
    client.get("/roadmap/internal/")  # warm the session and the user's groups
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/roadmap/internal/")
    add_items(10)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/roadmap/internal/")


def test_filter_by_motion(client, employee):
    RoadmapItemFactory(title="SCIM", ideas=[IdeaFactory(serves_enterprise=True)])
    RoadmapItemFactory(title="Free plan limits", ideas=[IdeaFactory(serves_plg=True)])
    client.force_login(employee)
    page = client.get("/roadmap/internal/?motion=enterprise").content.decode()
    assert "SCIM" in page
    assert "Free plan limits" not in page


def test_each_idea_shows_its_score_and_why(client, employee):
    from scoring.services import rescore_all

    idea = IdeaFactory(title="Rotate keys", pillar="security")
    SalesSignalFactory(idea=idea)
    RoadmapItemFactory(ideas=[idea])
    rescore_all()
    client.force_login(employee)
    page = client.get("/roadmap/internal/").content.decode()
    assert "Strategic fit: Security pillar" in page
