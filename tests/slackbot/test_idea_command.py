"""`/idea <text>` records a Slack signal for the employee with the Slack user's e-mail."""

import pytest

from intake import duplicates
from intake.models import Idea, Signal
from tests.factories import IdeaFactory, UserFactory

from . import fake_slack
from .conftest import post


@pytest.fixture
def emma(slack, employee):
    employee.email = "Emma@Acme-VPN.example"
    employee.save()
    slack.add_user("U0EMMA", "emma@acme-vpn.example", "Emma Stone")
    return employee


def _idea(client, text, user_id="U0EMMA"):
    return post(client, fake_slack.command_body(user_id=user_id, text=text))


def test_a_new_idea_is_recorded_and_the_sender_is_thanked_privately(client, slack, emma):
    response = _idea(client, "Exit nodes chosen by country\nOur travellers need it.")

    assert response.status_code == 200
    signal = Signal.objects.get()
    assert signal.source == Signal.Source.SLACK
    assert (signal.submitted_by, signal.author_email) == (emma, emma.email)
    assert signal.title == "Exit nodes chosen by country"
    assert signal.body == "Exit nodes chosen by country\nOur travellers need it."
    assert signal.idea.title == "Exit nodes chosen by country"
    (reply,) = slack.called("chat.postEphemeral")
    assert reply["user"] == "U0EMMA" and reply["channel"] == "C0GENERAL"
    assert "Recorded as a new idea" in reply["text"]


def test_similar_ideas_are_offered_as_buttons_before_anything_is_saved(client, slack, emma):
    existing = IdeaFactory(title="Choose exit node by country")
    duplicates.index_ideas([existing])

    _idea(client, "Exit node selection by country")

    assert not Signal.objects.exists()
    (offer,) = slack.called("chat.postEphemeral")
    labels = [b["text"]["text"] for b in fake_slack.buttons(offer["blocks"])]
    assert labels == ["This is my idea too", "New idea"]
    assert "Choose exit node by country" in str(offer["blocks"])


def test_this_is_my_idea_too_adds_a_voice_to_the_existing_idea(client, slack, emma):
    existing = IdeaFactory(title="Choose exit node by country")
    duplicates.index_ideas([existing])
    _idea(client, "Exit node selection by country")
    back, _ = fake_slack.buttons(slack.called("chat.postEphemeral")[0]["blocks"])

    for _ in range(2):  # a second click stores nothing more
        click = fake_slack.button_click(user_id="U0EMMA", button=back)
        assert post(client, fake_slack.interaction_body(click)).status_code == 200

    signal = Signal.objects.get()
    assert signal.idea == existing
    assert Idea.objects.count() == 1
    assert "Your voice is added to" in slack.called("chat.postEphemeral")[1]["text"]


def test_new_idea_makes_a_new_idea_despite_the_suggestions(client, slack, emma):
    duplicates.index_ideas([IdeaFactory(title="Choose exit node by country")])
    _idea(client, "Exit node selection by country")
    _, new = fake_slack.buttons(slack.called("chat.postEphemeral")[0]["blocks"])

    post(client, fake_slack.interaction_body(fake_slack.button_click(user_id="U0EMMA", button=new)))

    assert Signal.objects.get().idea.title == "Exit node selection by country"
    assert Idea.objects.count() == 2


def test_someone_unknown_is_refused_politely_with_how_to_get_access(client, slack, db):
    slack.add_user("U0STRANGER", "stranger@elsewhere.example", "Stranger Danger")

    _idea(client, "Make it free", user_id="U0STRANGER")

    assert not Signal.objects.exists()
    (reply,) = slack.called("chat.postEphemeral")
    assert reply["user"] == "U0STRANGER"
    assert "no employee account for stranger@elsewhere.example" in reply["text"]
    assert "Employee role" in reply["text"]


def test_a_customer_login_with_that_e_mail_is_not_an_employee(client, slack, db):
    UserFactory(username="cust", email="buyer@globex.example")
    slack.add_user("U0BUYER", "buyer@globex.example", "Buyer")

    _idea(client, "Cheaper seats", user_id="U0BUYER")

    assert not Signal.objects.exists()
    assert "no employee account" in slack.called("chat.postEphemeral")[0]["text"]


def test_a_slack_user_without_a_visible_e_mail_is_told_why(client, slack, db):
    slack.add_user("U0HIDDEN", None, "Hidden Email")

    _idea(client, "Anything", user_id="U0HIDDEN")

    assert "can't see your e-mail" in slack.called("chat.postEphemeral")[0]["text"]


def test_an_empty_command_explains_how_to_use_it(client, slack, emma):
    _idea(client, "   ")

    assert not Signal.objects.exists()
    assert "/idea Exit nodes" in slack.called("chat.postEphemeral")[0]["text"]


def test_a_failing_slack_api_gets_the_sender_an_apology_not_an_error(client, slack, emma):
    slack.fail["chat.postEphemeral"] = "channel_not_found"

    response = _idea(client, "Exit nodes chosen by country")

    assert response.status_code == 200
    assert "could not finish that just now" in response.content.decode()
    assert not Signal.objects.exists()
