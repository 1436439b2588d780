""" "Send to Idea Intake" on a message: a modal, similar ideas, a Slack signal with its link."""

from decimal import Decimal

import pytest

from intake import duplicates
from intake.models import Idea, Organization, Signal
from tests.factories import IdeaFactory

from . import fake_slack
from .conftest import post

MESSAGE = "Customers keep asking: can the admin console show which devices are offline?\nThx"


@pytest.fixture
def emma(slack, employee):
    slack.add_user("U0EMMA", employee.email, "Emma Stone")
    return employee


@pytest.fixture
def sam(slack, sales_rep):
    slack.add_user("U0SAM", sales_rep.email, "Sam Seller")
    return sales_rep


def _shortcut(client, user_id):
    payload = fake_slack.message_shortcut(user_id=user_id, text=MESSAGE)
    assert post(client, fake_slack.interaction_body(payload)).status_code == 200


def _submit(client, slack, user_id, values):
    (opened,) = slack.called("views.open")
    view = opened["view"]
    payload = fake_slack.view_submission(user_id=user_id, view=view, values=values)
    return post(client, fake_slack.interaction_body(payload))


def test_the_modal_opens_with_the_title_taken_from_the_message(client, slack, emma):
    _shortcut(client, "U0EMMA")

    (opened,) = slack.called("views.open")
    blocks = {b.get("block_id"): b for b in opened["view"]["blocks"]}
    assert blocks["title"]["element"]["initial_value"] == (
        "Customers keep asking: can the admin console show which devices are offline?"
    )
    assert "pillar" in blocks
    assert "customer" not in blocks  # only Sales record a customer's request


def test_submitting_records_a_slack_signal_with_the_message_permalink(client, slack, emma):
    _shortcut(client, "U0EMMA")

    response = _submit(
        client, slack, "U0EMMA", {"title": "Show offline devices", "pillar": "reliability"}
    )

    assert response.status_code == 200
    assert response.json()["response_action"] == "update"
    assert "Recorded as a new idea" in str(response.json()["view"])
    signal = Signal.objects.get()
    assert signal.source == Signal.Source.SLACK
    assert signal.url == "https://acme-vpn.slack.com/archives/C0SUPPORT/p1732870000000100"
    assert signal.body == MESSAGE
    assert (signal.idea.title, signal.idea.pillar) == ("Show offline devices", "reliability")
    assert signal.submitted_by == emma


def test_a_sales_rep_records_the_customer_arr_and_urgency(client, slack, sam):
    globex = Organization.objects.create(name="Globex")
    _shortcut(client, "U0SAM")
    blocks = {b.get("block_id") for b in slack.called("views.open")[0]["view"]["blocks"]}
    assert {"customer", "arr_at_stake", "urgency"} <= blocks

    _submit(
        client,
        slack,
        "U0SAM",
        {
            "title": "Offline devices report",
            "pillar": "feature",
            "customer": "globex",
            "arr_at_stake": "120000",
            "urgency": "blocker",
        },
    )

    signal = Signal.objects.get()
    assert signal.organization == globex
    assert signal.arr_at_stake == Decimal("120000")
    assert (signal.urgency, signal.importance) == ("blocker", 3)


def test_an_empty_title_is_shown_as_a_field_error(client, slack, emma):
    _shortcut(client, "U0EMMA")

    response = _submit(client, slack, "U0EMMA", {"title": "  ", "pillar": "feature"})

    assert response.json() == {
        "response_action": "errors",
        "errors": {"title": "Give the idea a title."},
    }
    assert not Signal.objects.exists()


def test_similar_ideas_replace_the_modal_and_a_choice_updates_it(client, slack, emma):
    existing = IdeaFactory(title="Show offline devices in the admin console")
    duplicates.index_ideas([existing])
    _shortcut(client, "U0EMMA")

    response = _submit(client, slack, "U0EMMA", {"title": "Offline devices in the console"})
    view = response.json()["view"]
    assert not Signal.objects.exists()
    back, new = fake_slack.buttons(view["blocks"])
    assert (back["text"]["text"], new["text"]["text"]) == ("This is my idea too", "New idea")

    click = fake_slack.button_click(user_id="U0EMMA", button=back, view=view)
    post(client, fake_slack.interaction_body(click))

    assert Signal.objects.get().idea == existing
    assert Idea.objects.count() == 1
    (updated,) = slack.called("views.update")
    assert "Your voice is added to" in str(updated["view"])


def test_an_unknown_person_gets_no_modal_but_a_polite_ephemeral_refusal(client, slack, db):
    slack.add_user("U0GUEST", "guest@partner.example", "Guest")

    _shortcut(client, "U0GUEST")

    assert slack.called("views.open") == []
    (reply,) = slack.called("chat.postEphemeral")
    assert (reply["channel"], reply["user"]) == ("C0SUPPORT", "U0GUEST")
    assert "no employee account for guest@partner.example" in reply["text"]
