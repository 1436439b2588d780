import pytest

from crm.models import CrmConnection

from .fake_hubspot import TOKEN, FakeHubSpot


@pytest.fixture
def hubspot(settings):
    fake = FakeHubSpot().start()
    settings.HUBSPOT_API_URL = fake.url
    settings.HUBSPOT_ACCESS_TOKEN = TOKEN
    settings.CRM_RETRY_ATTEMPTS = 2
    settings.CRM_BACKOFF_SECONDS = 0
    yield fake
    fake.stop()


@pytest.fixture
def connection(db):
    return CrmConnection.objects.create(
        provider="hubspot",
        arr_property="annualrevenue",
        plan_property="plan",
        renewal_property="renewal_date",
    )
