"""Rate limits for pages and the API: one mechanism (DRF's cache-backed throttle, which knows
how long until the next request is allowed), rates from `settings.RATE_LIMITS` by scope.

Reads are counted per user when logged in, else per client address (intake/addresses.py says
which address that is). Writes are counted per account and per address as well, so neither
many accounts from one machine nor one account from many machines goes past a limit; the
per-address ceiling of writes (`writes_per_address`) is shared by every write and set high
enough for an office behind one address. The public pages carry no limit here: they are served
from a cache and answer conditional requests, and floods are for the proxy or CDN in front
(README "Behind a proxy and a CDN"). Over a limit: 429 with Retry-After.
"""

import logging
import math
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from rest_framework.throttling import SimpleRateThrottle

from .addresses import client_address

logger = logging.getLogger(__name__)


class ScopedThrottle(SimpleRateThrottle):
    """A throttle for one scope of `settings.RATE_LIMITS` ("10/minute"; None: no limit)."""

    by_address = False

    def __init__(self, scope: str | None = None, *, by_address: bool = False):
        if scope is not None:
            self.scope = scope
        self.by_address = by_address
        super().__init__()

    def get_rate(self):
        # Read at each request, so that a changed setting (or a test's) takes effect at once.
        return settings.RATE_LIMITS.get(self.scope)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as error:  # noqa: BLE001 - whatever the cache backend raises
            # The counts live in the cache: when it is down, requests go through unlimited
            # (an outage of Redis must not take the forms and the API down with it).
            logger.warning("Rate limit %s not checked, the cache failed: %s", self.scope, error)
            return True

    def get_ident(self, request):
        return client_address(request)

    def get_cache_key(self, request, view):
        user = None if self.by_address else getattr(request, "user", None)
        ident = f"user-{user.pk}" if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


WRITES_PER_ADDRESS = "writes_per_address"


def write_throttles(scope: str) -> list[ScopedThrottle]:
    """A write's limits: its own scope per account (or address, for visitors), and the ceiling
    every write shares per address."""
    return [ScopedThrottle(scope), ScopedThrottle(WRITES_PER_ADDRESS, by_address=True)]


class ApiThrottle(ScopedThrottle):
    """Every API request."""

    scope = "api"


class SignalPostThrottle(ScopedThrottle):
    """`POST /api/signals/`, on top of the API's own limit: per account."""

    scope = "api_signal_post"

    def allow_request(self, request, view):
        return request.method != "POST" or super().allow_request(request, view)


class WritesPerAddressThrottle(SignalPostThrottle):
    """`POST /api/signals/`: the per-address ceiling every write shares."""

    scope = WRITES_PER_ADDRESS
    by_address = True

    def __init__(self):
        super().__init__(by_address=True)


def throttled(scope: str, *, methods: tuple[str, ...] = ("POST",)):
    """View decorator for writes: answer 429 with Retry-After once `scope`'s rate for the
    account, or the per-address ceiling of writes, is spent."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                for throttle in write_throttles(scope):
                    if not throttle.allow_request(request, None):
                        return too_many_requests(request, throttle.wait())
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def too_many_requests(request, wait_seconds: float | None, *, template="429.html"):
    seconds = max(1, math.ceil(wait_seconds or 1))
    response = render(request, template, {"retry_after": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response
