"""When an item's stage changes, its unpinned flags follow the stage policy; every change is in
the flag's history."""

import pytest

from rollout import handlers
from rollout.models import Flag, RolloutState, StagePolicy
from tests.roadmap.factories import RoadmapItemFactory
from tests.rollout.factories import FlagFactory

pytestmark = pytest.mark.django_db


def stage_changed(item, stage):
    handlers.on_item_stage_changed(
        {"item_id": item.pk, "previous_stage": item.stage, "stage": stage}
    )


@pytest.mark.parametrize(
    ("stage", "state", "percentage"),
    [
        ("poc", RolloutState.INTERNAL, 0),
        ("alpha", RolloutState.OPTED_IN, 0),
        ("beta", RolloutState.PERCENTAGE, 25),
        ("ga", RolloutState.EVERYONE, 100),
    ],
)
def test_default_policy_per_stage(stage, state, percentage):
    item = RoadmapItemFactory()
    flag = FlagFactory(item=item)
    stage_changed(item, stage)
    flag.refresh_from_db()
    assert (flag.state, flag.percentage) == (state, percentage)


def test_a_pinned_flag_stays_where_the_pm_put_it():
    item = RoadmapItemFactory()
    flag = FlagFactory(item=item, state=RolloutState.PERCENTAGE, percentage=10, pinned=True)
    stage_changed(item, "ga")
    flag.refresh_from_db()
    assert (flag.state, flag.percentage) == (RolloutState.PERCENTAGE, 10)


def test_the_policy_edited_in_the_admin_is_the_one_applied():
    StagePolicy.objects.filter(stage="beta").update(percentage=10)
    item = RoadmapItemFactory()
    flag = FlagFactory(item=item)
    stage_changed(item, "beta")
    flag.refresh_from_db()
    assert flag.percentage == 10


def test_history_keeps_from_what_to_what_and_why():
    item = RoadmapItemFactory()
    flag = FlagFactory(item=item)
    stage_changed(item, "beta")
    latest = flag.history.first()
    changes = {c.field: (c.old, c.new) for c in latest.diff_against(latest.prev_record).changes}
    assert changes["state"] == ("off", "percentage")
    assert changes["percentage"] == (0, 25)
    assert latest.history_change_reason == "Stage policy: beta"


def test_handling_the_same_event_twice_changes_nothing_more():
    item = RoadmapItemFactory()
    flag = FlagFactory(item=item)
    stage_changed(item, "ga")
    stage_changed(item, "ga")
    assert flag.history.count() == 2  # created, then moved once
    assert Flag.objects.get(pk=flag.pk).state == RolloutState.EVERYONE


def test_moving_an_item_to_beta_in_the_admin_moves_its_flag_through_the_outbox(
    client, pm, django_capture_on_commit_callbacks
):
    item = RoadmapItemFactory(stage="alpha")
    flag = FlagFactory(item=item, state=RolloutState.OPTED_IN)
    client.force_login(pm)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/roadmap/roadmapitem/", {"action": "stage_beta", "_selected_action": [item.pk]}
        )
    flag.refresh_from_db()
    assert (flag.state, flag.percentage) == (RolloutState.PERCENTAGE, 25)
