import pytest
from django.urls import reverse

from intake.models import Organization, Signal
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

VALID = {
    "new_organization_name": "Globex",
    "title": "SCIM provisioning for Okta",
    "words": "We cannot roll out to 4,000 seats without SCIM.",
    "arr_at_stake": "250000",
    "deal_stage": "open",
    "urgency": "deal_breaker",
    "competitor": "Zscaler",
}


def test_sales_rep_records_feedback_for_a_new_customer(client, sales_rep):
    client.force_login(sales_rep)
    response = client.post(reverse("submit-sales"), VALID)
    assert response.status_code == 302
    signal = Signal.objects.get()
    assert signal.source == Signal.Source.SALES
    assert signal.organization.name == "Globex"
    assert signal.arr_at_stake == 250000
    assert signal.urgency == "deal_breaker"
    assert signal.importance == 3
    assert signal.competitor == "Zscaler"
    assert signal.author_email == sales_rep.email
    assert signal.idea.title == "SCIM provisioning for Okta"


def test_sales_rep_picks_an_existing_customer(client, sales_rep):
    org = OrganizationFactory(name="Initech")
    client.force_login(sales_rep)
    client.post(
        reverse("submit-sales"), {**VALID, "new_organization_name": "", "organization": org.pk}
    )
    assert Signal.objects.get().organization == org
    assert Organization.objects.count() == 1


def test_new_customer_name_matching_an_existing_one_reuses_it(client, sales_rep):
    OrganizationFactory(name="Globex")
    client.force_login(sales_rep)
    client.post(reverse("submit-sales"), {**VALID, "new_organization_name": "globex"})
    assert Organization.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"arr_at_stake": "-5"}, "arr_at_stake"),
        ({"arr_at_stake": "lots"}, "arr_at_stake"),
        ({"urgency": "yesterday"}, "urgency"),
        ({"deal_stage": "maybe"}, "deal_stage"),
        ({"new_organization_name": ""}, "organization"),
        ({"organization": "99999", "new_organization_name": ""}, "organization"),
        ({"title": "t" * 201}, "title"),
        ({"words": ""}, "words"),
    ],
)
def test_bad_sales_input_is_refused_with_nothing_saved(client, sales_rep, change, field):
    client.force_login(sales_rep)
    response = client.post(reverse("submit-sales"), {**VALID, **change})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Signal.objects.exists()
    assert not Organization.objects.exists()


def test_employees_outside_sales_cannot_open_the_sales_form(client, employee):
    client.force_login(employee)
    assert client.get(reverse("submit-sales")).status_code == 403
