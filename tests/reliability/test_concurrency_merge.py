"""Two PMs merging the same idea at the same moment in the admin (on PostgreSQL): one merge,
the other PM told why theirs did not happen, never a 500 or a deadlock."""

from functools import partial

import pytest
from django.test import Client

from intake.models import Idea, MergeRecord
from tests.factories import IdeaFactory, SignalFactory, UserFactory

from .parallel import at_once

CHANGELIST = "/admin/intake/idea/"
ROUNDS = 10
# What the PM whose merge did not happen reads: the service's reason, or the form's when the
# survivor they picked was merged a moment before they sent it.
TOLD = (
    "was merged; use the idea it merged into",
    "is already merged into",
    "That idea was merged meanwhile",
)


@pytest.fixture
def two_pms(db):
    clients = []
    for name in ("pat", "quinn"):
        user = UserFactory(username=name, groups=["Employee", "PM"])
        user.is_staff = True
        user.save()
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def _merge(client: Client, *, ideas: list[Idea], survivor: Idea) -> tuple[int, str]:
    response = client.post(
        CHANGELIST,
        {
            "action": "merge_selected",
            "_selected_action": [idea.pk for idea in ideas],
            "apply": "1",
            "survivor": survivor.pk,
        },
        follow=True,
    )
    return response.status_code, response.content.decode()


def _idea_with_signals(title: str) -> Idea:
    idea = IdeaFactory(title=title)
    SignalFactory.create_batch(2, idea=idea)
    return idea


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_idea_merged_into_two_survivors_at_once_merges_once(postgres, two_pms):
    for round_ in range(ROUNDS):
        idea = _idea_with_signals(f"Dark mode {round_}")
        first, second = _idea_with_signals("Night theme"), _idea_with_signals("Dark UI")

        answers = at_once(
            partial(_merge, two_pms[0], ideas=[idea, first], survivor=first),
            partial(_merge, two_pms[1], ideas=[idea, second], survivor=second),
        )

        assert [code for code, _ in answers] == [200, 200]
        assert MergeRecord.objects.filter(merged=idea).count() == 1
        idea.refresh_from_db()
        assert idea.status == Idea.Status.MERGED
        assert idea.signals.count() == 0
        assert idea.merged_into.signals.count() == 4
        told = [page for _, page in answers if any(reason in page for reason in TOLD)]
        assert len(told) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_ideas_merged_into_each_other_at_once_merge_one_way(postgres, two_pms):
    for round_ in range(ROUNDS):
        one, other = _idea_with_signals(f"SSO {round_}"), _idea_with_signals(f"SAML {round_}")

        answers = at_once(
            partial(_merge, two_pms[0], ideas=[one, other], survivor=one),
            partial(_merge, two_pms[1], ideas=[one, other], survivor=other),
        )

        assert [code for code, _ in answers] == [200, 200]
        assert MergeRecord.objects.filter(merged__in=[one, other]).count() == 1
        pair = Idea.objects.filter(pk__in=[one.pk, other.pk])
        assert set(pair.values_list("status", flat=True)) == {Idea.Status.MERGED, Idea.Status.NEW}
        told = [page for _, page in answers if any(reason in page for reason in TOLD)]
        assert len(told) == 1
