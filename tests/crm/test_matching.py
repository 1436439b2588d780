"""A HubSpot sync links organizations by CRM id, then domain, then name, never duplicating."""

from decimal import Decimal

from crm import services
from intake.models import Organization, OrganizationDomain
from tests.factories import OrganizationFactory


def _sync(connection):
    result = services.sync_connection(connection=connection)
    assert result.error == ""
    return result


def test_organization_made_by_a_sales_note_is_linked_not_duplicated(hubspot, connection):
    globex = OrganizationFactory(name="Globex", plan="business", arr=0)
    hubspot.add_owner("41", email="dana@acme-vpn.example", first="Dana", last="Scully")
    hubspot.add_company(
        "9001", name="  globex ", annualrevenue="250000", plan="Enterprise",
        renewal_date="2027-01-17", hubspot_owner_id="41",
    )  # fmt: skip

    _sync(connection)

    assert Organization.objects.count() == 1
    globex.refresh_from_db()
    assert globex.crm_id == "9001"
    assert globex.arr == Decimal("250000.00")
    assert globex.plan == "enterprise"
    assert str(globex.renewal_date) == "2027-01-17"
    assert (globex.account_owner_name, globex.account_owner_email) == (
        "Dana Scully",
        "dana@acme-vpn.example",
    )


def test_a_domain_match_wins_over_a_name_match(hubspot, connection):
    initech = OrganizationFactory(name="Initech Corporation")
    OrganizationDomain.objects.create(organization=initech, domain="initech.com")
    other = OrganizationFactory(name="Initech")
    hubspot.add_company("77", name="Initech", domain="www.initech.com", annualrevenue="90000")

    _sync(connection)

    initech.refresh_from_db()
    other.refresh_from_db()
    assert initech.crm_id == "77"
    assert other.crm_id == ""
    assert Organization.objects.count() == 2


def test_a_company_renamed_in_the_crm_still_matches_by_crm_id(hubspot, connection):
    hubspot.add_company("5", name="Umbrella", annualrevenue="1000")
    _sync(connection)
    hubspot.add_company("5", name="Umbrella Corporation", annualrevenue="2000")

    _sync(connection)

    umbrella = Organization.objects.get()
    assert (umbrella.name, umbrella.arr) == ("Umbrella", Decimal("2000.00"))


def test_a_new_company_becomes_an_organization_with_its_domains_once(hubspot, connection):
    hubspot.add_company(
        "12", name="Hooli", domain="hooli.com", hs_additional_domains="hooli.io;hooli.xyz"
    )

    first = _sync(connection)
    second = _sync(connection)

    hooli = Organization.objects.get()
    assert first.created == ["Hooli"]
    assert second.created == [] and second.changes == []
    assert sorted(hooli.domains.values_list("domain", flat=True)) == [
        "hooli.com",
        "hooli.io",
        "hooli.xyz",
    ]


def test_an_organization_linked_to_another_crm_company_is_not_taken_over(hubspot, connection):
    OrganizationFactory(name="Soylent", crm_id="1")
    hubspot.add_company("2", name="Soylent", annualrevenue="5")

    result = _sync(connection)

    assert Organization.objects.count() == 1
    assert Organization.objects.get().crm_id == "1"
    assert result.skipped == ["Soylent: its match Soylent is CRM id 1"]


def test_a_pm_value_is_kept_where_the_crm_has_none(hubspot, connection):
    vandelay = OrganizationFactory(name="Vandelay", arr=42000, plan="business")
    hubspot.add_company("3", name="Vandelay", plan="enterprise")

    _sync(connection)

    vandelay.refresh_from_db()
    assert vandelay.arr == Decimal("42000.00")
    assert vandelay.plan == "enterprise"
    assert vandelay.crm_fields == ["plan"]


def test_every_page_of_companies_is_read(hubspot, connection):
    for n in range(1, 251):
        hubspot.add_company(str(n), name=f"Company {n}", annualrevenue=str(n * 100))

    result = _sync(connection)

    assert result.companies == 250
    assert Organization.objects.count() == 250
    pages = [path for path in hubspot.requests if "/objects/companies" in path]
    assert len(pages) == 3
