"""Products evaluate flags with any OpenFeature SDK over OFREP: here the real Python SDK and
its OFREP provider against a live server."""

import pytest
import requests
from django.core.management import call_command
from openfeature.evaluation_context import EvaluationContext
from openfeature.flag_evaluation import Reason

from rollout import handlers, services
from rollout.models import RolloutState
from tests.factories import OrganizationFactory
from tests.roadmap.factories import RoadmapItemFactory
from tests.rollout.factories import FlagFactory

pytestmark = pytest.mark.django_db(transaction=True)


def ctx(org=None, **attributes) -> EvaluationContext:
    return EvaluationContext(targeting_key=str(org.pk) if org else None, attributes=attributes)


def test_flag_follows_its_items_stage_from_poc_to_ga(ofrep_client):
    item = RoadmapItemFactory(stage="in_development")
    FlagFactory(key="workload-identity", item=item)
    customer, staff = OrganizationFactory(), OrganizationFactory()
    answers = []
    for stage in ("poc", "alpha", "ga"):
        handlers.on_item_stage_changed({"item_id": item.pk, "previous_stage": "", "stage": stage})
        answers.append(
            (
                ofrep_client.get_boolean_value("workload-identity", False, ctx(customer)),
                ofrep_client.get_boolean_value(
                    "workload-identity", False, ctx(staff, internal=True)
                ),
            )
        )
    assert answers == [(False, True), (False, True), (True, True)]


def test_metadata_carries_stage_percentage_and_killed(ofrep_client):
    item = RoadmapItemFactory(stage="beta")
    FlagFactory(key="beta-thing", item=item, state=RolloutState.PERCENTAGE, percentage=25)
    details = ofrep_client.get_boolean_details("beta-thing", False, ctx(OrganizationFactory()))
    assert details.flag_metadata == {
        "stage": "beta",
        "rolloutState": "percentage",
        "rolloutPercentage": 25,
        "killed": False,
    }


def test_plan_targeting_enables_only_the_named_plans(ofrep_client):
    FlagFactory(key="enterprise-only", state=RolloutState.EVERYONE, plans=["enterprise"])
    org = OrganizationFactory()
    assert ofrep_client.get_boolean_value("enterprise-only", False, ctx(org, plan="enterprise"))
    assert not ofrep_client.get_boolean_value("enterprise-only", True, ctx(org, plan="free"))


def test_client_version_gate_enables_only_clients_at_or_above_the_items_minimum(ofrep_client):
    item = RoadmapItemFactory(stage="ga", surface="client", min_client_version="1.60")
    FlagFactory(key="client-thing", item=item, state=RolloutState.EVERYONE)
    org = OrganizationFactory()
    answers = [
        ofrep_client.get_boolean_value("client-thing", False, ctx(org, clientVersion=version))
        for version in ("1.59.9", "1.60.0", "v1.61", "2.0.0")
    ]
    assert answers == [False, True, True, True]
    assert not ofrep_client.get_boolean_value("client-thing", True, ctx(org))


def test_allow_list_enables_and_deny_list_disables_whatever_the_stage(ofrep_client):
    allowed, denied, other = OrganizationFactory(), OrganizationFactory(), OrganizationFactory()
    flag = FlagFactory(key="listed", state=RolloutState.INTERNAL)
    flag.allow.add(allowed)
    everyone = FlagFactory(key="everyone-but", state=RolloutState.EVERYONE)
    everyone.deny.add(denied)
    services.bump_revision()
    assert ofrep_client.get_boolean_value("listed", False, ctx(allowed))
    assert not ofrep_client.get_boolean_value("listed", False, ctx(other))
    assert not ofrep_client.get_boolean_value("everyone-but", True, ctx(denied))
    assert ofrep_client.get_boolean_value("everyone-but", False, ctx(other))


def test_string_variants_split_enabled_organizations_between_experiment_arms(ofrep_client):
    FlagFactory(
        key="pricing",
        state=RolloutState.EVERYONE,
        variants={"off": "current", "seat": "per-seat", "device": "per-device"},
    )
    orgs = OrganizationFactory.create_batch(30)
    values = [ofrep_client.get_string_value("pricing", "x", ctx(org)) for org in orgs]
    assert set(values) == {"per-seat", "per-device"}
    assert values == [ofrep_client.get_string_value("pricing", "x", ctx(org)) for org in orgs]


