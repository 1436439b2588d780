"""PostgreSQL restarts and outages under a real gunicorn, seen through a real HTTP client."""

import pytest
import requests
from django.db import OperationalError, connection

from config.database_unavailable import server_error
from tests.connectors.worker_process import database_url
from tests.factories import UserFactory
from tests.reliability.conftest import TcpProxy, log_in, post_form
from tests.reliability.redis_server import free_port
from tests.roadmap.factories import PublicItemFactory

OUTAGE_PAGES = [
    ("get", "/roadmap/"),
    ("get", "/roadmap/feed/"),
    ("get", "/my/"),
    ("get", "/api/public/roadmap/"),
    ("post", "/accounts/login/"),
]


def test_pages_answer_a_plain_503_while_the_database_is_unreachable(start_gunicorn):
    port = free_port()  # nothing listens there: as a stopped PostgreSQL
    server = start_gunicorn(DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/ideas")
    http = requests.Session()
    http.cookies.set("sessionid", "a-session-that-needs-the-database")

    for method, path in OUTAGE_PAGES:
        response = http.request(method, server.base + path, timeout=30)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "30"
        for internal in ("Traceback", "OperationalError", "psycopg", "127.0.0.1", str(port)):
            assert internal not in response.text, (path, internal)
    assert "back in a moment" in http.get(server.base + "/roadmap/", timeout=30).text
    assert http.get(server.base + "/api/public/roadmap/", timeout=30).json()["detail"]

    health = http.get(server.base + "/healthz", timeout=30)
    assert health.status_code == 503
    assert health.json()["database"] == "down"
    assert str(port) not in health.text
    # Seven failed pages over two worker processes: one log line per process, not per request.
    assert server.stop().count("Database unreachable") in (1, 2)


@pytest.mark.parametrize(
    ("error", "status"),
    [(OperationalError("server closed the connection unexpectedly"), 503), (KeyError("bug"), 500)],
)
def test_handler500_answers_503_only_for_a_database_outage(rf, error, status):
    """An error a middleware raised (saving the session, say) reaches handler500, not a view."""
    try:
        raise error
    except Exception:  # noqa: BLE001 - handler500 runs inside Django's except block
        response = server_error(rf.get("/my/"))
    assert response.status_code == status
    assert response.has_header("Retry-After") == (status == 503)


def _terminate_backends_of_the_test_database() -> int:
    """pg_terminate_backend on every other connection to this test's own database, only."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _use_the_site(http: requests.Session, base: str, n: int) -> list[int]:
    statuses = []
    for i in range(n):
        for path in ("/api/public/roadmap/", "/my/", "/healthz", "/roadmap/"):
            statuses.append(http.get(base + path, timeout=30).status_code)
        submitted = post_form(
            http,
            f"{base}/submit/",
            {"title": f"Idea sent after a cut {n}-{i}", "pillar": "reliability"},
        )
        statuses.append(submitted.status_code)
    return statuses


def test_no_request_fails_after_postgresql_drops_every_connection(
    postgres, transactional_db, start_gunicorn
):
    from intake.models import Signal

    PublicItemFactory(public_title="Faster relays")
    UserFactory(username="emma", groups=["Employee"])
    server = start_gunicorn(DATABASE_URL=database_url(), CONN_MAX_AGE="600")
    http = requests.Session()
    log_in(http, server.base, "emma")
    assert set(_use_the_site(http, server.base, 10)) <= {200, 302}

    statuses = []
    for _ in range(3):
        assert _terminate_backends_of_the_test_database() > 0
        statuses += _use_the_site(http, server.base, 10)

    assert len(statuses) == 150
    assert [s for s in statuses if s >= 500] == []
    assert Signal.objects.filter(title__startswith="Idea sent after a cut").count() == 40


def test_pages_answer_503_while_postgresql_is_away_and_nothing_fails_once_it_is_back(
    postgres, transactional_db, start_gunicorn
):
    PublicItemFactory(public_title="Faster relays")
    UserFactory(username="emma", groups=["Employee"])
    db = connection.settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    try:
        server = start_gunicorn(
            DATABASE_URL=database_url(host="127.0.0.1", port=proxy.port),
            CONN_MAX_AGE="600",
            DATABASE_CONNECT_TIMEOUT="2",
        )
        http = requests.Session()
        log_in(http, server.base, "emma")
        assert set(_use_the_site(http, server.base, 5)) <= {200, 302}

        proxy.cut()
        away = _use_the_site(http, server.base, 5)
        proxy.restore()
        back = _use_the_site(http, server.base, 10)
    finally:
        proxy.close()

    # /roadmap/ may come from the one-second page copy; everything else needs the database.
    assert set(away) <= {200, 503} and away.count(503) >= 20
    assert [s for s in back if s >= 500] == []
