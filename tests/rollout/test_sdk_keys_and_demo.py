"""SDK keys are printed once and kept hashed; the demo ships flags for every stage."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from rollout import selectors
from rollout.demo import load_demo_flags
from rollout.models import Flag, SdkKey, hash_sdk_key

pytestmark = pytest.mark.django_db


def test_create_sdk_key_prints_the_key_once_and_keeps_only_its_hash():
    out = StringIO()
    call_command("create_sdk_key", "web app", stdout=out, stderr=StringIO())
    secret = out.getvalue().strip()
    key = SdkKey.objects.get()
    assert key.name == "web app" and key.key_hash == hash_sdk_key(secret)
    assert secret not in str(SdkKey.objects.values().get())


def test_sdk_keys_are_listed_and_revoked_in_the_admin(client, pm):
    call_command("create_sdk_key", "mobile", stdout=StringIO(), stderr=StringIO())
    key = SdkKey.objects.get()
    client.force_login(pm)
    assert "mobile" in client.get("/admin/rollout/sdkkey/").content.decode()
    client.post("/admin/rollout/sdkkey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_at <= timezone.now()


def test_demo_has_flags_for_every_stage_one_killed_one_stale():
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    flags = Flag.objects.select_related("item")
    assert {f.item.stage for f in flags if f.item} >= {"poc", "alpha", "beta", "ga", "shipped"}
    assert sum(f.killed for f in flags) == 1
    assert len(selectors.stale_flags()) == 1
    assert load_demo_flags()["sdk_key"] == ""  # once
