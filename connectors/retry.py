"""Calling a flaky, rate-limited API politely: bounded retries with backoff and jitter.

Each source says which of its exceptions are transient (network, 5xx) and which are rate
limits (with how long to wait); everything else propagates at once.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings

logger = logging.getLogger(__name__)

T = TypeVar("T")


class RateLimited(Exception):
    """The API asked us to wait longer than a run may wait: stop now, resume after the reset."""

    def __init__(self, wait_seconds: float, message: str = "") -> None:
        self.wait_seconds = wait_seconds
        super().__init__(message or f"rate limited for {wait_seconds:.0f}s")


class UpstreamUnavailable(Exception):
    """The API kept failing (network errors, 5xx, unusable responses) after every retry."""


@dataclass(frozen=True)
class Transient:
    """A failure worth retrying after a backoff."""

    reason: str


@dataclass(frozen=True)
class RateLimit:
    """The API's rate limit, and the seconds until it resets."""

    wait_seconds: float
    reason: str = "rate limited"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_rate_limit_wait: float = 60.0
    http_timeout: float = 30.0

    @classmethod
    def from_settings(cls) -> RetryPolicy:
        return cls(
            attempts=settings.CONNECTORS_RETRY_ATTEMPTS,
            backoff_base=settings.CONNECTORS_BACKOFF_BASE_SECONDS,
            backoff_max=settings.CONNECTORS_BACKOFF_MAX_SECONDS,
            max_rate_limit_wait=settings.CONNECTORS_MAX_RATE_LIMIT_WAIT_SECONDS,
            http_timeout=settings.CONNECTORS_HTTP_TIMEOUT_SECONDS,
        )

    def backoff(self, attempt: int) -> float:
        """Between half and all of base·2^(attempt-1), capped: jitter spreads workers out."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


Classifier = Callable[[BaseException], Transient | RateLimit | None]


def call_with_retries(
    fn: Callable[[], T],
    *,
    policy: RetryPolicy,
    classify: Classifier,
    describe: str,
    on_wait: Callable[[float], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `fn` until it succeeds, retrying transient failures and short rate limits.

    A rate limit that resets within `policy.max_rate_limit_wait` is waited out once; a longer
    one raises RateLimited so the run stops cleanly. Transient failures are retried up to
    `policy.attempts` times in all, then raise UpstreamUnavailable. `on_wait` is told before
    every sleep (the sync service uses it to keep its lease alive).
    """
    waited_for_reset = False
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except Exception as error:
            verdict = classify(error)
            if verdict is None:
                raise
            if isinstance(verdict, RateLimit):
                wait = max(0.0, verdict.wait_seconds)
                if waited_for_reset or wait > policy.max_rate_limit_wait:
                    raise RateLimited(wait, f"{describe}: {verdict.reason}") from error
                logger.info("%s: %s, waiting %.1fs for the reset", describe, verdict.reason, wait)
                waited_for_reset = True
                attempt -= 1  # waiting for a reset is not a failed attempt
                delay = wait
            else:
                if attempt >= policy.attempts:
                    raise UpstreamUnavailable(
                        f"{describe}: {verdict.reason} (gave up after {attempt} attempts)"
                    ) from error
                delay = policy.backoff(attempt)
                logger.warning(
                    "%s: %s, retry %d/%d in %.2fs",
                    describe,
                    verdict.reason,
                    attempt,
                    policy.attempts - 1,
                    delay,
                )
            if on_wait is not None:
                on_wait(delay)
            sleep(delay)


def retry_after_seconds(headers: Any, *, now: float | None = None) -> float | None:
    """Seconds to wait from `Retry-After` or an `x-ratelimit-reset` epoch, if the API sent one."""
    if not headers:
        return None
    lowered = {str(key).lower(): value for key, value in dict(headers).items()}
    now = time.time() if now is None else now
    if "retry-after" in lowered:
        try:
            return max(0.0, float(lowered["retry-after"]))
        except (TypeError, ValueError):
            return None
    if "x-ratelimit-reset" in lowered:
        try:
            reset = float(lowered["x-ratelimit-reset"])
        except (TypeError, ValueError):
            return None
        # GitHub sends an epoch; Reddit sends seconds until the reset.
        return max(0.0, reset - now) if reset > 1_000_000_000 else max(0.0, reset)
    return None
