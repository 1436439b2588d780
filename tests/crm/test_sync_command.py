"""`python manage.py sync_crm` runs one sync now, as beat does, and prints what changed."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from crm import tasks
from intake.models import Organization
from tests.factories import OrganizationFactory


def test_the_command_prints_what_changed(hubspot, connection):
    OrganizationFactory(name="Globex", arr=1000, plan="business")
    hubspot.add_owner("41", email="dana@acme-vpn.example", first="Dana", last="Scully")
    hubspot.add_company("1", name="Globex", annualrevenue="5000", hubspot_owner_id="41")
    hubspot.add_company("2", name="Hooli", plan="starter")
    out = StringIO()

    call_command("sync_crm", stdout=out)

    text = out.getvalue()
    assert "created Hooli" in text
    assert "linked Globex to CRM id 1" in text
    assert "Globex: arr 1000.00 → 5000.00" in text
    assert "Globex: account_owner_email — → dana@acme-vpn.example" in text
    assert "hubspot: 2 companies, 1 organizations created, 1 linked" in text


def test_the_command_fails_loudly_on_an_outage(hubspot, connection):
    hubspot.add_company("1", name="Globex")
    hubspot.fail("/objects/companies", 502, times=3)

    with pytest.raises(CommandError, match="502"):
        call_command("sync_crm", stdout=StringIO())
    assert not Organization.objects.exists()


def test_without_a_connection_nothing_is_synced(db):
    out = StringIO()
    call_command("sync_crm", stdout=out)
    assert "No enabled CRM connection" in out.getvalue()


def test_beat_runs_the_same_sync(hubspot, connection):
    hubspot.add_company("1", name="Globex")
    assert settings.CELERY_BEAT_SCHEDULE["crm-sync"]["task"] == "crm.sync_crm"

    summary = tasks.sync_crm.delay().get()

    assert "1 organizations created" in summary
    assert Organization.objects.get().crm_id == "1"
