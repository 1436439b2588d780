"""A Redis cache that is an accelerator, never a dependency.

Every operation of Django's own Redis backend, wrapped: when Redis cannot be reached (refused,
timed out, read-only after a failover) the call answers as an empty cache would (a miss, nothing
stored), so callers fall back to the database or to rendering without knowing. After a failure
the cache is skipped for `RETRY_SECONDS`, so an outage costs one short timeout per process every
few seconds, not one per cache call. The outage is logged when it starts, at most once a minute
while it lasts, and when it ends (config/outages.py).

Why not django-redis with IGNORE_EXCEPTIONS: it logs every failed call (a log line per request
during an outage) and tries the connection again on every call, so a Redis that times out rather
than refuses costs each request its timeout once per cache call. It would also swap the client
and serializer of Django's built-in backend for a larger dependency to get the same result.
"""

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from .outages import outage_of

_UNREACHABLE = object()


class FailSafeRedisCache(RedisCache):
    """Django's RedisCache; an unreachable Redis behaves as an empty cache that stores nothing.

    `RETRY_SECONDS` (default 5): how long to skip Redis after a failure. Set the client's
    `socket_connect_timeout` and `socket_timeout` in OPTIONS to keep that one failure short.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self.retry_seconds = float(params.get("RETRY_SECONDS", 5))
        # Every thread has its own cache object; the outage is the process's.
        self._outage = outage_of("Cache", key=",".join(self._servers))

    def _call(self, operation, fallback, *args, **kwargs):
        if self._outage.skipping:
            return fallback
        try:
            result = operation(*args, **kwargs)
        except redis.RedisError as error:
            self._outage.failed(error, skip_seconds=self.retry_seconds)
            return fallback
        self._outage.succeeded()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        # An unreachable cache holds no key, and incr of a missing key raises ValueError.
        result = self._call(super().incr, _UNREACHABLE, key, delta, version)
        if result is _UNREACHABLE:
            raise ValueError(f"Key '{key}' not found (cache unreachable)")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version)

    def clear(self):
        return self._call(super().clear, False)

    def ping(self) -> bool:
        """Whether Redis answers now (for /healthz); a failure starts the skip like any call."""
        return self._call(lambda: self._cache.get_client(write=True).ping(), False) is True
