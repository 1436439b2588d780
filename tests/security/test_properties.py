"""Property tests (Hypothesis) over the forms and the API: whatever arrives, the answer is never
a 500 and a record is saved whole or not at all."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.models import Idea, Organization, Signal
from tests.factories import api_token

pytestmark = pytest.mark.django_db
PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ANY_TEXT = st.text(max_size=400)
ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), ANY_TEXT,
    st.floats(allow_nan=True), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)  # fmt: skip


@pytest.fixture(autouse=True)
def _unlimited(settings):
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS)


def _counts() -> tuple[int, int]:
    return Idea.objects.count(), Signal.objects.count()


@PROPERTY_SETTINGS
@given(
    title=ANY_TEXT,
    description=ANY_TEXT,
    pillar=st.sampled_from(["feature", "security", "", "nonsense"]),
    idea=st.one_of(st.just(""), st.integers(min_value=-5, max_value=10**12).map(str), ANY_TEXT),
)
def test_the_submit_form_never_fails_and_never_half_saves(
    client, employee, title, description, pillar, idea
):
    client.force_login(employee)
    before = _counts()
    response = client.post(
        reverse("submit"),
        {"title": title, "description": description, "pillar": pillar, "idea": idea},
    )
    assert response.status_code in (302, 400)
    ideas, signals = _counts()
    if response.status_code == 400:
        assert (ideas, signals) == before
    else:
        assert signals == before[1] + 1 and ideas - before[0] in (0, 1)


@PROPERTY_SETTINGS
@given(
    title=ANY_TEXT,
    words=ANY_TEXT,
    arr=st.one_of(st.just(""), ANY_TEXT, st.decimals(allow_nan=True).map(str)),
    new_organization=ANY_TEXT,
    deal_stage=st.sampled_from(["open", "won", "", "x"]),
)
def test_the_sales_form_never_fails_and_never_half_saves(
    client, sales_rep, title, words, arr, new_organization, deal_stage
):
    client.force_login(sales_rep)
    before = _counts()
    response = client.post(
        reverse("submit-sales"),
        {"title": title, "words": words, "arr_at_stake": arr, "deal_stage": deal_stage,
         "urgency": "important", "new_organization_name": new_organization},
    )  # fmt: skip
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert _counts() == before
    else:
        assert _counts()[1] == before[1] + 1


@PROPERTY_SETTINGS
@given(
    payload=st.one_of(
        st.fixed_dictionaries(
            {"external_id": ANY_VALUE, "title": ANY_VALUE},
            optional={
                key: ANY_VALUE
                for key in (
                    "source",
                    "body",
                    "url",
                    "author",
                    "author_email",
                    "organization",
                    "votes",
                    "comment_count",
                )
            },
        ),  # fmt: skip
        ANY_VALUE,
    )
)
def test_posting_signals_never_fails_and_never_half_saves(client, employee, payload):
    Organization.objects.get_or_create(name="Acme")
    auth = {"HTTP_AUTHORIZATION": f"Token {api_token(employee)}"}
    before = Signal.objects.count()
    response = client.post("/api/signals/", payload, content_type="application/json", **auth)
    assert response.status_code in (200, 201, 400, 403, 409)
    assert Signal.objects.count() == before + (response.status_code == 201)
