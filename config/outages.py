"""One process's record of an outage of a service (Redis, PostgreSQL), logged once a minute.

An outage is logged when it starts, then at most once a minute while it lasts (with the number
of failures in between), and once when it ends: never a line per request.
"""

import logging
import threading
import time

logger = logging.getLogger("config.outages")

LOG_EVERY_SECONDS = 60.0


class Outage:
    def __init__(self, service: str) -> None:
        self.service = service
        self.lock = threading.Lock()
        self.skip_until = 0.0  # monotonic time before which callers need not try the service
        self.down_since: float | None = None
        self.last_logged = 0.0
        self.failures = 0

    def failed(self, error: Exception, *, skip_seconds: float = 0.0) -> None:
        now = time.monotonic()
        with self.lock:
            self.skip_until = now + skip_seconds
            self.failures += 1
            if self.down_since is None:
                self.down_since = now
            elif now - self.last_logged < LOG_EVERY_SECONDS:
                return
            self.last_logged = now
            failures, self.failures = self.failures, 0
        logger.warning(
            "%s unreachable (%s: %s); %d failed calls since the last report",
            self.service,
            type(error).__name__,
            error,
            failures,
        )

    def succeeded(self) -> None:
        if self.down_since is None:  # the common case, without the lock
            return
        with self.lock:
            if self.down_since is None:
                return
            seconds = time.monotonic() - self.down_since
            self.down_since = None
            self.failures = 0
        logger.warning("%s reachable again after %.0f s", self.service, seconds)

    @property
    def skipping(self) -> bool:
        return time.monotonic() < self.skip_until


_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def outage_of(service: str, *, key: str = "") -> Outage:
    """The process-wide record for `service` (shared by every thread); `key` tells apart two
    instances of one service (two Redis locations) without putting the key in the logs."""
    with _outages_lock:
        return _outages.setdefault(f"{service}|{key}", Outage(service))
