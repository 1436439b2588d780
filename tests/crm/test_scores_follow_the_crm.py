"""Scoring uses the current ARR: a sync that changes an organization's ARR rescores the ideas
it asked for."""

from django.utils import timezone

from crm import services
from scoring.services import rescore_all
from tests.factories import IdeaFactory, OrganizationFactory, SalesSignalFactory


def test_a_higher_arr_from_the_crm_raises_the_ideas_score(
    hubspot, connection, django_capture_on_commit_callbacks
):
    globex = OrganizationFactory(name="Globex", arr=0)
    idea = IdeaFactory()
    SalesSignalFactory(idea=idea, organization=globex, arr_at_stake=10000)
    rescore_all()
    idea.refresh_from_db()
    before = idea.score
    assert idea.score_breakdown["demand"]["arr_at_stake"] == 10000
    hubspot.add_company("1", name="Globex", annualrevenue="2000000")

    with django_capture_on_commit_callbacks(execute=True):
        services.sync_connection(connection=connection)

    idea.refresh_from_db()
    assert idea.score_breakdown["demand"]["arr_at_stake"] == 2000000
    assert idea.score > before


def test_a_sync_that_changes_no_arr_or_plan_rescores_nothing(
    hubspot, connection, django_capture_on_commit_callbacks
):
    globex = OrganizationFactory(
        name="Globex", arr=500, plan="business", crm_id="1", crm_synced_at=timezone.now()
    )
    SalesSignalFactory(organization=globex)
    hubspot.add_company("1", name="Globex", annualrevenue="500", plan="business")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.sync_connection(connection=connection)

    assert callbacks == []


def test_linking_an_organization_rescores_its_ideas_with_its_current_arr(
    hubspot, connection, django_capture_on_commit_callbacks
):
    globex = OrganizationFactory(name="Globex", arr=300000)
    idea = IdeaFactory()
    SalesSignalFactory(idea=idea, organization=globex, arr_at_stake=10000)
    hubspot.add_company("1", name="Globex")

    with django_capture_on_commit_callbacks(execute=True):
        services.sync_connection(connection=connection)

    idea.refresh_from_db()
    assert idea.score_breakdown["demand"]["arr_at_stake"] == 300000
