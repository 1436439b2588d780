"""A popular idea stays editable, and its signals are triaged in bulk from the Signals list."""

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.events import RESCORE
from intake import demand
from intake.models import Idea, OutboxEvent, Signal
from tests.factories import IdeaFactory, SignalFactory

pytestmark = pytest.mark.django_db

SIGNALS = reverse("admin:intake_signal_changelist")


def _idea_with_signals(count: int, **fields) -> Idea:
    idea = IdeaFactory(**fields)
    Signal.objects.bulk_create(SignalFactory.build_batch(count, idea=idea))
    demand.recount(idea_ids=[idea.pk])
    return idea


def _form_data(response) -> dict:
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else value
    return data


def test_an_idea_with_hundreds_of_signals_can_be_saved(admin_client, settings):
    idea = _idea_with_signals(400, title="Exit nodes by country")
    url = reverse("admin:intake_idea_change", args=[idea.pk])
    data = _form_data(admin_client.get(url))
    assert len(data) < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS / 10
    data["title"] = "Exit nodes chosen by country"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    idea.refresh_from_db()
    assert idea.title == "Exit nodes chosen by country"
    assert idea.signals.count() == 400


def test_the_idea_page_shows_the_most_recent_signals_and_links_to_all(admin_client):
    idea = _idea_with_signals(120)
    newest = SignalFactory(idea=idea, title="The newest request of all")
    page = admin_client.get(reverse("admin:intake_idea_change", args=[idea.pk])).content.decode()
    assert "121 signals; the 50 most recent below" in page
    assert "The newest request of all" in page
    assert page.count(f"/admin/intake/signal/{newest.pk}/change/") == 1
    assert page.count('/change/">Signal ') == 49  # the other 49 of the 50 rows
    assert f'href="{SIGNALS}?idea={idea.pk}"' in page


def test_the_idea_page_costs_the_same_with_60_or_600_signals(admin_client):
    def queries(idea):
        with CaptureQueriesContext(connection) as captured:
            admin_client.get(reverse("admin:intake_idea_change", args=[idea.pk]))
        return len(captured)

    assert queries(_idea_with_signals(60)) == queries(_idea_with_signals(600))


def test_the_signals_list_cut_to_one_idea(admin_client):
    idea = _idea_with_signals(3, title="SCIM provisioning")
    SignalFactory(title="Somebody else's request")
    response = admin_client.get(f"{SIGNALS}?idea={idea.pk}")
    page = response.content.decode()
    assert response.context["cl"].result_count == 3
    assert "Somebody else" not in page
    assert "SCIM provisioning" in page  # the filter says which idea
    assert admin_client.get(f"{SIGNALS}?idea=abc").status_code in (200, 302)


def _select_all(source, action, **fields) -> dict:
    # As the browser sends "select all N": the page's rows ticked, and select_across.
    page = list(source.signals.order_by("-pk").values_list("pk", flat=True)[:100])
    return {"action": action, "select_across": "1", "_selected_action": page, **fields}


def _bulk(admin_client, source, action, **fields):
    data = _select_all(source, action, apply="1", **fields)
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.post(f"{SIGNALS}?idea={source.pk}", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    updates = [q["sql"] for q in captured if q["sql"].startswith('UPDATE "intake_signal"')]
    return updates


def test_setting_importance_on_all_of_an_ideas_signals_is_one_statement(admin_client):
    idea, other = _idea_with_signals(1200), _idea_with_signals(5)
    OutboxEvent.objects.all().delete()
    updates = _bulk(admin_client, idea, "set_importance", importance="3")
    assert len(updates) == 1
    assert set(idea.signals.values_list("importance", flat=True)) == {3}
    assert set(other.signals.values_list("importance", flat=True)) == {1}
    [event] = OutboxEvent.objects.filter(name="signal.attached", handler=RESCORE)
    assert event.payload["idea_ids"] == [idea.pk]  # rescored once, not once a signal
    assert event.payload["signal_count"] == 1200
    entry = LogEntry.objects.get(object_id=str(idea.pk))
    assert entry.get_change_message() == "Set importance 3 on 1200 signal(s)."


def test_detaching_all_of_an_ideas_signals_sends_them_back_to_the_inbox(admin_client):
    idea = _idea_with_signals(700)
    updates = _bulk(admin_client, idea, "detach_from_idea")
    assert len(updates) == 1
    assert idea.signals.count() == 0
    assert Signal.objects.filter(idea=None).count() == 700
    assert "Detached 700 signal(s)" in LogEntry.objects.get(object_id=str(idea.pk)).change_message


def test_moving_all_of_an_ideas_signals_to_another_idea(admin_client):
    idea, target = _idea_with_signals(800), IdeaFactory(title="Where they belong")
    updates = _bulk(admin_client, idea, "attach_to_idea", idea=str(target.pk), importance="2")
    assert len(updates) == 1
    assert target.signals.count() == 800 and idea.signals.count() == 0
    [event] = OutboxEvent.objects.filter(name="signal.attached", handler=RESCORE)
    assert event.payload["idea_ids"] == sorted([idea.pk, target.pk])


def test_confirming_select_all_carries_the_filter_not_every_id(admin_client):
    idea = _idea_with_signals(1500)
    data = _select_all(idea, "detach_from_idea", index="0")
    page = admin_client.post(f"{SIGNALS}?idea={idea.pk}", data).content.decode()
    assert "All 1500 matching rows" in page
    assert 'name="select_across" value="1"' in page
    assert page.count('name="_selected_action"') == 20  # the preview, not 1,500 ids
    assert idea.signals.count() == 1500  # nothing happens before the confirmation
