"""Scores follow triage: a signal added or moved, a merge and its undo."""

import pytest

from intake import services
from intake.models import Idea, Signal
from scoring.services import rescore_all
from tests.factories import IdeaFactory, OrganizationFactory, SalesSignalFactory, SignalFactory

pytestmark = pytest.mark.django_db


def test_a_sales_note_raises_its_ideas_score_after_commit(
    sales_rep, django_capture_on_commit_callbacks
):
    idea = IdeaFactory(pillar=Idea.Pillar.SECURITY)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_sales_signal(
            user=sales_rep, title="SSO", words="We need it.", organization=OrganizationFactory(),
            idea_id=idea.pk, urgency=Signal.Urgency.DEAL_BREAKER,
        )  # fmt: skip
    idea.refresh_from_db()
    assert idea.score > 100
    assert idea.score_breakdown["demand"]["organizations_weighted"] == 3


def test_attaching_a_signal_moves_demand_between_ideas(django_capture_on_commit_callbacks):
    old, new = IdeaFactory(), IdeaFactory()
    signal = SignalFactory(idea=old)
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_signals(signal_ids=[signal.pk], idea=old)
    old.refresh_from_db()
    before = old.score
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_signals(signal_ids=[signal.pk], idea=new, importance=2)
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.score < before
    assert new.score_breakdown["demand"]["people_weighted"] == 2


def test_merge_counts_an_organization_once_and_unmerge_restores_scores_exactly(
    pm, django_capture_on_commit_callbacks
):
    org = OrganizationFactory()
    a, b = IdeaFactory(pillar=Idea.Pillar.SECURITY), IdeaFactory(pillar=Idea.Pillar.SECURITY)
    SalesSignalFactory(idea=a, organization=org, author="Sam")
    SalesSignalFactory(idea=b, organization=org, author="Sam")
    SignalFactory(idea=b, source=Signal.Source.GITHUB_ISSUE, votes=40)
    rescore_all()
    before = dict(Idea.objects.values_list("pk", "score"))
    with django_capture_on_commit_callbacks(execute=True):
        services.merge_ideas(merged=b, survivor=a, user=pm)
    a.refresh_from_db()
    assert a.score_breakdown["demand"]["organizations"] == 1
    assert Idea.objects.get(pk=b.pk).score == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.unmerge_idea(idea=b)
    assert dict(Idea.objects.values_list("pk", "score")) == before
