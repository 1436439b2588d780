import pytest
from django.core.exceptions import ValidationError

from intake.models import Signal
from intake.services import upsert_signal
from tests.factories import IdeaFactory, SignalFactory

pytestmark = pytest.mark.django_db


def test_second_upsert_with_changes_updates_without_touching_triage():
    signal, _ = upsert_signal(source="reddit_post", external_id="t3_abc", title="Old", votes=1)
    idea = IdeaFactory()
    Signal.objects.filter(pk=signal.pk).update(idea=idea, importance=3)
    updated, created = upsert_signal(
        source="reddit_post", external_id="t3_abc", title="New", votes=9
    )
    assert not created
    updated.refresh_from_db()
    assert (updated.title, updated.votes, updated.idea, updated.importance) == ("New", 9, idea, 3)


def test_cross_post_with_a_known_url_attaches_to_that_idea():
    known = SignalFactory(url="https://github.com/o/r/issues/1")
    signal, _ = upsert_signal(
        source="api", external_id="crm-1", title="Same thing", url="https://github.com/o/r/issues/1"
    )
    assert signal.idea == known.idea


@pytest.mark.parametrize(
    "bad",
    [
        {"source": "fax", "external_id": "1"},
        {"source": "api", "external_id": "  "},
        {"source": "api", "external_id": "2", "url": "not a url"},
    ],
)
def test_bad_upserts_are_refused_and_save_nothing(bad):
    with pytest.raises(ValidationError):
        upsert_signal(**bad)
    assert not Signal.objects.exists()
