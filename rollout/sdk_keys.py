"""SDK key checks for the OFREP endpoints, remembered per process for at most
ROLLOUT_REFRESH_SECONDS so that a revoked key stops working as fast as a killed flag."""

import threading
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import SdkKey, hash_sdk_key

_lock = threading.Lock()
_seen: dict[str, tuple[bool, float]] = {}
LAST_USED_RESOLUTION = timedelta(minutes=1)


def bearer_key(authorization: str) -> str:
    scheme, _, key = (authorization or "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


def is_valid(key: str) -> bool:
    if not key or len(key) > 200:
        return False
    digest = hash_sdk_key(key)
    now = time.monotonic()
    with _lock:
        cached = _seen.get(digest)
    if cached is not None and now - cached[1] < settings.ROLLOUT_REFRESH_SECONDS:
        return cached[0]
    row = SdkKey.objects.filter(key_hash=digest, revoked_at=None).only("pk", "last_used_at").first()
    if row is not None and (
        row.last_used_at is None or timezone.now() - row.last_used_at > LAST_USED_RESOLUTION
    ):
        SdkKey.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    with _lock:
        if len(_seen) > 10_000:
            _seen.clear()
        _seen[digest] = (row is not None, now)
    return row is not None


def forget() -> None:
    with _lock:
        _seen.clear()
