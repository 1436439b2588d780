"""The API: other tools submit signals; employees read ideas, signals and items; the schema."""

import pytest
from django.contrib.auth.models import Group

from intake.models import Signal
from tests.factories import (
    IdeaFactory,
    OrganizationFactory,
    SalesSignalFactory,
    SignalFactory,
    api_token,
)
from tests.roadmap.factories import RoadmapItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bot(employee):
    """A chat bot posting with an employee account's token."""
    token = api_token(employee)
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def _post(client, bot, data):
    return client.post("/api/signals/", data, content_type="application/json", **bot)


def test_a_tool_submits_a_signal_to_the_inbox(client, bot):
    OrganizationFactory(name="Acme Robotics")
    response = _post(
        client,
        bot,
        {"external_id": "crm-123", "title": "Wants SCIM", "body": "Asked on a call.",
         "organization": "acme robotics", "author_email": "ann@acme.example"},
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    signal = Signal.objects.get()
    assert (signal.source, signal.external_id, signal.idea) == ("api", "crm-123", None)
    assert signal.organization.name == "Acme Robotics"
    assert response.json()["id"] == signal.pk


def test_posting_the_same_signal_again_updates_it_instead_of_duplicating(client, bot):
    assert _post(client, bot, {"external_id": "chat-1", "title": "Dark mode"}).status_code == 201
    again = _post(client, bot, {"external_id": "chat-1", "title": "Dark mode, please"})
    assert again.status_code == 200
    assert Signal.objects.get().title == "Dark mode, please"
    assert (
        _post(client, bot, {"external_id": "chat-1", "title": "Dark mode, please"}).status_code
        == 200
    )
    assert Signal.objects.count() == 1


def test_the_same_external_id_from_another_source_is_another_signal(client, bot, employee):
    employee.groups.add(Group.objects.get(name="Sales"))
    _post(client, bot, {"external_id": "7", "title": "One"})
    _post(client, bot, {"source": "sales", "external_id": "7", "title": "Two"})
    assert Signal.objects.count() == 2


@pytest.mark.parametrize("source", ["github_issue", "github_discussion", "reddit_post"])
def test_a_tool_cannot_post_or_rewrite_a_connector_signal(client, bot, source):
    thread = SignalFactory(source=source, external_id="t3_abc", url="https://www.reddit.com/r/x/")
    response = _post(
        client,
        bot,
        {"source": source, "external_id": "t3_abc", "title": "hijacked",
         "url": "https://evil.example/phish", "votes": 1000000},
    )  # fmt: skip
    assert response.status_code == 400
    thread.refresh_from_db()
    assert (thread.url, thread.votes) == ("https://www.reddit.com/r/x/", 0)


def test_a_tool_cannot_rewrite_a_signal_another_account_submitted(client, bot, sales_rep):
    theirs = SignalFactory(
        source="api", external_id="crm-9", title="Theirs", submitted_by=sales_rep
    )
    response = _post(client, bot, {"external_id": "crm-9", "title": "Mine now"})
    assert response.status_code == 409
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"


def test_posting_sales_signals_needs_the_sales_role(client, bot):
    response = _post(client, bot, {"source": "sales", "external_id": "s-1", "title": "Deal"})
    assert response.status_code == 403
    assert not Signal.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "No id"}, "external_id"),
        ({"external_id": "  ", "title": "Blank id"}, "external_id"),
        ({"external_id": "x"}, "title"),
        ({"external_id": "x", "title": "t", "source": "carrier_pigeon"}, "source"),
        ({"external_id": "x", "title": "t", "source": "employee"}, "source"),
        ({"external_id": "x", "title": "t", "source": "github_issue"}, "source"),
        ({"external_id": "x", "title": "t", "body": "b" * 20001}, "body"),
        ({"external_id": "x", "title": "t", "url": "not a url"}, "url"),
        ({"external_id": "x", "title": "t", "votes": -1}, "votes"),
        ({"external_id": "x", "title": "t", "organization": "Nobody Inc"}, "organization"),
        ({"external_id": "x" * 256, "title": "t"}, "external_id"),
    ],
)
def test_bad_input_is_a_clear_400_and_saves_nothing(client, bot, data, field):
    response = _post(client, bot, data)
    assert response.status_code == 400
    assert field in response.json()
    assert not Signal.objects.exists()


def test_malformed_json_is_a_400(client, bot):
    response = client.post("/api/signals/", "{not json", content_type="application/json", **bot)
    assert response.status_code == 400


def test_posting_needs_a_token(client):
    response = _post(client, {}, {"external_id": "x", "title": "t"})
    assert response.status_code == 401


def test_a_customer_token_cannot_post_signals(client, customer):
    token = api_token(customer)
    response = _post(
        client, {"HTTP_AUTHORIZATION": f"Token {token}"}, {"external_id": "x", "title": "t"}
    )
    assert response.status_code == 403


def test_ideas_are_paginated_and_filtered(client, bot):
    for _ in range(3):
        IdeaFactory(pillar="security")
    IdeaFactory(pillar="feature")
    data = client.get("/api/ideas/?pillar=security", **bot).json()
    assert data["count"] == 3
    assert {row["pillar"] for row in data["results"]} == {"security"}
    assert client.get("/api/ideas/?pillar=magic", **bot).status_code == 400


def test_idea_detail_carries_demand(client, bot):
    idea = IdeaFactory()
    SalesSignalFactory(idea=idea)
    data = client.get(f"/api/ideas/{idea.pk}/", **bot).json()
    assert (data["signal_count"], data["organization_count"]) == (1, 1)


def test_internal_roadmap_items_filter_by_stage(client, bot):
    RoadmapItemFactory(title="In beta", stage="beta")
    RoadmapItemFactory(title="In POC", stage="poc")
    data = client.get("/api/roadmap/?stage=beta", **bot).json()
    assert [row["title"] for row in data["results"]] == ["In beta"]


def test_signals_list_filters_by_source(client, bot):
    SalesSignalFactory()
    _post(client, bot, {"external_id": "x", "title": "t"})
    data = client.get("/api/signals/?source=api", **bot).json()
    assert [row["external_id"] for row in data["results"]] == ["x"]


def test_anonymous_visitors_see_only_the_public_endpoints_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    assert set(schema["paths"]) == {"/api/public/roadmap/", "/api/schema/"}
    assert "internal_notes" not in str(schema)


def test_the_schema_describes_the_internal_endpoints_to_an_employee(client, employee):
    client.force_login(employee)
    schema = client.get("/api/schema/?format=json").json()
    for path in ("/api/public/roadmap/", "/api/ideas/", "/api/roadmap/", "/api/signals/"):
        assert path in schema["paths"]
    assert "post" in schema["paths"]["/api/signals/"]


def test_a_customer_sees_the_customer_endpoints_but_not_the_internal_ones(client, customer):
    client.force_login(customer)
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert "/api/customer/roadmap/" in paths
    assert "/api/customer/ideas/" in paths
    assert "/api/ideas/" not in paths
    assert "/api/signals/" not in paths


@pytest.mark.parametrize(
    "field, value",
    [("title", "\u0013\u0013"), ("external_id", "crm-\u0013"), ("body", "a\u0000b"),
     ("author", "\u009bname"), ("organization", "Acme\u001b")],
)  # fmt: skip
def test_control_characters_are_a_field_error_and_save_nothing(client, bot, field, value):
    OrganizationFactory(name="Acme")
    data = {"external_id": "crm-1", "title": "Wants SCIM", field: value}
    response = _post(client, bot, data)
    assert response.status_code == 400
    assert "control characters" in response.json()[field][0]
    assert not Signal.objects.exists()
