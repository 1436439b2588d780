"""Long work that follows a PM's change (a policy rescoring the whole backlog, matching what a
connector brought in) is announced on every admin page while under way, and when done."""

import pytest
from django.urls import reverse

from intake import events
from intake.models import OutboxEvent
from scoring import services as scoring_services
from scoring.models import ScoringPolicy

pytestmark = pytest.mark.django_db

ADMIN = reverse("admin:index")


def _publish_policy(pm):
    scoring_services.publish_policy(policy=ScoringPolicy(note="features count more"), user=pm)


def test_a_policy_change_says_every_idea_is_being_rescored(admin_client, pm):
    _publish_policy(pm)  # its rows wait for a worker: the test's transaction never commits
    page = admin_client.get(ADMIN).content.decode()
    assert "Under way: every idea is being rescored under the new weights" in page


def test_the_pages_say_when_the_rescoring_is_done(admin_client, pm):
    _publish_policy(pm)
    for row in OutboxEvent.objects.filter(name="scoring.policy_changed"):
        events.handle(row.pk)
    page = admin_client.get(reverse("admin:intake_idea_changelist")).content.decode()
    assert "Under way" not in page
    assert "every idea was rescored under the new weights" in page


def test_routine_work_finishing_is_not_announced(admin_client):
    events.record("signal.arrived", signal_ids=[], idea_ids=[])
    assert "being matched to ideas" in admin_client.get(ADMIN).content.decode()
    for row in OutboxEvent.objects.filter(name="signal.arrived"):
        events.handle(row.pk)
    assert "matched" not in admin_client.get(ADMIN).content.decode()
