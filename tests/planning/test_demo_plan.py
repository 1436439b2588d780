import pytest

from planning import selectors
from planning.demo import load_demo_plan
from roadmap.models import RoadmapItem
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_pms(db):
    UserFactory(username="pm", first_name="Pm", groups=["Employee", "PM"])
    for first, last in [("Priya", "Nair"), ("Marco", "Rossi"), ("Aiko", "Tanaka"),
                        ("Sam", "Okafor")]:  # fmt: skip
        UserFactory(username=first.lower(), first_name=first, last_name=last, groups=["PM"])


def test_demo_plan_has_the_promised_figures(demo_pms):
    report = load_demo_plan()
    assert report.created == 58 and report.new_pms == []
    health = selectors.planning_health(quarter="Q4 FY26")
    assert health["items"] == 58
    assert len(health["teams"]) == 10
    assert len(health["pms"]) == 5
    stages = health["stages"]
    assert (stages["POC"], stages["Alpha"], stages["Beta"], stages["GA"]) == (3, 6, 8, 9)
    assert stages["Not started"] + stages["In development"] == 32
    busiest = health["pms"][0]
    assert busiest["items"] == 14
    assert 0.14 <= busiest["doc_completion"] <= 0.21
    assert min(p["doc_completion"] for p in health["pms"]) == 0
    assert health["coupling"]["items_with_three_or_more_teams"] >= 3


def test_demo_plan_loads_twice_without_changes(demo_pms):
    load_demo_plan()
    report = load_demo_plan()
    assert report.unchanged == 58
    assert RoadmapItem.objects.count() == 58
