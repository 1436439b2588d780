"""Lists cost the same at any size: no exact count of a large table on a list page.

The count stops at a cap (intake/pagination.py, lowered here to 100 rows): past it the admin
says "more than …" and the API says `count_capped`, and the next page is always one link away.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake import pagination
from intake.models import Idea, Signal
from tests.factories import IdeaFactory, SignalFactory, api_token

pytestmark = pytest.mark.django_db

IDEAS = reverse("admin:intake_idea_changelist")
SIGNALS = reverse("admin:intake_signal_changelist")
INBOX = reverse("admin:intake_inboxsignal_changelist")


@pytest.fixture
def cap(monkeypatch) -> int:
    monkeypatch.setattr(pagination, "COUNT_CAP", 120)
    return 120


@pytest.fixture
def token(employee) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {api_token(employee)}"}


def _ideas(count: int) -> None:
    Idea.objects.bulk_create(IdeaFactory.build(title=f"Idea {n}") for n in range(count))


def _signals(count: int, **fields) -> None:
    Signal.objects.bulk_create(SignalFactory.build_batch(count, **fields))


def _queries(client, url: str, **headers) -> int:
    client.get(url, **headers)  # the first call also notes when the API token was last used
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers).status_code == 200
    return len(captured)


# Admin ------------------------------------------------------------------------------------------


def test_an_ideas_list_past_the_cap_says_more_than_and_offers_the_next_page(client, pm, cap):
    _ideas(130)
    client.force_login(pm)
    page = client.get(IDEAS).content.decode()
    assert "more than 120 ideas" in page
    assert 'href="?p=2"' in page


def test_the_pm_pages_on_past_the_cap(client, pm, cap):
    _ideas(130)
    client.force_login(pm)
    response = client.get(IDEAS, {"p": 3})  # rows 101 to 130: past the reach of page 1's count
    assert len(response.context["cl"].result_list) == 30
    assert "130 ideas" in response.content.decode()  # counted from page 3, the end is in reach


def test_a_small_list_shows_its_exact_count(client, pm, cap):
    _ideas(7)
    client.force_login(pm)
    page = client.get(IDEAS).content.decode()
    assert "7 ideas" in page
    assert "more than" not in page


def test_a_page_past_the_end_is_refused_as_the_admin_refuses_it(client, pm, cap):
    _ideas(70)  # two pages
    client.force_login(pm)
    response = client.get(IDEAS, {"p": 99})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_a_list_past_the_cap_never_shows_all_its_rows_at_once(client, pm, cap):
    _ideas(130)  # fewer than the admin's "Show all" limit of 200, but more than were counted
    client.force_login(pm)
    assert 'class="showall"' not in client.get(IDEAS).content.decode()
    assert len(client.get(IDEAS, {"all": ""}).context["cl"].result_list) == 50


def test_the_ideas_list_costs_as_many_queries_for_10_as_for_500_ideas(
    client, pm, cap, django_assert_num_queries
):
    client.force_login(pm)
    _ideas(10)
    ten = _queries(client, IDEAS)
    _ideas(490)
    with django_assert_num_queries(ten):
        client.get(IDEAS)


@pytest.mark.parametrize("url", [SIGNALS, INBOX], ids=["signals", "inbox"])
def test_a_signals_list_costs_as_many_queries_for_10_as_for_500_signals(
    client, pm, cap, django_assert_num_queries, url
):
    client.force_login(pm)
    _signals(10, idea=None)
    ten = _queries(client, url)
    _signals(490, idea=None)
    with django_assert_num_queries(ten):
        page = client.get(url).content.decode()
    assert "more than 120 " in page  # signals, or inbox signals


def test_select_all_past_the_cap_acts_on_every_matching_signal(client, pm, cap):
    idea = IdeaFactory(title="Exit nodes by country")
    _signals(300, idea=idea)
    _signals(5, idea=None)
    client.force_login(pm)
    url = f"{SIGNALS}?idea={idea.pk}"
    assert "Select all matching signals (more than 120)" in client.get(url).content.decode()
    page = idea.signals.order_by("-pk").values_list("pk", flat=True)[:50]
    client.post(
        url,
        {"action": "set_importance", "select_across": "1", "_selected_action": list(page),
         "importance": "3", "apply": "1"},
    )  # fmt: skip
    assert idea.signals.filter(importance=3).count() == 300
    assert not Signal.objects.filter(idea=None, importance=3).exists()


# API --------------------------------------------------------------------------------------------


def test_the_api_past_the_cap_gives_a_capped_count_and_the_next_page(client, token, cap):
    _ideas(130)
    data = client.get("/api/ideas/", **token).json()
    assert (data["count"], data["count_capped"]) == (120, True)
    assert data["next"].endswith("/api/ideas/?page=2")
    assert len(data["results"]) == 50


def test_the_api_pages_on_past_the_cap(client, token, cap):
    _ideas(130)
    data = client.get("/api/ideas/?page=3", **token).json()
    assert (data["count"], data["count_capped"], data["next"]) == (130, False, None)
    assert len(data["results"]) == 30


def test_the_api_gives_a_small_list_its_exact_count(client, token, cap):
    _ideas(7)
    data = client.get("/api/ideas/", **token).json()
    assert (data["count"], data["count_capped"], data["next"]) == (7, False, None)


def test_the_api_refuses_a_page_past_the_end(client, token, cap):
    _ideas(7)
    assert client.get("/api/ideas/?page=2", **token).status_code == 404


def test_api_ideas_cost_as_many_queries_for_10_as_for_500_ideas(
    client, token, cap, django_assert_num_queries
):
    _ideas(10)
    ten = _queries(client, "/api/ideas/", **token)
    _ideas(490)
    with django_assert_num_queries(ten):
        client.get("/api/ideas/", **token)


def test_api_signals_cost_as_many_queries_for_10_as_for_500_signals(
    client, token, cap, django_assert_num_queries
):
    _signals(10, idea=None)
    ten = _queries(client, "/api/signals/", **token)
    _signals(490, idea=None)
    with django_assert_num_queries(ten):
        client.get("/api/signals/", **token)


def test_the_schema_describes_the_capped_count(client, token):
    schema = client.get("/api/schema/?format=json", **token).json()
    page = schema["components"]["schemas"]["PaginatedInternalIdeaList"]
    assert page["properties"]["count"]["type"] == "integer"
    assert page["properties"]["count_capped"]["type"] == "boolean"
    assert "count_capped" in page["required"]


def test_the_home_page_says_how_much_waits_and_when_there_is_more_than_it_counted(
    client, pm, monkeypatch
):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    client.force_login(pm)
    SignalFactory.create_batch(2, idea=None)
    page = client.get("/").content.decode()
    assert "2 signals without an idea" in page
    SignalFactory.create_batch(3, idea=None)
    assert "More than 3 signals without an idea" in client.get("/").content.decode()
