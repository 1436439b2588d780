"""Stale flags ("remove from code") by command and on /planning/, with items that lack a flag."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from rollout.models import Flag, RolloutState
from tests.factories import TeamFactory, UserFactory
from tests.roadmap.factories import RoadmapItemFactory
from tests.rollout.factories import FlagFactory

pytestmark = pytest.mark.django_db


def ago(days):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def flags():
    team, pm = TeamFactory(name="Identity"), UserFactory(username="pia", first_name="Pia")
    full = FlagFactory(key="full-on", state=RolloutState.EVERYONE, owner_team=team, pm=pm)
    recent = FlagFactory(key="recently-on", state=RolloutState.EVERYONE)
    killed = FlagFactory(key="long-killed", killed_at=ago(31), kill_reason="x")
    FlagFactory(key="just-killed", killed_at=ago(29), kill_reason="x")
    shipped = RoadmapItemFactory(title="Old feature", stage="shipped", shipped_at=ago(100))
    FlagFactory(key="shipped-long-ago", item=shipped, state=RolloutState.PERCENTAGE)
    Flag.objects.filter(pk=full.pk).update(state_changed_at=ago(95))
    Flag.objects.filter(pk=recent.pk).update(state_changed_at=ago(80))
    return killed


def test_command_lists_each_stale_flag_with_owner_state_and_days(flags):
    out = StringIO()
    call_command("stale_flags", "--json", stdout=out)
    rows = {row["key"]: row for row in json.loads(out.getvalue())}
    assert set(rows) == {"full-on", "long-killed", "shipped-long-ago"}
    assert rows["full-on"] == {
        "key": "full-on",
        "item": "",
        "owner": "Identity / Pia",
        "state": "on for everyone",
        "days": 95,
        "why": "fully on 90+ days",
    }
    assert (rows["long-killed"]["state"], rows["long-killed"]["days"]) == ("killed", 31)
    assert rows["shipped-long-ago"]["item"] == "Old feature"


def test_command_in_words(flags):
    out = StringIO()
    call_command("stale_flags", stdout=out)
    assert "full-on · Identity / Pia · on for everyone for 95 days" in out.getvalue()


def test_planning_page_lists_stale_flags_and_items_in_rollout_stages_without_a_flag(
    client, employee, flags
):
    RoadmapItemFactory(title="Beta item with no flag", stage="beta")
    FlagFactory(item=RoadmapItemFactory(title="Flagged GA", stage="ga"))
    client.force_login(employee)
    page = client.get("/planning/").content.decode()
    assert "remove from code" in page and "long-killed" in page and "full-on" in page
    assert "just-killed" not in page
    assert "Beta item with no flag" in page and "Flagged GA" not in page
