"""Closing the loop: the people who asked hear once when their idea is planned, shipped or
declined, in words for their audience."""

from unittest import mock

import pytest
from django.core import mail

from intake import services as intake_services
from roadmap import handlers, notifications, services
from roadmap.models import Notification
from tests.factories import IdeaFactory, SalesSignalFactory, SignalFactory
from tests.roadmap.factories import RoadmapItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea(employee, sales_rep):
    idea = IdeaFactory(
        title="Audit log export",
        internal_notes="Sized at 8 engineer-weeks; Globex is the big one.",
        customer_summary="We are designing the export now.",
        public_summary="Planned: audit logs to S3 and Splunk.",
    )
    SignalFactory(idea=idea, submitted_by=employee, author_email=employee.email)
    SalesSignalFactory(idea=idea, submitted_by=sales_rep, organization__name="Acme Robotics")
    SalesSignalFactory(idea=idea, submitted_by=sales_rep, organization__name="Initech")
    SignalFactory(idea=idea, source="github_issue", author="octocat")  # no known e-mail
    return idea


def _mail_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_planning_an_idea_tells_each_person_who_asked_once(
    idea, employee, sales_rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.set_idea_status(idea=idea, status="planned")
    assert len(mail.outbox) == 2
    (to_employee,) = _mail_to(employee.email)
    (to_sales,) = _mail_to(sales_rep.email)
    assert "is now planned" in to_employee.subject
    assert "Planned: audit logs to S3 and Splunk." in to_employee.body
    assert "Acme Robotics, Initech" in to_sales.body
    assert "What you can tell the customer:\nWe are designing the export now." in to_sales.body
    assert "never a date" in to_sales.body
    for message in mail.outbox:
        assert "engineer-weeks" not in message.body


def test_declining_tells_them_why(idea, employee, pm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.decline_idea(
            idea=idea, reason="A partner integration does this well.", user=pm
        )
    (message,) = _mail_to(employee.email)
    assert "will not be built" in message.subject
    assert "Why:\nA partner integration does this well." in message.body


def test_a_retried_task_sends_nothing_twice(idea, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.set_idea_status(idea=idea, status="shipped")
    handlers.notify_requesters({"idea_id": idea.pk, "status": "shipped"})
    notifications.notify_idea_status(idea_id=idea.pk, status="shipped")
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(status="shipped", sent_at__isnull=False).count() == 2


def test_going_back_and_forth_does_not_repeat_the_news(idea, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.set_idea_status(idea=idea, status="planned")
        intake_services.set_idea_status(idea=idea, status="under_review")
        intake_services.set_idea_status(idea=idea, status="planned")
    assert len(mail.outbox) == 2


def test_a_failed_send_is_retried_for_that_person_only(idea, employee, sales_rep):
    intake_services.set_idea_status(idea=idea, status="planned")
    real_send = notifications.send_mail

    def flaky(subject, body, sender, to, **kwargs):
        if to == [sales_rep.email]:
            raise ConnectionRefusedError("SMTP down")
        return real_send(subject, body, sender, to, **kwargs)

    with (
        mock.patch.object(notifications, "send_mail", flaky),
        pytest.raises(ConnectionRefusedError),
    ):
        notifications.notify_idea_status(idea_id=idea.pk, status="planned")
    assert [m.to for m in mail.outbox] == [[employee.email]]
    failed = Notification.objects.get(recipient=sales_rep.email)
    assert failed.sent_at is None and "SMTP down" in failed.error
    notifications.notify_idea_status(idea_id=idea.pk, status="planned")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([employee.email, sales_rep.email])


def test_news_that_is_already_stale_is_not_sent(idea, pm):
    intake_services.set_idea_status(idea=idea, status="planned")
    intake_services.decline_idea(idea=idea, reason="Changed our mind.", user=pm)
    assert notifications.notify_idea_status(idea_id=idea.pk, status="planned") == 0
    assert mail.outbox == []


def test_shipping_a_roadmap_item_ships_its_ideas_and_tells_the_askers(
    idea, employee, django_capture_on_commit_callbacks
):
    item = RoadmapItemFactory(ideas=[idea])
    with django_capture_on_commit_callbacks(execute=True):
        services.set_item_stage(item=item, stage="shipped")
    idea.refresh_from_db()
    item.refresh_from_db()
    assert idea.status == "shipped"
    assert item.shipped_at is not None
    assert "has shipped" in _mail_to(employee.email)[0].subject


def test_the_notification_log_is_in_the_admin(client, pm, idea, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.set_idea_status(idea=idea, status="planned")
    client.force_login(pm)
    page = client.get("/admin/roadmap/notification/").content.decode()
    assert "emma@example.com" in page
    assert "sam@example.com" in page
