"""PMs create and edit flags in the admin; an edit reaches evaluation and the history."""

import pytest
from openfeature.evaluation_context import EvaluationContext

from rollout import evaluation
from rollout.models import Flag
from tests.factories import OrganizationFactory
from tests.roadmap.factories import RoadmapItemFactory

pytestmark = pytest.mark.django_db


def form(**overrides):
    data = {
        "key": "workload-identity",
        "description": "Short-lived credentials for workloads",
        "variants": '{"on": true, "off": false}',
        "off_variant": "off",
        "state": "everyone",
        "percentage": "0",
        "plans": ["enterprise"],
        "wait_for_adoption": "on",
    }
    return {**data, **overrides}


def test_pm_creates_a_flag_and_products_see_it_at_once(client, pm):
    item = RoadmapItemFactory(stage="ga")
    denied = OrganizationFactory()
    client.force_login(pm)
    assert client.get("/admin/rollout/flag/add/").status_code == 200
    client.post("/admin/rollout/flag/add/", form(item=item.pk, deny=[denied.pk]))
    flag = Flag.objects.get()
    assert (flag.item, list(flag.deny.all()), flag.plans) == (item, [denied], ["enterprise"])
    compiled = evaluation.current()
    on = EvaluationContext(targeting_key="999", attributes={"plan": "enterprise"})
    off = EvaluationContext(targeting_key=str(denied.pk), attributes={"plan": "enterprise"})
    assert evaluation.is_enabled(compiled, "workload-identity", on)
    assert not evaluation.is_enabled(compiled, "workload-identity", off)
    assert flag.history.first().history_user == pm


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("key", "Not A Key", "Lower-case letters"),
        ("off_variant", "nope", "Name one of the variants"),
        ("variants", '{"on": true}', "at least one other"),
    ],
)
def test_bad_flags_are_refused_with_a_message(client, pm, field, value, message):
    client.force_login(pm)
    page = client.post("/admin/rollout/flag/add/", form(**{field: value}))
    assert message in page.content.decode()
    assert not Flag.objects.exists()
