"""A sync's queries do not grow with the number of companies: matching is batched."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm import services
from crm.providers import CrmCompany
from tests.factories import OrganizationFactory


def _queries(companies) -> int:
    with CaptureQueriesContext(connection) as captured:
        services.apply_companies(companies, result=services.SyncResult(provider="hubspot"))
    return len(captured.captured_queries)


def _batch(start: int, count: int) -> list[CrmCompany]:
    """Half known by name (a sales note made them), half new, each with a domain."""
    companies = []
    for n in range(start, start + count):
        if n % 2:
            OrganizationFactory(name=f"Org {n}", arr=1)
        companies.append(
            CrmCompany(crm_id=str(n), name=f"Org {n}", domains=(f"org{n}.example",), arr=10)
        )
    return companies


def test_matching_four_times_the_companies_costs_the_same_queries(db):
    few = _queries(_batch(0, 20))
    many = _queries(_batch(100, 80))

    assert many == few


def test_a_sync_that_changes_nothing_writes_nothing(db):
    companies = _batch(0, 20)
    services.apply_companies(companies, result=services.SyncResult(provider="hubspot"))

    with CaptureQueriesContext(connection) as captured:
        services.apply_companies(companies, result=services.SyncResult(provider="hubspot"))

    writes = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SELECT")]
    assert writes == []
