"""The Ideas list sorts and filters the way a PM reads it, whatever the size of the backlog."""

import pytest
from django.urls import reverse

from intake.models import Idea
from tests.factories import IdeaFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:intake_idea_changelist")


def _titles(client, query: str) -> list[str]:
    response = client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    return [idea.title for idea in response.context["cl"].result_list]


def _column(name: str) -> int:
    from intake.admin import IdeaAdmin

    return IdeaAdmin.list_display.index(name)


def test_ideas_with_equal_demand_keep_their_age_order_in_the_sorted_direction(admin_client):
    first, second, third = (IdeaFactory(title=t) for t in ("first", "second", "third"))
    Idea.objects.filter(pk=third.pk).update(signal_count=5)
    up = _titles(admin_client, f"o={_column('signal_count')}")
    down = _titles(admin_client, f"o=-{_column('signal_count')}")
    assert up == ["first", "second", "third"]
    assert down == ["third", "second", "first"]


def test_filtering_by_a_bridge_criterion_lists_each_idea_meeting_it_once(admin_client):
    from scoring.models import BridgeCriterion

    one, two = BridgeCriterion.objects.order_by("pk")[:2]
    both, only_two = IdeaFactory(title="both"), IdeaFactory(title="only the second")
    both.bridge_criteria.set([one, two])
    only_two.bridge_criteria.set([two])
    IdeaFactory(title="none")
    assert _titles(admin_client, f"bridge_criterion={one.pk}") == ["both"]
    assert sorted(_titles(admin_client, f"bridge_criterion={two.pk}")) == [
        "both", "only the second",
    ]  # fmt: skip
    # Not a number: the admin's "invalid lookup" answer (back to the list with ?e=1).
    assert admin_client.get(f"{CHANGELIST}?bridge_criterion=x").status_code == 302


def test_sorting_by_a_column_sorts_by_that_column_alone(admin_client):
    # The header's link carries the previous sort (score) along; the list sorts by pillar, ties
    # by age, and the headers say so.
    IdeaFactory(title="older security", pillar=Idea.Pillar.SECURITY)
    higher = IdeaFactory(title="newer security", pillar=Idea.Pillar.SECURITY)
    Idea.objects.filter(pk=higher.pk).update(score=5)
    response = admin_client.get(f"{CHANGELIST}?o={_column('pillar')}.-{_column('score_column')}")
    assert [i.title for i in response.context["cl"].result_list] == [
        "older security", "newer security",
    ]  # fmt: skip
    assert list(response.context["cl"].get_ordering_field_columns()) == [_column("pillar")]
