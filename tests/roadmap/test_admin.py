"""PMs run the roadmap in the admin: promote an idea in one action, edit items, move stages."""

import pytest

from roadmap.models import RoadmapItem
from tests.factories import IdeaFactory, SignalFactory, TeamFactory
from tests.roadmap.factories import RoadmapItemFactory

pytestmark = pytest.mark.django_db


def _action(client, url, action, ids, **extra):
    return client.post(url, {"action": action, "_selected_action": ids, **extra})


def test_promoting_an_idea_makes_an_internal_item_and_plans_the_idea(client, pm, employee):
    idea = IdeaFactory(title="Exit node by country", team=TeamFactory(name="Networking"))
    SignalFactory(idea=idea, submitted_by=employee)
    client.force_login(pm)
    response = _action(client, "/admin/intake/idea/", "promote_to_roadmap_item", [idea.pk])
    item = RoadmapItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/roadmap/roadmapitem/{item.pk}/change/"
    assert (item.title, item.visibility, item.team.name, item.pm) == (
        "Exit node by country", "internal", "Networking", pm,
    )  # fmt: skip
    assert list(item.ideas.all()) == [idea]
    idea.refresh_from_db()
    assert idea.status == "planned"


def test_a_merged_idea_cannot_be_promoted(client, pm):
    survivor = IdeaFactory()
    merged = IdeaFactory(status="merged", merged_into=survivor)
    client.force_login(pm)
    response = _action(
        client, "/admin/intake/idea/?status__exact=all", "promote_to_roadmap_item", [merged.pk]
    )
    assert response.status_code == 302
    assert not RoadmapItem.objects.exists()


def test_an_item_shown_to_customers_needs_customer_text(client, pm):
    client.force_login(pm)
    response = client.post(
        "/admin/roadmap/roadmapitem/add/",
        {"title": "Secret name", "visibility": "customer", "horizon": "now",
         "stage": "not_started", "priority": "P1"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "give it a customer title" in response.content.decode()
    assert not RoadmapItem.objects.exists()


def test_a_public_item_needs_public_text(client, pm):
    client.force_login(pm)
    response = client.post(
        "/admin/roadmap/roadmapitem/add/",
        {"title": "Secret name", "visibility": "public", "customer_title": "Customer words",
         "horizon": "now", "stage": "not_started", "priority": "P1"},
    )  # fmt: skip
    assert "give it a public title" in response.content.decode()
    assert not RoadmapItem.objects.exists()


def test_stage_action_moves_items_and_stamps_shipping(client, pm):
    items = [RoadmapItemFactory(), RoadmapItemFactory()]
    client.force_login(pm)
    _action(client, "/admin/roadmap/roadmapitem/", "stage_shipped", [i.pk for i in items])
    for item in items:
        item.refresh_from_db()
        assert item.stage == "shipped"
        assert item.shipped_at is not None


def test_adding_ideas_to_an_item_in_the_admin_plans_them(client, pm):
    idea = IdeaFactory(status="under_review")
    client.force_login(pm)
    response = client.post(
        "/admin/roadmap/roadmapitem/add/",
        {"title": "Relay failover", "visibility": "internal", "horizon": "next",
         "stage": "not_started", "priority": "P0", "ideas": [idea.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == "planned"
