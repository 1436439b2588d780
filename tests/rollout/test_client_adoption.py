"""Client adoption: the platform reports devices per client version (API or CSV); client work
shows the share on the new version, and a version-gated flag waits for it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openfeature.evaluation_context import EvaluationContext

from rollout import evaluation, selectors
from rollout.models import ClientVersionCount, RolloutState
from tests.factories import api_token
from tests.roadmap.factories import RoadmapItemFactory
from tests.rollout.factories import FlagFactory

pytestmark = pytest.mark.django_db
URL = "/api/client-versions/"
SNAPSHOT = [
    {"version": "1.58.0", "devices": 100},
    {"version": "1.60.1", "devices": 300},
    {"version": "1.62.0", "devices": 600},
]


def post(client, token, data):
    return client.post(
        URL, data, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )


def test_a_pm_token_replaces_the_previous_snapshot(client, pm):
    token = api_token(pm)
    post(client, token, [{"version": "1.0.0", "devices": 5}])
    answer = post(client, token, SNAPSHOT)
    assert (answer.status_code, answer.json()) == (200, {"versions": 3})
    assert sorted(ClientVersionCount.objects.values_list("version", "devices")) == [
        ("1.58.0", 100),
        ("1.60.1", 300),
        ("1.62.0", 600),
    ]


@pytest.mark.parametrize("who", ["anonymous", "employee"])
def test_only_pms_may_report_adoption(client, employee, who):
    headers = {}
    if who == "employee":
        headers["HTTP_AUTHORIZATION"] = f"Token {api_token(employee)}"
    answer = client.post(URL, SNAPSHOT, content_type="application/json", **headers)
    assert answer.status_code in (401, 403)
    assert not ClientVersionCount.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"version": "1.0.0", "devices": 3},
        [{"version": "not-a-version", "devices": 3}],
        [{"version": "1.0.0", "devices": -1}],
        [{"version": "1.0.0", "devices": 1}, {"version": "1.0.0", "devices": 2}],
    ],
)
def test_bad_input_is_a_400_and_keeps_the_previous_snapshot(client, pm, bad):
    token = api_token(pm)
    post(client, token, SNAPSHOT)
    answer = post(client, token, bad)
    assert answer.status_code == 400
    assert ClientVersionCount.objects.count() == 3


def test_csv_upload_in_the_admin_replaces_the_snapshot(client, pm):
    client.force_login(pm)
    data = b"version,devices\n1.60.0,10\n1.62.0,30\n"
    client.post(
        "/admin/rollout/clientversioncount/upload/",
        {"file": SimpleUploadedFile("adoption.csv", data, content_type="text/csv")},
    )
    assert selectors.adoption_share("1.62") == 75.0


def test_a_csv_without_the_columns_is_refused_with_a_message(client, pm):
    client.force_login(pm)
    page = client.post(
        "/admin/rollout/clientversioncount/upload/",
        {"file": SimpleUploadedFile("adoption.csv", b"v,n\n1.0,3\n", content_type="text/csv")},
    )
    assert b"needs a header row" in page.content
    assert not ClientVersionCount.objects.exists()


def test_client_item_shows_the_share_of_devices_on_its_version(client, employee, pm):
    post(client, api_token(pm), SNAPSHOT)
    RoadmapItemFactory(surface="client", min_client_version="1.60")
    client.force_login(employee)
    page = client.get("/roadmap/internal/").content.decode()
    assert "90 % of devices carry client 1.60 or newer." in page


def test_percentage_rollout_waits_until_enough_devices_carry_the_version(client, pm, settings):
    settings.ROLLOUT_ADOPTION_THRESHOLD = 80
    token = api_token(pm)
    item = RoadmapItemFactory(stage="beta", surface="client", min_client_version="1.62")
    FlagFactory(key="gated", item=item, state=RolloutState.PERCENTAGE, percentage=100)
    context = EvaluationContext(targeting_key="7", attributes={"clientVersion": "1.62.0"})
    post(client, token, SNAPSHOT)  # 60 % on 1.62+
    waiting = evaluation.evaluate(evaluation.current(), "gated", context)
    post(
        client, token, [{"version": "1.58.0", "devices": 10}, {"version": "1.62.0", "devices": 90}]
    )
    started = evaluation.evaluate(evaluation.current(), "gated", context)
    assert (waiting["value"], waiting["metadata"]["waitingForAdoption"]) == (False, True)
    assert (started["value"], started["metadata"]["rolloutPercentage"]) == (True, 100)


def test_a_pm_changing_the_minimum_client_version_in_the_admin_retargets_the_items_flag(
    client, pm, settings, django_capture_on_commit_callbacks
):
    settings.ROLLOUT_REFRESH_SECONDS = 0
    item = RoadmapItemFactory(surface="client", min_client_version="1.60.0")
    FlagFactory(key="exit-nodes", item=item)
    before = evaluation.current().definitions["flags"]["exit-nodes"]
    assert before["metadata"]["minClientVersion"] == "1.60.0"
    client.force_login(pm)
    data = {
        "title": item.title, "visibility": item.visibility, "horizon": item.horizon,
        "stage": item.stage, "priority": item.priority, "surface": "client",
        "min_client_version": "1.66.0", "ideas": [], "dependent_teams": [],
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/roadmap/roadmapitem/{item.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    flag = evaluation.current().definitions["flags"]["exit-nodes"]
    assert flag["metadata"]["minClientVersion"] == "1.66.0"
