"""Redis stopped under a real gunicorn, as in production: Redis is both cache and broker.

The in-process tests (test_redis_outage.py) run tasks eagerly; here requests hand their work to
a real broker that has gone away, and every request must still succeed and be saved.
"""

import time

import requests

from intake.models import OutboxEvent, Signal
from tests.connectors.worker_process import database_url
from tests.factories import UserFactory, api_token
from tests.reliability.conftest import log_in, post_form
from tests.roadmap.factories import PublicItemFactory

PUBLIC_PAGES = ["/roadmap/", "/roadmap/feed/", "/api/public/roadmap/", "/healthz"]


def _submit_ideas_and_signals(http: requests.Session, base: str, token: str, tag: str) -> list:
    statuses = []
    for n in range(10):
        idea = {"title": f"Relay failover {tag} {n}", "pillar": "reliability"}
        statuses.append(post_form(http, f"{base}/submit/", idea).status_code)
        signal = {"external_id": f"crm-{tag}-{n}", "title": f"Audit export {tag} {n}"}
        posted = requests.post(
            f"{base}/api/signals/",
            json=signal,
            headers={"Authorization": f"Token {token}"},
            timeout=30,
        )
        statuses.append(posted.status_code)
    for path in PUBLIC_PAGES * 5:
        statuses.append(http.get(base + path, timeout=30).status_code)
    return statuses


def test_forms_api_and_public_pages_succeed_under_gunicorn_while_redis_is_down(
    postgres, transactional_db, own_redis, start_gunicorn
):
    PublicItemFactory(public_title="Faster relays")
    employee = UserFactory(username="emma", groups=["Employee"])
    token = api_token(employee)
    server = start_gunicorn(
        DATABASE_URL=database_url(),
        REDIS_URL=own_redis.url,
        CONN_MAX_AGE="60",
        CACHE_RETRY_SECONDS="0.5",
    )
    http = requests.Session()
    log_in(http, server.base, "emma")
    assert set(_submit_ideas_and_signals(http, server.base, token, "before")) <= {200, 201, 302}

    own_redis.stop()
    during = _submit_ideas_and_signals(http, server.base, token, "during")
    health = http.get(f"{server.base}/healthz", timeout=30).json()

    assert len(during) == 40
    assert [s for s in during if s not in (200, 201, 302)] == []
    assert Signal.objects.filter(title__startswith="Relay failover during").count() == 10
    assert Signal.objects.filter(title__startswith="Audit export during").count() == 10
    assert (health["status"], health["cache"], health["broker"]) == ("degraded", "down", "down")
    # Nothing the outage left undone is lost: it waits in the outbox for the broker.
    assert OutboxEvent.objects.filter(done_at__isnull=True).exists()

    own_redis.start()  # empty: no persistence
    after = _submit_ideas_and_signals(http, server.base, token, "after")
    assert set(after) <= {200, 201, 302}
    # The cache is used again (and the broker holds new work), once each process has retried
    # Redis: a busy machine may need a few more requests for that.
    deadline = time.monotonic() + 30
    while own_redis.keys() == 0 and time.monotonic() < deadline:
        assert http.get(f"{server.base}/roadmap/", timeout=30).status_code == 200
        time.sleep(0.2)
    assert own_redis.keys() > 0
