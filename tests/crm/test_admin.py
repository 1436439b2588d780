"""The CRM connection's admin maps properties and shows sync health, never a credential."""

from django.urls import reverse

from crm import services
from crm.models import CrmConnection
from intake.models import Organization
from tests.crm.fake_hubspot import TOKEN


def test_a_pm_maps_the_crm_properties_in_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:crm_crmconnection_add"),
        {
            "provider": "hubspot", "enabled": "on", "arr_property": "arr_usd",
            "plan_property": "tier", "renewal_property": "contract_renewal",
        },
    )  # fmt: skip

    assert response.status_code == 302
    connection = CrmConnection.objects.get()
    assert (connection.arr_property, connection.plan_property) == ("arr_usd", "tier")


def test_the_mapped_properties_are_the_ones_read(hubspot, connection):
    connection.arr_property = "arr_usd"
    connection.save()
    hubspot.add_company("1", name="Globex", annualrevenue="1", arr_usd="777000")

    services.sync_connection(connection=connection)

    assert Organization.objects.get().arr == 777000


def test_sync_health_is_shown_without_the_token(admin_client, hubspot, connection):
    hubspot.fail("/objects/companies", 503, times=3)
    services.sync_connection(connection=connection)

    page = admin_client.get(reverse("admin:crm_crmconnection_changelist")).content.decode()

    assert "HubSpot answered 503" in page
    assert TOKEN not in page
