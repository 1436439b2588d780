"""Tampered admin requests get a message, never a server error, and change nothing."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from intake.models import Idea
from tests.factories import IdeaFactory, SignalFactory

pytestmark = pytest.mark.django_db

IDEAS = reverse("admin:intake_idea_changelist")
INBOX = reverse("admin:intake_inboxsignal_changelist")
SIGNALS = reverse("admin:intake_signal_changelist")
TAMPERED_IDS = ["abc", "9" * 30]


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("tampered", TAMPERED_IDS)
def test_merge_with_a_tampered_id_is_refused_and_merges_nothing(client, pm, tampered):
    survivor, other = IdeaFactory(), IdeaFactory()
    client.force_login(pm)
    response = client.post(
        IDEAS,
        {
            "action": "merge_selected",
            "_selected_action": [survivor.pk, other.pk, tampered],
            "apply": "1",
            "survivor": survivor.pk,
        },
    )
    assert response.status_code == 302
    assert any("not valid" in text for text in _messages(response))
    assert not Idea.objects.filter(status=Idea.Status.MERGED).exists()


@pytest.mark.parametrize("tampered", TAMPERED_IDS)
def test_attach_with_a_tampered_id_is_refused_and_attaches_nothing(client, pm, tampered):
    idea = IdeaFactory()
    signal = SignalFactory(idea=None)
    client.force_login(pm)
    response = client.post(
        INBOX,
        {
            "action": "attach_to_idea",
            "index": "0",
            "_selected_action": [signal.pk, tampered],
            "apply": "1",
            "idea": idea.pk,
            "importance": "3",
        },
    )
    assert response.status_code == 302
    assert any("not valid" in text for text in _messages(response))
    signal.refresh_from_db()
    assert signal.idea is None


@pytest.mark.parametrize("changelist", [IDEAS, SIGNALS])
def test_a_search_of_1500_words_shows_the_changelist(client, pm, changelist):
    SignalFactory(title="w0 w1 w2")
    client.force_login(pm)
    words = " ".join(f"w{n}" for n in range(1500))
    response = client.get(changelist, {"q": words})
    assert response.status_code == 200
