"""Flags on the roadmaps: the internal roadmap shows each item's flag and rollout; customers see
"Enabled for your organization" and can ask to join an Alpha."""

import pytest

from intake.models import Signal
from rollout import services
from rollout.models import EarlyAccessRequest, RolloutState
from tests.factories import IdeaFactory, OrganizationFactory
from tests.roadmap.factories import CustomerAccountFactory, CustomerItemFactory, RoadmapItemFactory
from tests.rollout.factories import FlagFactory

pytestmark = pytest.mark.django_db


def test_internal_roadmap_shows_flag_state_percentage_killed_and_history_link(client, employee):
    item = RoadmapItemFactory(title="Workload identity", stage="beta")
    FlagFactory(key="workload-identity", item=item, state=RolloutState.PERCENTAGE, percentage=25)
    killed = FlagFactory(key="old-path", item=item, state=RolloutState.EVERYONE)
    services.kill_flag(flag=killed, reason="Incident")
    client.force_login(employee)
    page = client.get("/roadmap/internal/").content.decode()
    assert "<code>workload-identity</code>: A percentage of organizations · 25 %" in page
    assert '<code>old-path</code>: <span class="badge killed">Killed</span>' in page
    assert 'href="/rollout/flags/workload-identity/"' in page


def test_flag_history_page_shows_who_changed_what(client, employee, pm):
    flag = FlagFactory(key="workload-identity")
    services.set_rollout(flag=flag, state=RolloutState.INTERNAL, user=pm, reason="Dogfood")
    client.force_login(employee)
    page = client.get("/rollout/flags/workload-identity/").content.decode()
    assert "pat" in page and "Dogfood" in page and "state: off → internal" in page


def test_flag_history_is_for_employees_only(client, outsider):
    FlagFactory(key="workload-identity")
    client.force_login(outsider)
    assert client.get("/rollout/flags/workload-identity/").status_code == 403


@pytest.fixture
def customer():
    return CustomerAccountFactory(organization=OrganizationFactory(name="Acme Robotics"))


def test_customer_sees_enabled_for_your_organization_where_the_flag_is_on(client, customer):
    on = CustomerItemFactory(customer_title="Key rotation", stage="ga")
    off = CustomerItemFactory(customer_title="Posture checks", stage="beta")
    FlagFactory(item=on, state=RolloutState.EVERYONE)
    FlagFactory(item=off, state=RolloutState.PERCENTAGE, percentage=0)
    client.force_login(customer.user)
    page = client.get("/roadmap/customer/").content.decode()
    assert page.count("Enabled for your organization") == 1
    assert page.index("Key rotation") < page.index("Enabled for your organization")
    assert page.index("Enabled for your organization") < page.index("Posture checks")


def test_asking_to_join_an_alpha_signals_demand_and_waits_for_a_pm(client, customer, pm):
    ideas = [IdeaFactory(), IdeaFactory()]
    item = CustomerItemFactory(customer_title="Key rotation", stage="alpha", ideas=ideas)
    flag = FlagFactory(item=item, state=RolloutState.OPTED_IN)
    client.force_login(customer.user)
    assert "Early access: ask to join" in client.get("/roadmap/customer/").content.decode()
    client.post(f"/rollout/early-access/{item.pk}/")
    client.post(f"/rollout/early-access/{item.pk}/")  # twice: still one request per idea
    signals = Signal.objects.filter(organization=customer.organization)
    assert sorted(s.idea_id for s in signals) == sorted(i.pk for i in ideas)
    page = client.get("/roadmap/customer/").content.decode()
    assert "Early access requested" in page and "Enabled for your organization" not in page

    request = EarlyAccessRequest.objects.get()
    services.decide_early_access(request=request, approve=True, user=pm)
    assert list(flag.opted_in.all()) == [customer.organization]
    assert "Enabled for your organization" in client.get("/roadmap/customer/").content.decode()


def test_early_access_is_only_for_alpha_items(client, customer):
    item = CustomerItemFactory(stage="beta")
    FlagFactory(item=item, state=RolloutState.PERCENTAGE)
    client.force_login(customer.user)
    client.post(f"/rollout/early-access/{item.pk}/")
    assert not EarlyAccessRequest.objects.exists()


def test_only_customer_accounts_can_ask(client, employee):
    item = CustomerItemFactory(stage="alpha")
    FlagFactory(item=item, state=RolloutState.OPTED_IN)
    client.force_login(employee)
    assert client.post(f"/rollout/early-access/{item.pk}/").status_code == 403


def test_customer_page_queries_do_not_grow_with_flagged_items(
    client, customer, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for _ in range(n):
            FlagFactory(item=CustomerItemFactory(stage="alpha"), state=RolloutState.OPTED_IN)

    client.force_login(customer.user)
    add(2)
    client.get("/roadmap/customer/")
    with CaptureQueriesContext(connection) as few:
        client.get("/roadmap/customer/")
    expected = len(few.captured_queries)
    add(10)
    services.bump_revision()
    client.get("/roadmap/customer/")  # compile the new flags once
    with django_assert_num_queries(expected):
        client.get("/roadmap/customer/")


@pytest.mark.parametrize(
    ("approve", "shown"),
    [
        (None, "Early access requested: waiting for our product team’s answer."),
        (True, "Early access approved"),
        (False, "Early access declined: we could not include your organization in this Alpha."),
    ],
)
def test_customer_sees_what_became_of_their_early_access_request(
    client, customer, pm, approve, shown
):
    item = CustomerItemFactory(customer_title="Key rotation", stage="alpha", ideas=[IdeaFactory()])
    FlagFactory(item=item, state=RolloutState.OPTED_IN)
    client.force_login(customer.user)
    client.post(f"/rollout/early-access/{item.pk}/")
    if approve is not None:
        request = EarlyAccessRequest.objects.get()
        services.decide_early_access(request=request, approve=approve, user=pm)
    page = client.get("/roadmap/customer/").content.decode()
    assert shown in page
    assert "Early access: ask to join" not in page
