import pytest
from django.core.exceptions import ValidationError

from intake.models import Idea
from intake.services import merge_ideas, unmerge_idea
from tests.factories import IdeaFactory, SignalFactory

pytestmark = pytest.mark.django_db


def test_merge_moves_every_signal_and_points_at_the_survivor(pm):
    survivor, merged = IdeaFactory(), IdeaFactory(status=Idea.Status.UNDER_REVIEW)
    SignalFactory.create_batch(3, idea=merged)
    merge_ideas(merged=merged, survivor=survivor, user=pm)
    merged.refresh_from_db()
    assert merged.status == Idea.Status.MERGED
    assert merged.merged_into == survivor
    assert survivor.signals.count() == 3


def test_undo_merge_restores_each_signal_and_the_status(pm):
    survivor, merged = IdeaFactory(), IdeaFactory(status=Idea.Status.UNDER_REVIEW)
    own = SignalFactory(idea=survivor)
    moved = SignalFactory.create_batch(2, idea=merged)
    merge_ideas(merged=merged, survivor=survivor, user=pm)
    unmerge_idea(idea=merged)
    merged.refresh_from_db()
    assert merged.status == Idea.Status.UNDER_REVIEW
    assert merged.merged_into is None
    assert set(merged.signals.all()) == set(moved)
    assert list(survivor.signals.all()) == [own]


def test_idea_cannot_merge_into_itself_or_into_a_merged_idea(pm):
    idea = IdeaFactory()
    with pytest.raises(ValidationError):
        merge_ideas(merged=idea, survivor=idea, user=pm)
    gone = IdeaFactory(status=Idea.Status.MERGED, merged_into=IdeaFactory())
    with pytest.raises(ValidationError):
        merge_ideas(merged=idea, survivor=gone, user=pm)


def test_undo_of_an_idea_that_is_not_merged_is_refused():
    with pytest.raises(ValidationError):
        unmerge_idea(idea=IdeaFactory())


def test_submitter_sees_the_survivor_status_after_a_merge(client, employee, pm):
    client.force_login(employee)
    client.post("/submit/", {"title": "Dark mode, please", "pillar": "feature"})
    mine = Idea.objects.get()
    survivor = IdeaFactory(title="Dark mode for the admin console", status=Idea.Status.PLANNED)
    merge_ideas(merged=mine, survivor=survivor, user=pm)
    page = client.get("/my/").content.decode()
    assert "Planned" in page
    assert "merged into “Dark mode for the admin console”" in page
