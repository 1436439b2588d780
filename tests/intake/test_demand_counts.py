"""The demand an idea shows in lists (signals, organizations, source kinds) is stored on the
idea when its signals change, and stays right after every kind of triage."""

import pytest
from django.urls import reverse

from intake import demand, services
from intake.models import Idea, Signal
from tests.factories import IdeaFactory, OrganizationFactory, SalesSignalFactory, SignalFactory

pytestmark = pytest.mark.django_db


def _counts(idea: Idea) -> tuple[int, int, int]:
    idea.refresh_from_db()
    return idea.signal_count, idea.organization_count, idea.source_kind_count


def test_counts_are_distinct_organizations_and_source_kinds():
    idea, acme = IdeaFactory(), OrganizationFactory(name="Acme")
    SalesSignalFactory.create_batch(2, idea=idea, organization=acme)
    SignalFactory(idea=idea, source=Signal.Source.GITHUB_ISSUE)
    assert _counts(idea) == (3, 1, 2)


def test_moving_signals_recounts_both_ideas(django_capture_on_commit_callbacks):
    source, target = IdeaFactory(), IdeaFactory()
    signals = SignalFactory.create_batch(3, idea=source)
    with django_capture_on_commit_callbacks(execute=True):
        services.move_signals(signals=[s.pk for s in signals[:2]], idea=target)
    assert _counts(source) == (1, 0, 1)
    assert _counts(target) == (2, 0, 1)


def test_detaching_the_last_signal_leaves_nothing_counted(django_capture_on_commit_callbacks):
    idea = IdeaFactory()
    signal = SignalFactory(idea=idea)
    with django_capture_on_commit_callbacks(execute=True):
        services.detach_signals(signals=[signal.pk])
    assert _counts(idea) == (0, 0, 0)


def test_merge_and_undo_move_the_counts_back_and_forth(django_capture_on_commit_callbacks):
    merged, survivor = IdeaFactory(), IdeaFactory()
    SalesSignalFactory.create_batch(2, idea=merged)
    SignalFactory(idea=survivor)
    with django_capture_on_commit_callbacks(execute=True):
        services.merge_ideas(merged=merged, survivor=survivor)
    assert _counts(merged) == (0, 0, 0)
    assert _counts(survivor) == (3, 2, 2)
    with django_capture_on_commit_callbacks(execute=True):
        services.unmerge_idea(idea=merged)
    assert _counts(merged) == (2, 2, 1)
    assert _counts(survivor) == (1, 0, 1)


def test_saving_an_idea_form_opened_earlier_keeps_the_counts_written_since(admin_client):
    idea = IdeaFactory(title="Exit node failover")
    url = reverse("admin:intake_idea_change", args=[idea.pk])
    form = admin_client.get(url).context["adminform"].form
    SignalFactory.create_batch(2, idea=idea)  # arrive while the PM reads the page
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(title="Exit node failover, automatic", motions_from_sources="on")
    data["bridge_criteria"] = [str(v) for v in data.get("bridge_criteria", [])]
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert _counts(idea)[0] == 2


def test_a_full_recount_repairs_counts_written_around_the_services():
    idea = IdeaFactory()
    Signal.objects.bulk_create(SignalFactory.build_batch(4, idea=idea))
    assert _counts(idea) == (0, 0, 0)
    demand.recount_all()
    assert _counts(idea) == (4, 0, 1)
