import pytest
from django.urls import reverse

from intake.models import Idea, Signal
from tests.factories import IdeaFactory, SignalFactory

pytestmark = pytest.mark.django_db

INBOX = reverse("admin:intake_inboxsignal_changelist")


def test_inbox_lists_only_untriaged_signals_newest_first(client, pm):
    SignalFactory(title="Already triaged")
    older = SignalFactory(title="Older inbox signal", idea=None)
    newer = SignalFactory(title="Newer inbox signal", idea=None)
    client.force_login(pm)
    rows = list(client.get(INBOX).context["cl"].result_list)
    assert rows == [newer, older]


def test_inbox_filters_by_source_and_searches_text(client, pm):
    SignalFactory(title="Reddit wants exit nodes", idea=None, source=Signal.Source.REDDIT_POST)
    SignalFactory(title="Employee wants SSO", idea=None)
    client.force_login(pm)
    by_source = client.get(INBOX, {"source__exact": "reddit_post"}).context["cl"].result_list
    assert [s.title for s in by_source] == ["Reddit wants exit nodes"]
    found = client.get(INBOX, {"q": "SSO"}).context["cl"].result_list
    assert [s.title for s in found] == ["Employee wants SSO"]


def test_pm_attaches_inbox_signals_to_an_idea_with_an_importance(client, pm):
    idea = IdeaFactory()
    signals = SignalFactory.create_batch(2, idea=None)
    client.force_login(pm)
    client.post(
        INBOX,
        {
            "action": "attach_to_idea",
            "_selected_action": [s.pk for s in signals],
            "apply": "1",
            "idea": idea.pk,
            "importance": "3",
        },
    )
    assert list(idea.signals.values_list("importance", flat=True)) == [3, 3]
    assert not client.get(INBOX).context["cl"].result_list


def test_pm_makes_a_new_idea_from_inbox_signals(client, pm):
    signal = SignalFactory(title="Tailnet lock for Windows", idea=None)
    client.force_login(pm)
    client.post(INBOX, {"action": "make_idea", "_selected_action": [signal.pk]})
    signal.refresh_from_db()
    assert signal.idea.title == "Tailnet lock for Windows"
    assert signal.idea.status == Idea.Status.NEW


def test_signals_cannot_be_deleted_by_a_pm(client, pm):
    signal = SignalFactory()
    client.force_login(pm)
    delete = reverse("admin:intake_signal_delete", args=[signal.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Signal.objects.filter(pk=signal.pk).exists()


def test_inbox_source_filter_offers_slack_and_zendesk(client, pm):
    SignalFactory(title="From a ticket", idea=None, source=Signal.Source.ZENDESK)
    client.force_login(pm)

    page = client.get(INBOX).content.decode()
    by_source = client.get(INBOX, {"source__exact": "zendesk"}).context["cl"].result_list

    assert "Slack message" in page and "Zendesk ticket" in page
    assert [s.title for s in by_source] == ["From a ticket"]
