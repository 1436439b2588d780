"""Shared fixtures: users for each role, and the rule for tests that need real services."""

import os

import pytest
from django.conf import settings

from tests.factories import UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _uses_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or "db" in fixtures


@pytest.fixture(scope="session")
def live_server(request, django_db_setup):
    """pytest-django's live server, started once the test database exists: on in-memory SQLite
    its threads then always share the test's connection (before, that depended on which test
    first asked for it), and it serves one request at a time (`tests.live_server`)."""
    from pytest_django.live_server_helper import LiveServer

    from tests.live_server import OneRequestAtATime

    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(address, start=False)
    if server.thread.connections_override:
        server.thread.server_class = OneRequestAtATime
    server.start()
    yield server
    server.stop()


# A transactional test ends by emptying the tables, and with them what the data migrations
# wrote (groups, stage and scoring policies). Run alone, the suite orders those tests last; run
# in parallel (pytest-xdist hands out whole files), any database test may follow one, so it
# gets the migrated data back first (as the first transactional test of a lone run finds it).
_tables_emptied = False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all(initialized_only=True):
            if not hasattr(connection, "_test_serialized_contents"):
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()


def _restore_migrated_data(config: pytest.Config) -> None:
    from django.core.management import call_command
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=True):
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents is None:
                continue
            # The flush emptied the tables and post_migrate wrote some rows again.
            call_command(
                "flush", database=connection.alias, interactive=False,
                inhibit_post_migrate=True, verbosity=0,
            )  # fmt: skip
            connection.creation.deserialize_db_from_string(contents)
            _reset_sequences(connection)


def _reset_sequences(connection) -> None:
    # Rows come back with their ids, and PostgreSQL's flush set every sequence
    # to 1: without this the next insert reuses an id that is taken.
    from django.apps import apps
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    global _tables_emptied
    if _tables_emptied and _uses_database(item):
        _restore_migrated_data(item.config)
        _tables_emptied = False
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    global _tables_emptied
    result = yield
    if _is_transactional(item):
        _tables_emptied = True
    return result


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
def _fresh_word_counts():
    """The lexical engine keeps each word's document count for a while in the process; a test's
    rolled-back index must not make the next test's words look indexed."""
    from intake.duplicates.lexical import forget_frequencies

    forget_frequencies()
    yield


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
def _nothing_learned_from_triage():
    """Each test starts with no tuning learned from another test's decisions."""
    from intake.duplicates import decisions

    decisions.forget()
    yield
    decisions.forget()


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
