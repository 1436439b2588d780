"""Customers take part on their roadmap: "this matters to us" on what they can see (changed or
withdrawn), requests of their own, and suggestions of what already exists as they type."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import Idea, Signal
from roadmap.models import CustomerInterest
from scoring.services import rescore_ideas
from tests.factories import IdeaFactory, OrganizationFactory, SignalFactory, UserFactory
from tests.roadmap.factories import (
    CustomerAccountFactory,
    CustomerItemFactory,
    RoadmapItemFactory,
)

pytestmark = pytest.mark.django_db

MATTERS = "/roadmap/customer/matters/"
ASK = "/roadmap/customer/ask/"
SIMILAR = "/roadmap/customer/similar/"


@pytest.fixture
def item():
    idea = IdeaFactory(title="SCIM provisioning for Okta (internal wording)")
    return CustomerItemFactory(customer_title="Automatic user provisioning", ideas=[idea])


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """A customer's POST, with what its events do (demand counts, scores) done at once."""

    def send(url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return send


def _portal_signals():
    return Signal.objects.filter(source=Signal.Source.CUSTOMER_PORTAL)


def _page(client) -> str:
    response = client.get("/roadmap/customer/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_customer_says_an_item_matters_and_it_counts_on_its_idea(post, client, customer, item):
    client.force_login(customer)
    response = post(MATTERS, {"item": item.pk, "level": "important", "reason": "Audit"})
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")
    signal = _portal_signals().get()
    idea = item.ideas.get()
    assert (signal.idea, signal.organization.name) == (idea, "Acme Robotics")
    assert (signal.urgency, signal.importance, signal.body) == ("important", 2, "Audit")
    idea.refresh_from_db()
    assert (idea.signal_count, idea.organization_count) == (1, 1)
    page = _page(client)
    assert "Acme Robotics asked for this" in page
    assert "(you: you said important)" in page


def test_colleagues_count_as_their_organization_and_never_see_another(post, client, customer, item):
    colleague = CustomerAccountFactory(organization=customer.customer_account.organization)
    stranger = CustomerAccountFactory(organization=OrganizationFactory(name="Globex"))
    for user in (colleague.user, stranger.user, customer):
        client.force_login(user)
        post(MATTERS, {"item": item.pk, "level": "blocker"})
    idea = item.ideas.get()
    idea.refresh_from_db()
    assert (idea.signal_count, idea.organization_count) == (3, 2)
    page = _page(client)
    assert "(you and 1 colleague: you said blocker)" in page
    assert "Globex" not in page


def test_saying_it_again_changes_the_level_and_still_counts_once(post, client, customer, item):
    client.force_login(customer)
    post(MATTERS, {"item": item.pk, "level": "nice_to_have"})
    post(MATTERS, {"item": item.pk, "level": "blocker", "reason": "Renewal depends on it"})
    signal = _portal_signals().get()
    assert (signal.urgency, signal.importance) == ("blocker", 3)
    assert signal.body == "Renewal depends on it"
    assert CustomerInterest.objects.get().level == "blocker"


def test_withdrawing_takes_the_demand_and_the_score_back(post, client, customer, item):
    idea = item.ideas.get()
    rescore_ideas(idea_ids=[idea.pk])
    client.force_login(customer)
    before = Idea.objects.get(pk=idea.pk).score
    post(MATTERS, {"item": item.pk, "level": "blocker"})
    asked = Idea.objects.get(pk=idea.pk)
    assert asked.score > before, "scoring counts a customer-portal signal like any other"
    post(MATTERS, {"item": item.pk, "withdraw": "on"})
    assert not _portal_signals().exists() and not CustomerInterest.objects.exists()
    idea.refresh_from_db()
    assert (idea.signal_count, idea.score) == (0, before)
    assert "asked for this" not in _page(client)


def test_an_item_without_ideas_waits_in_the_inbox_with_the_customers_plan_and_arr(
    post, client, customer, pm
):
    lonely = CustomerItemFactory(customer_title="Posture checks")
    client.force_login(customer)
    post(MATTERS, {"item": lonely.pk, "level": "important"})
    signal = _portal_signals().get()
    assert signal.idea is None and "Posture checks" in signal.title
    client.force_login(pm)
    inbox = client.get("/admin/intake/inboxsignal/").content.decode()
    assert "Acme Robotics (Enterprise, ARR 100,000)" in inbox
    assert "Customer portal" in inbox


def test_the_pm_reads_why_on_the_idea_with_the_organizations_plan_and_arr(
    post, client, customer, item, pm
):
    client.force_login(customer)
    post(MATTERS, {"item": item.pk, "level": "blocker", "reason": "Our auditors ask"})
    client.force_login(pm)
    idea = item.ideas.get()
    page = client.get(f"/admin/intake/idea/{idea.pk}/change/").content.decode()
    assert "Acme Robotics (Enterprise, ARR 100,000)" in page and "3 (blocker)" in page
    signal = _portal_signals().get()
    assert (
        "Our auditors ask"
        in client.get(f"/admin/intake/signal/{signal.pk}/change/").content.decode()
    )


def test_an_idea_the_organization_asked_for_is_listed_and_can_matter(post, client, customer):
    organization = customer.customer_account.organization
    idea = IdeaFactory(title="Internal: Acme wants exit-node failover", customer_summary="Failover")
    SignalFactory(idea=idea, organization=organization, source=Signal.Source.SALES)
    client.force_login(customer)
    page = _page(client)
    assert f'id="idea-{idea.pk}"' in page and "Failover" in page
    assert "Internal: Acme wants" not in page
    post(MATTERS, {"idea": idea.pk, "level": "nice_to_have"})
    assert _portal_signals().get().idea == idea


def test_nothing_the_customer_cannot_see_can_be_marked(post, client, customer):
    internal = RoadmapItemFactory(ideas=[IdeaFactory()])
    someone_elses = IdeaFactory(customer_summary="Globex's request")
    SignalFactory(idea=someone_elses, organization=OrganizationFactory(name="Globex"))
    client.force_login(customer)
    for data in ({"item": internal.pk}, {"idea": someone_elses.pk}, {"item": 999999}):
        response = post(MATTERS, {**data, "level": "blocker"})
        assert response.status_code == 400, data
    assert not _portal_signals().exists() and not CustomerInterest.objects.exists()


def test_bad_input_is_a_400_with_a_message_and_saves_nothing(post, client, customer, item):
    client.force_login(customer)
    cases = [
        ({"item": item.pk}, "Choose nice to have, important or blocker."),
        ({"item": item.pk, "level": "deal_breaker"}, "Select a valid choice"),
        ({"level": "blocker"}, "Say which item or idea matters to you."),
        ({"item": item.pk, "level": "blocker", "reason": "x" * 2001}, "at most 2000"),
        ({"item": "DROP TABLE", "level": "blocker"}, "Enter a whole number."),
    ]
    for data, message in cases:
        response = post(MATTERS, data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert not _portal_signals().exists()


def test_only_a_customer_says_what_matters_to_their_organization(post, client, employee, item):
    response = post(MATTERS, {"item": item.pk, "level": "blocker"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(employee)
    assert post(MATTERS, {"item": item.pk, "level": "blocker"}).status_code == 403
    assert post(ASK, {"title": "x", "words": "y"}).status_code == 403
    assert not _portal_signals().exists()


def test_a_shared_link_shows_the_organizations_interest_without_the_form(
    post, client, customer, item
):
    from roadmap import services

    client.force_login(customer)
    post(MATTERS, {"item": item.pk, "level": "blocker"})
    client.logout()
    link = services.create_share_link(
        organization=customer.customer_account.organization, user=None, days=3
    )
    page = client.get(f"/roadmap/c/{link.token}/").content.decode()
    assert "Acme Robotics asked for this" in page and "(1 person)" in page
    assert "This matters to us</summary>" not in page and "Ask for something new" not in page


def test_asking_for_something_new_reaches_the_inbox(post, client, customer, pm):
    client.force_login(customer)
    response = post(
        ASK, {"title": "Per-team audit log export", "words": "Our SOC needs each team's log."}
    )
    assert response.status_code == 302
    signal = _portal_signals().get()
    assert (signal.title, signal.idea, signal.organization.name) == (
        "Per-team audit log export", None, "Acme Robotics"
    )  # fmt: skip
    assert "we have your request “Per-team audit log export”" in _page(client)
    client.force_login(pm)
    assert "Per-team audit log export" in client.get("/admin/intake/inboxsignal/").content.decode()


def test_a_request_without_a_title_is_refused_and_kept_on_the_form(post, client, customer):
    client.force_login(customer)
    response = post(ASK, {"title": "", "words": "Something about exit nodes"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page and "Something about exit nodes" in page
    assert post(ASK, {"title": "t" * 201, "words": "w"}).status_code == 400
    assert not _portal_signals().exists()


def test_suggestions_offer_only_what_the_customer_may_see_in_customer_words(client, customer):
    organization = customer.customer_account.organization
    visible = CustomerItemFactory(
        customer_title="Audit log streaming", customer_description="Send events to your SIEM."
    )
    RoadmapItemFactory(title="Audit log streaming to Zanzibar (internal)")
    own = IdeaFactory(title="internal words", customer_summary="Audit log retention of 2 years")
    SignalFactory(idea=own, organization=organization)
    theirs = IdeaFactory(title="audit", customer_summary="Audit log for Globex")
    SignalFactory(idea=theirs, organization=OrganizationFactory(name="Globex"))
    client.force_login(customer)
    results = client.get(SIMILAR, {"q": "audit lo"}).json()["results"]
    titles = [result["title"] for result in results]
    assert titles == ["Audit log streaming", "Audit log retention of 2 years"] or titles == [
        "Audit log retention of 2 years", "Audit log streaming"
    ]  # fmt: skip
    assert {r["url"] for r in results} == {
        f"/roadmap/customer/#item-{visible.pk}", f"/roadmap/customer/#idea-{own.pk}"
    }  # fmt: skip
    assert client.get(SIMILAR, {"q": "zanzibar"}).json() == {"results": []}
    assert client.get(SIMILAR, {"q": "internal words"}).json() == {"results": []}


def test_suggestions_answer_only_a_logged_in_customer(client, employee):
    CustomerItemFactory(customer_title="Audit log streaming")
    assert client.get(SIMILAR, {"q": "audit"}).status_code == 403
    client.force_login(employee)
    assert client.get(SIMILAR, {"q": "audit"}).status_code == 403


def test_the_customer_page_costs_the_same_with_more_interest_and_ideas(client, customer):
    organization = customer.customer_account.organization

    def add(n):
        for _ in range(n):
            item = CustomerItemFactory(ideas=[IdeaFactory()])
            idea = IdeaFactory(customer_summary="A request of ours")
            SignalFactory(idea=idea, organization=organization)
            for account in (
                customer.customer_account,
                CustomerAccountFactory(organization=organization),
            ):
                CustomerInterest.objects.create(
                    user=account.user, organization=organization, item=item, level="important"
                )
                CustomerInterest.objects.create(
                    user=account.user, organization=organization, idea=idea, level="blocker"
                )

    client.force_login(customer)
    add(2)
    client.get("/roadmap/customer/")
    with CaptureQueriesContext(connection) as few:
        client.get("/roadmap/customer/")
    add(8)
    with CaptureQueriesContext(connection) as many:
        page = _page(client)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert page.count("(you and 1 colleague") == 20


def test_a_customer_without_an_e_mail_address_still_counts_once(post, client, item):
    account = CustomerAccountFactory(user=UserFactory(username="noemail", email=""))
    client.force_login(account.user)
    post(MATTERS, {"item": item.pk, "level": "important"})
    post(MATTERS, {"item": item.pk, "level": "blocker"})
    assert _portal_signals().get().author == "noemail"
