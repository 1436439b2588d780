"""The kill switch: a command and an admin action; reason required and kept; owners told;
webhooks hear `flag.killed`; undo is separate and recorded."""

import json

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from roadmap.models import Webhook, WebhookDelivery
from rollout import services
from rollout.models import Flag, RolloutState
from tests.factories import UserFactory
from tests.roadmap.factories import PublicItemFactory
from tests.rollout.factories import FlagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned_flag():
    owner = UserFactory(username="owner", email="owner@example.com")
    item_pm = UserFactory(username="itempm", email="itempm@example.com")
    item = PublicItemFactory(pm=item_pm, stage="ga")
    return FlagFactory(key="workload-identity", item=item, pm=owner, state=RolloutState.EVERYONE)


def test_kill_command_needs_a_reason(owned_flag):
    with pytest.raises(CommandError, match="Say why"):
        call_command("kill_flag", "workload-identity", reason="  ")
    assert not Flag.objects.get(pk=owned_flag.pk).killed


def test_kill_command_records_the_reason_and_tells_both_owners(
    owned_flag, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("kill_flag", "workload-identity", reason="Token leak in logs")
    flag = Flag.objects.get(pk=owned_flag.pk)
    assert (flag.killed, flag.kill_reason) == (True, "Token leak in logs")
    assert flag.history.first().history_change_reason == "Killed: Token leak in logs"
    assert [m.to for m in mail.outbox] == [["itempm@example.com", "owner@example.com"]]
    assert "Token leak in logs" in mail.outbox[0].body


def test_unknown_flag_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No flag nope"):
        call_command("kill_flag", "nope", reason="x")


def test_internal_webhooks_hear_flag_killed_and_public_ones_do_not(
    owned_flag, django_capture_on_commit_callbacks
):
    internal = Webhook.objects.create(
        name="ops", url="https://hooks.example.com/a", events=["flag.killed"], secret="s" * 20
    )
    Webhook.objects.create(
        name="public",
        url="https://hooks.example.com/b",
        events=["flag.killed"],
        secret="s" * 20,
        audience=Webhook.Audience.PUBLIC,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.kill_flag(flag=owned_flag, reason="Outage")
    deliveries = list(WebhookDelivery.objects.all())
    assert [d.webhook for d in deliveries] == [internal]
    body = json.loads(deliveries[0].body)
    assert (body["event"], body["data"]["flag"]["key"], body["data"]["flag"]["reason"]) == (
        "flag.killed",
        "workload-identity",
        "Outage",
    )


def test_undo_is_a_separate_recorded_action(owned_flag):
    services.kill_flag(flag=owned_flag, reason="Outage")
    call_command("unkill_flag", "workload-identity", reason="Fixed")
    flag = Flag.objects.get(pk=owned_flag.pk)
    assert not flag.killed and flag.state == RolloutState.EVERYONE
    reasons = [h.history_change_reason for h in flag.history.all()]
    assert reasons[:2] == ["Kill undone: Fixed", "Killed: Outage"]


def test_admin_kill_action_asks_for_a_reason_then_kills(client, pm, owned_flag):
    client.force_login(pm)
    url = "/admin/rollout/flag/"
    selected = {"action": "kill", "_selected_action": [owned_flag.pk]}
    page = client.post(url, selected)
    assert b"Reason" in page.content and not Flag.objects.get(pk=owned_flag.pk).killed
    client.post(url, {**selected, "apply": "1", "reason": ""})
    assert not Flag.objects.get(pk=owned_flag.pk).killed
    client.post(url, {**selected, "apply": "1", "reason": "Crash loop"})
    flag = Flag.objects.get(pk=owned_flag.pk)
    assert (flag.kill_reason, flag.killed_by) == ("Crash loop", pm)


def test_admin_undo_kill_action(client, pm, owned_flag):
    services.kill_flag(flag=owned_flag, reason="Outage")
    client.force_login(pm)
    client.post(
        "/admin/rollout/flag/", {"action": "undo_kill", "_selected_action": [owned_flag.pk]}
    )
    assert not Flag.objects.get(pk=owned_flag.pk).killed


def test_owners_are_told_once_even_if_the_event_runs_twice(
    owned_flag, django_capture_on_commit_callbacks
):
    from intake.models import OutboxEvent
    from rollout import handlers

    with django_capture_on_commit_callbacks(execute=True):
        services.kill_flag(flag=owned_flag, reason="Outage")
    row = OutboxEvent.objects.get(handler="rollout.handlers.tell_owners_flag_killed")
    handlers.tell_owners_flag_killed(row.payload)
    assert len(mail.outbox) == 1
