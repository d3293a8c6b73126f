"""Retry policy: which failures are retried, and how long to wait between attempts."""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime

import attrs

__all__ = ["RetryPolicy", "parse_retry_after"]

RETRYABLE_STATUSES = frozenset({408, 429})
SAFE_METHODS = frozenset({"GET", "DELETE"})


def parse_retry_after(value: str | None) -> float | None:
    """Read a ``Retry-After`` header: delta-seconds or an HTTP date. ``None`` if unusable."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds or seconds == float("inf"):  # NaN or infinite
        return None
    return max(0.0, seconds)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How retries back off.

    Waits follow exponential backoff with full jitter: attempt ``n`` (from 0) sleeps a random
    time in ``[0, min(max_backoff, initial_backoff * 2**n)]``. A ``Retry-After`` header is
    honoured when it is at most ``max_retry_after`` seconds; a longer one is not waited out and
    the error is raised instead.
    """

    initial_backoff: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    max_backoff: float = attrs.field(default=8.0, validator=attrs.validators.ge(0))
    max_retry_after: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    jitter: bool = True

    def backoff(self, attempt: int) -> float:
        """The wait before retry number ``attempt`` (0-based), without a server hint."""
        ceiling = min(self.max_backoff, self.initial_backoff * (2 ** min(attempt, 32)))
        return random.uniform(0, ceiling) if self.jitter else ceiling

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """The wait before retry ``attempt``; ``None`` when the server asks for too long."""
        if retry_after is None:
            return self.backoff(attempt)
        if retry_after > self.max_retry_after:
            return None
        return retry_after


def is_retryable_status(status: int) -> bool:
    """Whether a response status is worth another try for an idempotent request."""
    return status in RETRYABLE_STATUSES or status >= 500
