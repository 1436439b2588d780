import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.models import Idea, Signal
from tests.factories import IdeaFactory, OrganizationFactory, SalesSignalFactory, SignalFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:intake_idea_changelist")


def _changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(CHANGELIST).status_code == 200
    return len(queries)


def _ideas_with_demand(count: int, team, pm, org) -> None:
    """`count` ideas, each with a sales and a Reddit signal (bulk: 10,000 must be quick)."""
    ideas = Idea.objects.bulk_create(
        IdeaFactory.build(team=team, pm=pm, title=f"Bulk idea {n}") for n in range(count)
    )
    Signal.objects.bulk_create(
        signal
        for idea in ideas
        for signal in (
            SalesSignalFactory.build(idea=idea, organization=org),
            SignalFactory.build(idea=idea, source=Signal.Source.REDDIT_POST),
        )
    )


def test_changelist_query_count_is_the_same_for_10_and_10000_ideas(client, pm):
    from tests.factories import TeamFactory

    client.force_login(pm)
    team, org = TeamFactory(name="Networking"), OrganizationFactory()
    _ideas_with_demand(10, team, pm, org)
    ten = _changelist_queries(client)
    _ideas_with_demand(9990, team, pm, org)
    assert Idea.objects.count() == 10000
    assert _changelist_queries(client) == ten


def test_changelist_shows_signal_organization_and_source_kind_counts(client, pm):
    idea = IdeaFactory(title="Audit log export")
    org = OrganizationFactory()
    SalesSignalFactory.create_batch(2, idea=idea, organization=org)
    SignalFactory(idea=idea, source=Signal.Source.GITHUB_ISSUE)
    client.force_login(pm)
    response = client.get(CHANGELIST)
    row = next(i for i in response.context["cl"].result_list if i.pk == idea.pk)
    assert (row.signal_count, row.organization_count, row.source_kind_count) == (3, 1, 2)


def test_merged_ideas_disappear_from_the_list_unless_asked_for(client, pm):
    survivor = IdeaFactory(title="Survivor idea")
    IdeaFactory(title="Merged away", status=Idea.Status.MERGED, merged_into=survivor)
    client.force_login(pm)
    assert "Merged away" not in client.get(CHANGELIST).content.decode()
    assert "Merged away" in client.get(CHANGELIST, {"status__exact": "all"}).content.decode()


def test_pm_merges_two_ideas_through_the_admin_action(client, pm):
    survivor, other = IdeaFactory(title="Keep me"), IdeaFactory(title="Fold me")
    SignalFactory.create_batch(2, idea=other)
    client.force_login(pm)
    ids = [survivor.pk, other.pk]
    confirm = client.post(CHANGELIST, {"action": "merge_selected", "_selected_action": ids})
    assert confirm.status_code == 200
    assert "Merge ideas" in confirm.content.decode()
    client.post(
        CHANGELIST,
        {
            "action": "merge_selected",
            "_selected_action": ids,
            "apply": "1",
            "survivor": survivor.pk,
        },
    )
    other.refresh_from_db()
    assert other.merged_into == survivor
    assert survivor.signals.count() == 2


def test_decline_action_asks_for_a_reason_first(client, pm):
    idea = IdeaFactory()
    client.force_login(pm)
    data = {"action": "decline_selected", "_selected_action": [idea.pk], "apply": "1"}
    page = client.post(CHANGELIST, {**data, "reason": ""})
    assert page.status_code == 200
    assert "This field is required" in page.content.decode()
    idea.refresh_from_db()
    assert idea.status == Idea.Status.NEW
    client.post(CHANGELIST, {**data, "reason": "Out of scope", "revisit_when": "next year"})
    idea.refresh_from_db()
    assert (idea.status, idea.decline_reason, idea.declined_by) == ("declined", "Out of scope", pm)


def test_set_status_action_plans_an_idea(client, pm):
    idea = IdeaFactory()
    client.force_login(pm)
    client.post(CHANGELIST, {"action": "mark_planned", "_selected_action": [idea.pk]})
    idea.refresh_from_db()
    assert idea.status == Idea.Status.PLANNED


def test_idea_history_records_who_changed_what(client, pm):
    idea = IdeaFactory(title="Old title")
    client.force_login(pm)
    history = reverse("admin:intake_idea_history", args=[idea.pk])
    client.post(CHANGELIST, {"action": "mark_under_review", "_selected_action": [idea.pk]})
    assert idea.history.count() == 2
    assert client.get(history).status_code == 200


def test_employees_without_pm_role_cannot_open_the_admin(client, employee):
    client.force_login(employee)
    assert client.get(CHANGELIST).status_code == 302
