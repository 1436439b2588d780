"""Guarantees the database itself must keep, checked on PostgreSQL, and the Redis cache."""

import pytest
from django.db import IntegrityError, transaction

from intake.models import Idea, Signal
from intake.services import upsert_signal
from tests.factories import IdeaFactory, SignalFactory


@pytest.mark.postgres
def test_postgres_refuses_a_second_signal_with_the_same_source_and_id(postgres):
    SignalFactory(source=Signal.Source.GITHUB_ISSUE, external_id="octo/repo#1")
    with pytest.raises(IntegrityError), transaction.atomic():
        SignalFactory(source=Signal.Source.GITHUB_ISSUE, external_id="octo/repo#1")


@pytest.mark.postgres
def test_postgres_refuses_a_declined_idea_without_a_reason(postgres):
    with pytest.raises(IntegrityError), transaction.atomic():
        IdeaFactory(status=Idea.Status.DECLINED, decline_reason="")


@pytest.mark.postgres
def test_upsert_is_idempotent_on_postgres(postgres):
    fields = {
        "title": "Exit nodes by country",
        "url": "https://github.com/o/r/issues/7",
        "votes": 3,
    }
    first, created = upsert_signal(source="github_issue", external_id="o/r#7", **fields)
    again, created_again = upsert_signal(source="github_issue", external_id="o/r#7", **fields)
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Signal.objects.count() == 1


@pytest.mark.redis
def test_cache_round_trips_through_redis(redis_url, settings):
    from django.core.cache import caches

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache = caches["default"]
    cache.set("idea-intake-test-key", {"ideas": 3}, timeout=30)
    assert cache.get("idea-intake-test-key") == {"ideas": 3}
    cache.delete("idea-intake-test-key")
