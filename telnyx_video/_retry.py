"""Retry rules, in one place: which failures are retried, which may have reached the server,
how long to wait between attempts, and the checks of the per-call ``timeout``/``max_retries``.

The transport's retry loop (``Transport.request``) asks this module every question it has
about a failed attempt; nothing else in the SDK classifies failures.
"""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime

import attrs

from telnyx_video.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    TelnyxVideoError,
)

__all__ = [
    "RetryPolicy",
    "check_max_retries",
    "check_timeout",
    "done_by_earlier_attempt",
    "is_ambiguous",
    "parse_retry_after",
    "retry_delay",
]

SAFE_METHODS = frozenset({"GET", "DELETE"})
"""Methods whose ambiguous failures are retried by default: sending them twice does no harm."""


def check_timeout(value: object, error: type[ValueError] = ValueError) -> float | None:
    """A timeout in seconds: a finite number > 0, or ``None`` for no limit."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value < float("inf")
    ):
        raise error(f"timeout must be a number of seconds > 0, or None; got {value!r}")
    return float(value)


def check_max_retries(value: object, error: type[ValueError] = ValueError) -> int:
    """A retry count: an integer >= 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise error(f"max_retries must be an integer >= 0, got {value!r}")
    return value


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


def is_ambiguous(failure: TelnyxVideoError) -> bool:
    """Whether a failed attempt may nevertheless have been carried out by the server.

    True for a timeout or a connection lost after sending, a 408 or 5xx answer, and an
    answer that could not be read (a 2xx certainly was carried out, but we cannot tell how).
    """
    if isinstance(failure, APIConnectionError):
        return failure.maybe_sent
    if isinstance(failure, APIStatusError):
        return failure.status == 408 or failure.status >= 500
    return isinstance(failure, APIResponseValidationError)


def retry_delay(
    policy: RetryPolicy, failure: TelnyxVideoError, attempt: int, *, retry_ambiguous: bool
) -> float | None:
    """The wait before retrying after ``failure`` on retry ``attempt``; ``None``: do not retry.

    A 429 and a connection that was never opened are always retried (nothing was done);
    ambiguous failures only when ``retry_ambiguous`` (safe methods, or a caller that checks
    before retrying); other answers, unreadable ones included, never.
    """
    if isinstance(failure, APIConnectionError):
        if failure.maybe_sent and not retry_ambiguous:
            return None
        return policy.backoff(attempt)
    if isinstance(failure, APIStatusError):
        status = failure.status
        if status == 429 or (retry_ambiguous and (status == 408 or status >= 500)):
            return policy.delay(attempt, parse_retry_after(failure.headers.get("retry-after")))
    return None


def done_by_earlier_attempt(method: str, failure: TelnyxVideoError) -> bool:
    """Whether ``failure``, after an ambiguous attempt, shows that attempt did the job.

    A DELETE answered 404 on a retry: the resource is gone, which is what was asked.
    """
    return method == "DELETE" and isinstance(failure, APIStatusError) and failure.status == 404
