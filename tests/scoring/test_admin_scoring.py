"""What a PM sees of scores in the admin."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.models import Idea, Signal
from scoring.models import ScoringPolicy
from scoring.services import rescore_all
from tests.factories import IdeaFactory, SignalFactory

pytestmark = pytest.mark.django_db


def test_changelist_ranks_by_score_with_a_constant_number_of_queries(
    admin_client, django_assert_num_queries
):
    url = reverse("admin:intake_idea_changelist")
    IdeaFactory(title="Feature idea", pillar=Idea.Pillar.FEATURE)
    IdeaFactory(title="Security idea", pillar=Idea.Pillar.SECURITY)
    rescore_all()
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        body = admin_client.get(url).content.decode()
    assert body.index("Security idea") < body.index("Feature idea")
    for idea in IdeaFactory.create_batch(20):
        SignalFactory(idea=idea)
    rescore_all()
    with django_assert_num_queries(len(few.captured_queries)):
        admin_client.get(url)


def test_idea_page_says_why_in_words_and_numbers(admin_client):
    top = IdeaFactory(title="<b>Top</b>", pillar=Idea.Pillar.SECURITY)
    IdeaFactory(pillar=Idea.Pillar.FEATURE)
    SignalFactory(idea=top, source=Signal.Source.REDDIT_POST, votes=100)
    rescore_all()
    page = admin_client.get(reverse("admin:intake_idea_change", args=[top.pk])).content.decode()
    assert "#1 in the backlog" in page
    assert "Security pillar (100) × medium impact (×1) = 100." in page
    assert "100 votes" in page
    assert "<b>Top</b>" not in page


def test_ticking_a_bridge_criterion_on_the_idea_page_rescores_it(
    admin_client, django_capture_on_commit_callbacks
):
    from scoring.models import BridgeCriterion

    idea = IdeaFactory(title="Flags", pillar=Idea.Pillar.FEATURE)
    criterion = BridgeCriterion.objects.get(name="Ships without a client upgrade")
    url = reverse("admin:intake_idea_change", args=[idea.pk])
    data = {
        "title": "Flags", "description": "", "pillar": "feature", "surface": "",
        "product_area": "", "impact": "2", "bridge_criteria": [criterion.pk],
        "motions_from_sources": "on", "internal_notes": "", "customer_summary": "",
        "public_summary": "", "revisit_when": "", "team": "", "pm": "",
        "signals-TOTAL_FORMS": "0", "signals-INITIAL_FORMS": "0",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    idea.refresh_from_db()
    assert idea.score == 35.0
    assert idea.score_breakdown["bridge"]["criteria"] == [["Ships without a client upgrade", 10]]


def test_saving_the_policy_form_publishes_a_new_version(admin_client):
    response = admin_client.get(reverse("admin:scoring_scoringpolicy_add"))
    form = response.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data.update(note="Performance matters more this quarter", pillar_performance=80)
    response = admin_client.post(reverse("admin:scoring_scoringpolicy_add"), data)
    assert response.status_code == 302
    assert list(ScoringPolicy.objects.values_list("version", "pillar_performance")) == [
        (2, 80.0),
        (1, 45.0),
    ]


def test_motion_filter_cuts_the_backlog(admin_client):
    IdeaFactory(title="For the community", serves_plg=True, motions_from_sources=False)
    IdeaFactory(title="For big customers", serves_enterprise=True, motions_from_sources=False)
    page = admin_client.get(reverse("admin:intake_idea_changelist"), {"motion": "enterprise"})
    body = page.content.decode()
    assert "For big customers" in body and "For the community" not in body


def test_inbox_attaches_a_signals_closest_idea_in_one_click(admin_client):
    idea = IdeaFactory(title="Dark mode for the admin console", description="")
    signal = SignalFactory(idea=None, title="Please add a dark mode to the admin console")
    from intake.duplicates import suggest_ideas_for_signals

    suggest_ideas_for_signals([signal])
    inbox = admin_client.get(reverse("admin:intake_inboxsignal_changelist")).content.decode()
    assert "Dark mode for the admin console" in inbox
    response = admin_client.post(
        reverse("admin:intake_inboxsignal_attach_likely", args=[signal.pk])
    )
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.idea == idea


def test_attach_view_refuses_a_get_and_a_non_pm(admin_client, client, employee):
    signal = SignalFactory(idea=None)
    url = reverse("admin:intake_inboxsignal_attach_likely", args=[signal.pk])
    assert admin_client.get(url).status_code == 405
    client.force_login(employee)
    assert client.post(url).status_code == 302  # to the admin login: not staff
    signal.refresh_from_db()
    assert signal.idea is None


def test_attaching_a_signal_without_a_likely_duplicate_says_so(admin_client):
    signal = SignalFactory(idea=None)
    url = reverse("admin:intake_inboxsignal_attach_likely", args=[signal.pk])
    response = admin_client.post(url, follow=True)
    assert "That signal has no closest idea." in response.content.decode()
    signal.refresh_from_db()
    assert signal.idea is None


def test_looking_for_likely_duplicates_says_when_the_engine_flags_none(admin_client, settings):
    """The default hybrid calibrates no "likely" threshold: each signal still shows its closest
    idea, not called likely, and the PM is told how to get flags."""
    from intake import duplicates

    idea = IdeaFactory(title="Dark mode for the admin console", description="")
    duplicates.index_ideas([idea])
    signal = SignalFactory(idea=None, title="Dark mode for the admin console")
    inbox = reverse("admin:intake_inboxsignal_changelist")
    form = {"action": "find_likely_duplicates", "_selected_action": [signal.pk]}
    page = admin_client.post(inbox, form, follow=True).content.decode()
    assert "Found a likely duplicate for 0 signal(s)." in page
    assert "DUPLICATE_LIKELY_SIMILARITY" in page
    signal.refresh_from_db()
    assert (signal.closest_idea, signal.likely_idea) == (idea, None)
    assert "“Dark mode for the admin console” (" in page  # its closest idea, to attach
    assert "likely duplicate:" not in page
    settings.DUPLICATE_LIKELY_SIMILARITY = 0.5
    page = admin_client.post(inbox, form, follow=True).content.decode()
    assert "Found a likely duplicate for 1 signal(s)." in page
    assert "DUPLICATE_LIKELY_SIMILARITY" not in page
    assert "<strong>likely duplicate:</strong> “Dark mode for the admin console”" in page
    signal.refresh_from_db()
    assert signal.likely_idea == idea
