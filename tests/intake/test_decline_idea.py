import pytest
from django.core.exceptions import ValidationError

from intake.models import Idea
from intake.services import decline_idea, set_idea_status
from tests.factories import IdeaFactory, SignalFactory

pytestmark = pytest.mark.django_db


def test_decline_records_reason_decider_and_revisit_condition(pm):
    idea = decline_idea(
        idea=IdeaFactory(), reason="Conflicts with E2E encryption", user=pm, revisit_when="Q3"
    )
    idea.refresh_from_db()
    assert idea.status == Idea.Status.DECLINED
    assert idea.declined_by == pm
    assert idea.declined_at is not None
    assert idea.revisit_when == "Q3"


def test_decline_without_a_reason_is_refused(pm):
    idea = IdeaFactory()
    with pytest.raises(ValidationError):
        decline_idea(idea=idea, reason="   ", user=pm)
    idea.refresh_from_db()
    assert idea.status == Idea.Status.NEW


def test_declined_idea_shows_reason_to_submitter(client, employee, pm):
    idea = IdeaFactory()
    SignalFactory(idea=idea, submitted_by=employee, title="Let me pick my relay")
    decline_idea(idea=idea, reason="Relays are chosen by **latency**.", user=pm)
    client.force_login(employee)
    page = client.get("/my/").content.decode()
    assert "Declined" in page
    assert "Relays are chosen by <strong>latency</strong>." in page


def test_reopening_a_declined_idea_clears_the_decision(pm):
    idea = decline_idea(idea=IdeaFactory(), reason="No", user=pm)
    set_idea_status(idea=idea, status=Idea.Status.UNDER_REVIEW)
    idea.refresh_from_db()
    assert idea.decline_reason == ""
    assert idea.declined_by is None


def test_status_cannot_be_set_to_merged_or_declined_directly():
    idea = IdeaFactory()
    for status in (Idea.Status.MERGED, Idea.Status.DECLINED, "bogus"):
        with pytest.raises(ValidationError):
            set_idea_status(idea=idea, status=status)


def test_public_summary_shows_on_my_page(client, employee):
    idea = IdeaFactory(status=Idea.Status.PLANNED, public_summary="Coming in the next release.")
    SignalFactory(idea=idea, submitted_by=employee)
    client.force_login(employee)
    assert "Coming in the next release." in client.get("/my/").content.decode()
