"""Shared fixtures: users for each role, and the rule for tests that need real services."""

import os

import pytest
from django.conf import settings

from tests.factories import UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _missing_service(reason: str):
    """Skip, or fail under REQUIRE_SERVICES=1 (CI), when a real service is absent."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def redis_url() -> str:
    url = settings.REDIS_URL
    if not url:
        _missing_service("REDIS_URL is not set: this test needs a real Redis")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        _missing_service(f"Redis at REDIS_URL does not answer: {error}")
    return url


@pytest.fixture
def postgres(db) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        _missing_service("DATABASE_URL does not point at PostgreSQL: this test needs it")


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Tasks run in-process in tests unless a test starts a real worker."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


@pytest.fixture(autouse=True)
def _local_cache(request, settings):
    """Each test gets an empty in-process cache, so no test sees another's pages.

    Tests marked `redis` keep the configured cache (Redis when REDIS_URL is set).
    """
    if request.node.get_closest_marker("redis") is None:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    if request.node.get_closest_marker("redis") is None:
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _no_compiled_flags():
    """Each test compiles its own feature flags (rollout keeps them per process)."""
    from rollout import evaluation, sdk_keys

    evaluation.forget()
    sdk_keys.forget()
    yield
    evaluation.forget()
    sdk_keys.forget()


@pytest.fixture
def employee(db):
    return UserFactory(username="emma", first_name="Emma", groups=["Employee"])


@pytest.fixture
def sales_rep(db):
    return UserFactory(username="sam", first_name="Sam", groups=["Employee", "Sales"])


@pytest.fixture
def pm(db):
    user = UserFactory(username="pat", first_name="Pat", groups=["Employee", "PM"])
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def superuser(db):
    user = UserFactory(username="root")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def outsider(db):
    """Logged in, but in no group (a customer user, say)."""
    return UserFactory(username="olive")
