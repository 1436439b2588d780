"""A CRM outage or rate limit mid-sync loses nothing, applies nothing half-way, and the next
run repeats safely."""

from decimal import Decimal

import pytest

from crm import services
from intake.models import Organization
from tests.factories import OrganizationFactory


def _companies(hubspot, count):
    for n in range(1, count + 1):
        hubspot.add_company(str(n), name=f"Company {n}", annualrevenue=str(n * 1000))


@pytest.mark.parametrize("status", [503, 429])
def test_a_failure_on_the_second_page_changes_nothing(hubspot, connection, status):
    kept = OrganizationFactory(name="Company 1", arr=7)
    _companies(hubspot, 150)
    hubspot.fail("/objects/companies", status, after="100", times=3)

    result = services.sync_connection(connection=connection)

    assert str(status) in result.error
    kept.refresh_from_db()
    assert (kept.crm_id, kept.arr) == ("", Decimal("7.00"))
    assert Organization.objects.count() == 1
    connection.refresh_from_db()
    assert connection.last_success_at is None
    assert str(status) in connection.last_error


def test_the_next_run_after_an_outage_applies_everything_once(hubspot, connection):
    _companies(hubspot, 150)
    hubspot.fail("/objects/companies", 503, after="100", times=3)
    services.sync_connection(connection=connection)

    result = services.sync_connection(connection=connection)

    assert result.error == ""
    assert Organization.objects.count() == 150
    assert Organization.objects.get(crm_id="150").arr == Decimal("150000.00")
    connection.refresh_from_db()
    assert connection.last_error == "" and connection.last_success_at is not None


def test_an_owners_outage_changes_nothing(hubspot, connection):
    _companies(hubspot, 3)
    hubspot.fail("/crm/v3/owners", 500, times=3)

    result = services.sync_connection(connection=connection)

    assert "500" in result.error
    assert not Organization.objects.exists()


def test_a_wrong_token_is_reported(hubspot, connection, settings):
    settings.HUBSPOT_ACCESS_TOKEN = "pat-na1-wrong"
    _companies(hubspot, 1)

    result = services.sync_connection(connection=connection)

    assert "401" in result.error
    assert "pat-na1-wrong" not in result.error


def test_a_short_rate_limit_is_waited_out(hubspot, connection):
    _companies(hubspot, 150)
    hubspot.fail("/objects/companies", 429, after="100", times=1)

    result = services.sync_connection(connection=connection)

    assert result.error == ""
    assert Organization.objects.count() == 150
