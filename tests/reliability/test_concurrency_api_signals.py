"""The same signal posted several times at once to `POST /api/signals/`: one row, one 201 and
200s for the rest, never a 500 (real HTTP requests to a live server, on PostgreSQL)."""

import json
import urllib.error
import urllib.request
from functools import partial

import pytest
from rest_framework.authtoken.models import Token

from intake.models import Signal

from .parallel import at_once

ROUNDS = 10
AT_ONCE = 6


def _post(url: str, token: str, payload: dict) -> int:
    request = urllib.request.Request(
        f"{url}/api/signals/",
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_signal_posted_at_once_is_stored_once(postgres, live_server, employee):
    token = Token.objects.create(user=employee).key
    for round_ in range(ROUNDS):
        payload = {"external_id": f"chat-{round_}", "title": "SCIM for Entra", "votes": 3}

        codes = at_once(*[partial(_post, live_server.url, token, payload)] * AT_ONCE)

        assert sorted(codes) == [200] * (AT_ONCE - 1) + [201], codes
        assert Signal.objects.filter(external_id=f"chat-{round_}").count() == 1
    assert set(Signal.objects.values_list("submitted_by", flat=True)) == {employee.pk}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_racing_post_by_another_tool_cannot_take_over_the_signal(
    postgres, live_server, employee, sales_rep
):
    tokens = [Token.objects.create(user=user).key for user in (employee, sales_rep)]
    for round_ in range(ROUNDS):
        payload = {"external_id": f"crm-{round_}", "title": "Audit log export"}

        codes = at_once(*[partial(_post, live_server.url, t, payload) for t in tokens])

        # One tool creates it; the other is told it belongs to someone else.
        assert sorted(codes) == [201, 409], codes
        assert Signal.objects.filter(external_id=f"crm-{round_}").count() == 1
