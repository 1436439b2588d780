"""A percentage rollout over 10,000 organizations: the right share, stable, and growing only
by adding organizations."""

import pytest
from openfeature.evaluation_context import EvaluationContext

from rollout import evaluation, services
from rollout.models import RolloutState
from tests.rollout.factories import FlagFactory

pytestmark = pytest.mark.django_db
ORGANIZATIONS = [str(n) for n in range(1, 10_001)]


def enabled(key: str) -> set[str]:
    compiled = evaluation.current()
    return {
        org
        for org in ORGANIZATIONS
        if evaluation.evaluate(compiled, key, EvaluationContext(targeting_key=org))["value"]
    }


def test_25_percent_enables_25_percent_of_10000_organizations_within_2_points():
    FlagFactory(key="beta-25", state=RolloutState.PERCENTAGE, percentage=25)
    share = len(enabled("beta-25")) / len(ORGANIZATIONS)
    print(f"\n25 % rollout: {share:.2%} of {len(ORGANIZATIONS)} organizations")
    assert 0.23 <= share <= 0.27


def test_the_same_organizations_are_chosen_every_time():
    FlagFactory(key="beta-stable", state=RolloutState.PERCENTAGE, percentage=25)
    first = enabled("beta-stable")
    evaluation.forget()  # a fresh process compiles anew
    assert enabled("beta-stable") == first


def test_raising_25_to_50_keeps_every_organization_of_the_first_25():
    flag = FlagFactory(key="beta-grow", state=RolloutState.PERCENTAGE, percentage=25)
    quarter = enabled("beta-grow")
    services.set_rollout(flag=flag, state=RolloutState.PERCENTAGE, percentage=50)
    half = enabled("beta-grow")
    print(f"\n25 → 50 %: {len(quarter)} → {len(half)} organizations, all kept")
    assert quarter < half
    assert 0.48 <= len(half) / len(ORGANIZATIONS) <= 0.52


def test_two_flags_at_25_percent_choose_different_organizations():
    FlagFactory(key="beta-one", state=RolloutState.PERCENTAGE, percentage=25)
    FlagFactory(key="beta-two", state=RolloutState.PERCENTAGE, percentage=25)
    assert enabled("beta-one") != enabled("beta-two")
