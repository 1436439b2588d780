"""`GET /healthz`: whether this process can serve, for load balancers and monitoring.

It reads every app's tables, so it lives in config (the top floor). Cheap enough to poll every
few seconds: two queries, a Redis PING each for the cache and the broker with short timeouts.
It says only states, counts and ages: no exception text, host, URL or connector name (the
connectors are named by id and kind), so anyone may read it.
"""

from datetime import datetime
from functools import lru_cache

import redis
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from connectors.models import Connector, SyncRun
from intake.models import OutboxEvent

from .fail_safe_cache import FailSafeRedisCache

UP, DOWN, NOT_USED = "up", "down", "not used"


def _age_seconds(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, round((now - moment).total_seconds()))


def outbox_state(now: datetime) -> dict:
    """Events not yet handled, the age of the oldest, and how many gave up (need a person)."""
    pending = OutboxEvent.objects.filter(done_at__isnull=True).aggregate(
        count=Count("pk"),
        failed=Count("pk", filter=Q(failed_at__isnull=False)),
        oldest=Min("created_at"),
    )
    return {
        "pending": pending["count"],
        "oldest_pending_age_seconds": _age_seconds(pending["oldest"], now),
        "failed": pending["failed"],
    }


def connector_states(now: datetime) -> list[dict]:
    """Each connector's id, kind, whether it is enabled, and the age of its last successful sync."""
    # The newest successful run through the (connector, -started_at) index: a few rows read
    # per connector, however many runs have piled up over the years.
    last_success = (
        SyncRun.objects.filter(connector=OuterRef("pk"), outcome=SyncRun.Outcome.SUCCESS)
        .order_by("-started_at")
        .values("finished_at")[:1]
    )
    rows = (
        Connector.objects.order_by("pk")
        .annotate(last_success=Subquery(last_success))
        .values("pk", "kind", "enabled", "last_success")
    )
    return [
        {
            "id": row["pk"],
            "kind": row["kind"],
            "enabled": row["enabled"],
            "last_success_age_seconds": _age_seconds(row["last_success"], now),
        }
        for row in rows
    ]


def cache_state() -> str:
    backend = caches["default"]
    if not isinstance(backend, FailSafeRedisCache):
        return NOT_USED  # in-process memory: nothing to reach
    return UP if backend.ping() else DOWN


@lru_cache(maxsize=4)
def _broker_client(url: str) -> redis.Redis:
    timeout = settings.REDIS_TIMEOUT_SECONDS
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def broker_state() -> str:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return NOT_USED  # tasks run in-process
    try:
        _broker_client(url).ping()
    except redis.RedisError:
        return DOWN
    return UP


@require_safe
@never_cache
def healthz(request):
    """200 while the database answers (Redis down only degrades), 503 when it does not."""
    now = timezone.now()
    report = {"status": "ok", "database": UP}
    try:
        report["outbox"] = outbox_state(now)
        report["connectors"] = connector_states(now)
    except DatabaseError:
        report = {"status": "unavailable", "database": DOWN, "outbox": None, "connectors": None}
    report["cache"] = cache_state()
    report["broker"] = broker_state()
    if report["database"] == UP and DOWN in (report["cache"], report["broker"]):
        report["status"] = "degraded"
    return JsonResponse(report, status=200 if report["database"] == UP else 503)