def test_killed_flag_answers_off_with_reason_disabled_and_undo_restores_it(ofrep_client):
    flag = FlagFactory(key="risky", state=RolloutState.EVERYONE)
    org = OrganizationFactory()
    assert ofrep_client.get_boolean_value("risky", False, ctx(org))
    call_command("kill_flag", "risky", reason="Data loss on Windows clients")
    details = ofrep_client.get_boolean_details("risky", True, ctx(org))
    assert (details.value, details.reason, details.flag_metadata["killed"]) == (
        False,
        Reason.DISABLED,
        True,
    )
    services.unkill_flag(flag=flag, reason="Fixed in 1.62.1")
    assert ofrep_client.get_boolean_value("risky", False, ctx(org))


def test_unknown_flag_gives_the_callers_default_with_flag_not_found(ofrep_client):
    details = ofrep_client.get_boolean_details("no-such-flag", True, ctx())
    assert (details.value, details.error_code.value) == (True, "FLAG_NOT_FOUND")


def test_bulk_evaluation_answers_304_until_a_flag_changes(live_server, sdk_key):
    flag = FlagFactory(key="bulk-a", state=RolloutState.EVERYONE)
    FlagFactory(key="bulk-b")
    url = f"{live_server.url}/ofrep/v1/evaluate/flags"
    headers = {"Authorization": f"Bearer {sdk_key}"}
    body = {"context": {"targetingKey": "42"}}
    first = requests.post(url, json=body, headers=headers, timeout=5)
    assert [(f["key"], f["value"]) for f in first.json()["flags"]] == [
        ("bulk-a", True),
        ("bulk-b", False),
    ]
    etag = first.headers["ETag"]
    again = requests.post(url, json=body, headers={**headers, "If-None-Match": etag}, timeout=5)
    assert again.status_code == 304
    other = requests.post(
        url,
        json={"context": {"targetingKey": "43"}},
        headers={**headers, "If-None-Match": etag},
        timeout=5,
    )
    assert other.status_code == 200
    services.kill_flag(flag=flag, reason="Incident 7")
    changed = requests.post(url, json=body, headers={**headers, "If-None-Match": etag}, timeout=5)
    assert changed.status_code == 200
    assert changed.json()["flags"][0]["value"] is False


def test_requests_without_a_valid_sdk_key_are_refused(live_server, sdk_key):
    FlagFactory(key="secret-plans")
    url = f"{live_server.url}/ofrep/v1/evaluate/flags/secret-plans"
    assert requests.post(url, json={}, timeout=5).status_code == 401
    wrong = {"Authorization": "Bearer ii_sdk_not-a-key"}
    assert requests.post(url, json={}, headers=wrong, timeout=5).status_code == 401
    export = requests.get(f"{live_server.url}/ofrep/flagd.json", timeout=5)
    assert export.status_code == 401


def test_revoked_key_stops_working(live_server, sdk_key):
    from rollout.models import SdkKey

    FlagFactory(key="some-flag")
    url = f"{live_server.url}/ofrep/v1/evaluate/flags/some-flag"
    headers = {"Authorization": f"Bearer {sdk_key}"}
    assert requests.post(url, json={}, headers=headers, timeout=5).status_code == 200
    services.revoke_sdk_keys(SdkKey.objects.all())
    assert requests.post(url, json={}, headers=headers, timeout=5).status_code == 401


def test_malformed_context_is_a_400_with_ofrep_error_code(live_server, sdk_key):
    FlagFactory(key="some-flag")
    url = f"{live_server.url}/ofrep/v1/evaluate/flags/some-flag"
    headers = {"Authorization": f"Bearer {sdk_key}", "Content-Type": "application/json"}
    for body in ("not json", '{"context": [1]}', '{"context": {"targetingKey": 5}}'):
        answer = requests.post(url, data=body, headers=headers, timeout=5)
        assert (answer.status_code, answer.json()["errorCode"]) == (400, "INVALID_CONTEXT")


def test_flagd_export_is_the_definition_set_flagd_replicas_sync(live_server, sdk_key):
    from openfeature.contrib.tools.flagd.core import FlagdCore

    FlagFactory(key="exported", state=RolloutState.EVERYONE)
    answer = requests.get(
        f"{live_server.url}/ofrep/flagd.json",
        headers={"Authorization": f"Bearer {sdk_key}"},
        timeout=5,
    )
    core = FlagdCore()
    core.set_flags(answer.text)
    assert core.resolve_boolean_value("exported", False, ctx(OrganizationFactory())).value is True
