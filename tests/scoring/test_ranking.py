"""The default policy ranks by strategy first and counts demand fairly."""

import pytest
from django.core.management import call_command

from intake.models import Idea, Signal
from scoring import selectors, services
from tests.factories import IdeaFactory, OrganizationFactory, SalesSignalFactory, SignalFactory

pytestmark = pytest.mark.django_db


def _score(idea: Idea) -> float:
    idea.refresh_from_db()
    return idea.score


def test_reddit_post_with_5000_upvotes_ranks_below_security_request_from_three_customers():
    cosmetic = IdeaFactory(title="Rounded corners on buttons", pillar=Idea.Pillar.FEATURE)
    SignalFactory(idea=cosmetic, source=Signal.Source.REDDIT_POST, votes=5000, author="loud")
    security = IdeaFactory(title="Audit log for admin actions", pillar=Idea.Pillar.SECURITY)
    for _ in range(3):
        SalesSignalFactory(idea=security, urgency=Signal.Urgency.BLOCKER, importance=3)
    services.rescore_all()
    assert _score(security) > _score(cosmetic)


def test_a_hundred_signals_from_one_author_count_as_one():
    once, spammed = IdeaFactory(), IdeaFactory()
    SignalFactory(idea=once, source=Signal.Source.GITHUB_ISSUE, author="dana")
    for _ in range(100):
        SignalFactory(idea=spammed, source=Signal.Source.GITHUB_ISSUE, author="Dana")
    services.rescore_all()
    assert _score(spammed) == _score(once)
    assert spammed.score_breakdown["demand"]["people"] == 1


def test_changing_a_pillar_weight_reranks_deterministically():
    security = IdeaFactory(pillar=Idea.Pillar.SECURITY)
    feature = IdeaFactory(pillar=Idea.Pillar.FEATURE)
    services.rescore_all()
    assert _score(security) > _score(feature)
    policy = selectors.current_policy()
    policy.pillar_feature = 150
    new = services.publish_policy(policy=policy)
    ranked = []
    for _ in range(2):
        services.rescore_all()
        ranked.append(list(Idea.objects.order_by("-score", "id").values_list("id", "score")))
    assert ranked[0] == ranked[1]
    assert [pk for pk, _ in ranked[0]] == [feature.pk, security.pk]
    assert new.version == 2
    assert {i.score_policy_version for i in Idea.objects.all()} == {2}


def test_publishing_a_policy_keeps_the_old_version_and_rescores_after_commit(
    django_capture_on_commit_callbacks,
):
    idea = IdeaFactory(pillar=Idea.Pillar.PERFORMANCE)
    before = selectors.current_policy()
    policy = selectors.current_policy()
    policy.pillar_performance = 10
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_policy(policy=policy)
    before.refresh_from_db()
    assert before.pillar_performance == 45
    assert _score(idea) == 10
    assert idea.score_breakdown["version"] == 2


def test_signal_importance_weighs_evidence_and_zero_counts_for_nothing():
    plain, weighty, noise = IdeaFactory(), IdeaFactory(), IdeaFactory()
    SignalFactory(idea=plain, importance=1)
    SignalFactory(idea=weighty, importance=3)
    SignalFactory(idea=noise, importance=0)
    services.rescore_all()
    assert _score(weighty) > _score(plain) > _score(noise)
    assert noise.score_breakdown["demand"]["people"] == 0


def test_votes_flatten_and_stop_counting_past_the_cap():
    ideas = {votes: IdeaFactory() for votes in (10, 1000, 100000)}
    for votes, idea in ideas.items():
        SignalFactory(idea=idea, source=Signal.Source.REDDIT_POST, votes=votes)
    services.rescore_all()
    assert _score(ideas[10]) < _score(ideas[1000]) == _score(ideas[100000])


def test_no_single_source_kind_supplies_more_than_its_share():
    idea = IdeaFactory()
    for n in range(20):
        SignalFactory(idea=idea, source=Signal.Source.REDDIT_POST, author=f"r{n}", votes=50)
    SignalFactory(idea=idea, source=Signal.Source.EMPLOYEE)
    services.rescore_all()
    idea.refresh_from_db()
    demand = idea.score_breakdown["demand"]
    reddit = demand["by_kind"]["reddit_post"]
    assert reddit["raw"] > 0.6 * demand["raw"]
    assert reddit["counted"] == pytest.approx(0.6 * demand["raw"], abs=0.01)


def test_an_organization_asking_through_two_kinds_counts_once():
    org = OrganizationFactory()
    idea = IdeaFactory()
    SalesSignalFactory(idea=idea, organization=org)
    SignalFactory(idea=idea, source=Signal.Source.API, organization=org)
    services.rescore_all()
    idea.refresh_from_db()
    assert idea.score_breakdown["demand"]["organizations"] == 1


def test_motions_follow_the_sources_until_a_pm_sets_them():
    idea = IdeaFactory()
    SignalFactory(idea=idea, source=Signal.Source.GITHUB_ISSUE)
    SalesSignalFactory(idea=idea, organization=OrganizationFactory(plan="enterprise"))
    services.rescore_all()
    idea.refresh_from_db()
    assert (idea.serves_plg, idea.serves_pls, idea.serves_enterprise) == (True, False, True)
    Idea.objects.filter(pk=idea.pk).update(
        motions_from_sources=False, serves_plg=False, serves_pls=True
    )
    services.rescore_all()
    idea.refresh_from_db()
    assert (idea.serves_plg, idea.serves_pls, idea.serves_enterprise) == (False, True, True)


def test_rescore_command_scores_every_idea(capsys):
    IdeaFactory.create_batch(3, pillar=Idea.Pillar.RELIABILITY)
    call_command("rescore")
    assert "Rescored 3 ideas under policy v1" in capsys.readouterr().out
    assert set(Idea.objects.values_list("score", flat=True)) == {70.0}
