"""Signals from a templated tracker: the template is learned and never decides a match."""

import pytest

from intake import duplicates
from intake.duplicates import cleaning
from intake.models import Signal, SourceBoilerplate
from tests.factories import IdeaFactory, SignalFactory

pytestmark = pytest.mark.django_db

TEMPLATE = """### 🔖 Feature description
{request}

### ✔️ Solution
Please add it.

### ⚠️ Please verify that this feature request has NOT been suggested before.
- [X] I checked and didn't find similar feature request
"""
REQUESTS = [
    ("Dark mode", "The status page is too bright at night."),
    ("SNMP monitor", "I want to poll switches over SNMP."),
    ("Maintenance notifications", "Send a message when maintenance starts."),
    ("Monitor folders", "Hundreds of monitors are hard to scan."),
    ("Badge colours", "Badges are always green."),
    ("CSV export", "Finance wants the uptime report as a spreadsheet."),
    ("Telegram topics", "Send alerts to a topic of our Telegram group."),
]


@pytest.fixture(autouse=True)
def fresh_boilerplate():
    cleaning.forget()
    yield
    cleaning.forget()


def _tracker_signals():
    return [
        SignalFactory(
            source=Signal.Source.GITHUB_ISSUE,
            url=f"https://github.com/acme/kuma/issues/{n}",
            title=f"[Feature] {title}",
            body=TEMPLATE.format(request=request),
            idea=None,
        )
        for n, (title, request) in enumerate(REQUESTS, 1)
    ]


def test_a_trackers_source_is_its_repository():
    assert (
        cleaning.source_key("github_issue", "https://github.com/acme/kuma/issues/3")
        == "github_issue:github.com/acme/kuma"
    )
    assert cleaning.source_key("sales", "") == "sales"


def test_arriving_signals_teach_their_sources_template():
    signals = _tracker_signals()
    duplicates.match_signals(signals)
    learned = SourceBoilerplate.objects.get(source="github_issue:github.com/acme/kuma")
    assert "feature description" in learned.lines
    assert "feature" in learned.title_prefixes
    title, body = cleaning.clean_text(signals[1].title, signals[1].body)
    assert (title, body) == ("SNMP monitor", "I want to poll switches over SNMP.")


@pytest.mark.parametrize("engine", ["lexical", "semantic"])
def test_an_arrival_matches_the_idea_with_its_request_not_the_one_with_its_template(
    settings, engine
):
    settings.DUPLICATE_ENGINE = engine
    signals = _tracker_signals()
    duplicates.match_signals(signals)  # learns the tracker's template
    # Ideas made from older issues keep the template in their descriptions.
    templated = [
        IdeaFactory(title=f"[Feature] {title}", description=TEMPLATE.format(request=request))
        for title, request in (
            ("Recurring maintenance", "Maintenance windows every Sunday night."),
            ("Push notifications", "Alerts on my phone through ntfy."),
            ("Status page logo", "Our own logo on the status page."),
        )
    ]
    night = IdeaFactory(title="Night mode", description="A darker theme for the night.")
    arrival = SignalFactory(
        source=Signal.Source.GITHUB_ISSUE,
        url="https://github.com/acme/kuma/issues/99",
        title="[Feature] Dark theme",
        body=TEMPLATE.format(request="Too bright."),
        idea=None,
    )
    found = duplicates.find_similar_to(title=arrival.title, body=arrival.body, limit=5)
    assert [m.idea for m in found][:1] == [night]
    assert not set(templated) & {m.idea for m in found[:1]}


def test_rebuilding_the_index_relearns_every_source():
    _tracker_signals()
    duplicates.rebuild_index()
    assert SourceBoilerplate.objects.filter(source="github_issue:github.com/acme/kuma").exists()
