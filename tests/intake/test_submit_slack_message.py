"""The service behind the Slack app: a Slack signal, with sales details only from Sales."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from intake.models import Signal
from intake.services import submit_slack_message


def _send(user, **fields):
    values = {
        "user": user,
        "title": "Exit nodes by country",
        "text": "Exit nodes by country, please",
        "external_id": "message:T1:C1:1.0:U1",
        "slack_user_id": "U1",
    }
    return submit_slack_message(**{**values, **fields})


def test_the_same_message_sent_twice_is_one_signal(employee):
    first, created = _send(employee)
    again, created_again = _send(employee, title="Reworded")

    assert (created, created_again) == (True, False)
    assert first == again
    assert Signal.objects.get().title == "Exit nodes by country"


def test_only_sales_record_a_customer_and_arr(employee):
    with pytest.raises(ValidationError) as error:
        _send(employee, customer="Globex", arr_at_stake=Decimal("1000"))

    assert "Only Sales" in str(error.value)
    assert not Signal.objects.exists()


def test_urgency_without_a_customer_is_refused(sales_rep):
    with pytest.raises(ValidationError) as error:
        _send(sales_rep, urgency="blocker")
    assert "Name the customer" in str(error.value)


def test_a_new_customer_named_by_sales_is_created_once(sales_rep):
    signal, _ = _send(sales_rep, customer="Vandelay Industries", urgency="important")
    second, _ = _send(sales_rep, customer="vandelay industries", external_id="message:T1:C1:2.0:U1")

    assert signal.organization == second.organization
    assert signal.organization.name == "Vandelay Industries"
    assert signal.importance == 2
