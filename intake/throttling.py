"""Rate limits for pages and the API: one mechanism (DRF's cache-backed throttle, which knows
how long until the next request is allowed), rates from `settings.RATE_LIMITS` by scope.

Requests are counted per user when logged in, else per client address (`TRUSTED_PROXY_COUNT`
says how many proxies' X-Forwarded-For entries to trust). Over the limit: 429 with Retry-After.
"""

import logging
import math
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

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

    def get_cache_key(self, request, view):
        user = None if self.by_address else getattr(request, "user", None)
        ident = f"user-{user.pk}" if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApiThrottle(ScopedThrottle):
    """Every API request."""

    scope = "api"


class SignalPostThrottle(ScopedThrottle):
    """`POST /api/signals/`, on top of the API's own limit."""

    scope = "api_signal_post"

    def allow_request(self, request, view):
        return request.method != "POST" or super().allow_request(request, view)


def throttled(
    scope: str, *, methods: tuple[str, ...] = ("GET", "HEAD", "POST"), by_address: bool = False
):
    """View decorator: answer 429 with Retry-After once `scope`'s rate is spent. `by_address`
    counts per client address even for users (and never reads the session: for pages shared
    by every visitor through caches)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                throttle = ScopedThrottle(scope, by_address=by_address)
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


def client_address(request) -> str:
    """The client's address: the peer, or the entry `TRUSTED_PROXY_COUNT` proxies vouch for in
    X-Forwarded-For. Used by the rate limits and the login lockout alike."""
    return BaseThrottle().get_ident(request)
