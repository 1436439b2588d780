"""When an idea is planned, shipped or declined, whoever sent it from Slack hears it there,
in the same words as their e-mail."""

import pytest
from django.core import mail

from intake import services as intake_services
from slackbot.handlers import tell_idea_status_in_slack
from slackbot.models import SlackNotification
from tests.factories import IdeaFactory

from .fake_slack import TEAM_ID


def _sent_from_slack(slack, user, idea, slack_user_id, **sales):
    slack.add_user(slack_user_id, user.email, user.get_full_name() or user.username)
    intake_services.submit_slack_message(
        user=user,
        title=idea.title,
        text=f"{idea.title}, please",
        external_id=f"message:{TEAM_ID}:C1:{idea.pk}:{slack_user_id}",
        slack_user_id=slack_user_id,
        idea_id=idea.pk,
        **sales,
    )


@pytest.fixture
def idea_from_slack(slack, employee):
    idea = IdeaFactory(title="Exit nodes chosen by country", public_summary="Coming in 1.70.")
    _sent_from_slack(slack, employee, idea, "U0EMMA")
    return idea


def test_planned_idea_is_told_in_a_direct_message_with_the_e_mails_words(
    slack, idea_from_slack, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.set_idea_status(idea=idea_from_slack, status="planned")

    tell_idea_status_in_slack(
        {"idea_id": idea_from_slack.pk, "previous_status": "new", "status": "planned"}
    )

    (email,) = mail.outbox
    (message,) = slack.called("chat.postMessage")
    assert message["channel"] == "U0EMMA"
    assert message["text"] == f"{email.subject}\n\n{email.body}"
    assert "is now planned" in message["text"] and "Coming in 1.70." in message["text"]


def test_the_message_is_sent_once_however_often_the_handler_runs(slack, idea_from_slack):
    intake_services.set_idea_status(idea=idea_from_slack, status="shipped")
    payload = {"idea_id": idea_from_slack.pk, "previous_status": "new", "status": "shipped"}

    tell_idea_status_in_slack(payload)
    tell_idea_status_in_slack(payload)

    assert len(slack.called("chat.postMessage")) == 1
    assert SlackNotification.objects.get().sent_at is not None


def test_a_declined_idea_carries_its_reason(slack, idea_from_slack, pm):
    intake_services.decline_idea(
        idea=idea_from_slack, reason="Exit nodes are chosen per device already.", user=pm
    )

    tell_idea_status_in_slack({"idea_id": idea_from_slack.pk, "status": "declined"})

    assert (
        "Exit nodes are chosen per device already." in slack.called("chat.postMessage")[0]["text"]
    )


def test_people_who_asked_elsewhere_are_not_messaged_in_slack(
    slack, sales_rep, django_capture_on_commit_callbacks
):
    idea = IdeaFactory()
    intake_services.submit_employee_idea(user=sales_rep, title="From the web", idea_id=idea.pk)
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.set_idea_status(idea=idea, status="planned")

    tell_idea_status_in_slack({"idea_id": idea.pk, "status": "planned"})

    assert slack.called("chat.postMessage") == []
    assert len(mail.outbox) == 1


def test_nothing_is_said_about_a_status_the_idea_already_left(slack, idea_from_slack):
    intake_services.set_idea_status(idea=idea_from_slack, status="planned")
    intake_services.set_idea_status(idea=idea_from_slack, status="under_review")

    tell_idea_status_in_slack({"idea_id": idea_from_slack.pk, "status": "planned"})

    assert slack.called("chat.postMessage") == []


def test_a_failed_message_is_kept_with_its_error_and_sent_by_the_retry(slack, idea_from_slack):
    from slack_sdk.errors import SlackApiError

    intake_services.set_idea_status(idea=idea_from_slack, status="planned")
    payload = {"idea_id": idea_from_slack.pk, "status": "planned"}
    slack.fail["chat.postMessage"] = "ratelimited"

    with pytest.raises(SlackApiError):
        tell_idea_status_in_slack(payload)
    note = SlackNotification.objects.get()
    assert (note.sent_at, note.error) == (None, "ratelimited")

    tell_idea_status_in_slack(payload)
    assert SlackNotification.objects.get().sent_at is not None


def test_a_sales_rep_who_named_the_customer_hears_what_to_tell_them(slack, sales_rep):
    idea = IdeaFactory(customer_summary="SCIM lands next quarter.", public_summary="Soon.")
    _sent_from_slack(slack, sales_rep, idea, "U0SAM", customer="Globex", urgency="blocker")
    intake_services.set_idea_status(idea=idea, status="planned")

    tell_idea_status_in_slack({"idea_id": idea.pk, "status": "planned"})

    text = slack.called("chat.postMessage")[0]["text"]
    assert "The idea you recorded for Globex" in text
    assert "SCIM lands next quarter." in text and "Soon." not in text


def test_declining_the_idea_reaches_slack_through_the_event_registry(
    slack, idea_from_slack, pm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.decline_idea(idea=idea_from_slack, reason="Out of scope.", user=pm)

    (message,) = slack.called("chat.postMessage")
    assert "will not be built" in message["text"] and "Out of scope." in message["text"]
