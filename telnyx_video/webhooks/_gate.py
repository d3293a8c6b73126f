"""What every receiver does before a handler runs, whatever the framework.

A ``Gate`` holds the settings a receiver is created with (the keys, loaded once; the
tolerance; a clock for tests; a dedupe store), turns a raw body and its headers into a typed
event through [`construct_event`][telnyx_video.webhooks.construct_event]'s one path, words and
logs rejections the same way everywhere, and lets each event through once when a dedupe store
is set. The aiohttp receiver and the framework adapters are thin layers over it.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

from telnyx_video.errors import WebhookVerificationError
from telnyx_video.webhooks._construct import construct_with_keys
from telnyx_video.webhooks._dedupe import AnyDedupeStore, DedupeStore
from telnyx_video.webhooks._events import VideoEvent
from telnyx_video.webhooks._verify import (
    Body,
    PublicKeys,
    check_tolerance,
    is_finite_number,
    load_public_keys,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

__all__ = [
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_MAX_BODY_SIZE",
    "Gate",
    "check_body_timeout",
    "check_max_body_size",
    "logger",
]

logger = logging.getLogger("telnyx_video.webhooks")

DEFAULT_BODY_TIMEOUT: Final = 10.0
"""How long (seconds) a receiver waits for a delivery's body once its headers arrived."""
DEFAULT_MAX_BODY_SIZE: Final = 1024 * 1024
"""The largest delivery body (bytes) the Starlette and Flask adapters read (aiohttp's own
``client_max_size`` default bounds the aiohttp receiver, Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` the Django one). Real deliveries are a few KiB."""


def check_body_timeout(body_timeout: float) -> float:
    """``body_timeout`` as a float, if it is a finite number of seconds > 0.

    Raises:
        ValueError: otherwise.
    """
    if not is_finite_number(body_timeout) or body_timeout <= 0:
        raise ValueError(
            f"body_timeout must be a finite number of seconds > 0, got {body_timeout!r}"
        )
    return float(body_timeout)


def check_max_body_size(max_body_size: int) -> int:
    """``max_body_size`` if it is a positive number of bytes.

    Raises:
        ValueError: otherwise.
    """
    if isinstance(max_body_size, bool) or not isinstance(max_body_size, int) or max_body_size < 1:
        raise ValueError(f"max_body_size must be a positive number of bytes, got {max_body_size!r}")
    return max_body_size


class Gate:
    """Verification settings and the dedupe store of one receiver."""

    def __init__(
        self,
        public_key: PublicKeys | None,
        *,
        tolerance: float | None,
        clock: Callable[[], float | datetime] | None,
        dedupe: AnyDedupeStore | None,
    ) -> None:
        """Load the keys and check the settings, so that a receiver fails at start-up."""
        self.tolerance = check_tolerance(tolerance)
        self.keys: tuple[Ed25519PublicKey, ...] = load_public_keys(public_key)
        if clock is not None and not callable(clock):
            raise TypeError(f"clock must be a callable returning the time, not {clock!r}")
        self.clock = clock
        if dedupe is not None:
            add = getattr(dedupe, "add", None)
            discard = getattr(dedupe, "discard", None)
            if not (callable(add) and callable(discard)):
                raise TypeError(
                    "dedupe must be a store with add(event_id) and discard(event_id) methods "
                    f"(a DedupeStore or an AsyncDedupeStore), not {dedupe!r}"
                )
        self.dedupe = dedupe

    def check_sync(self) -> None:
        """Refuse an async dedupe store for a receiver that handles deliveries synchronously.

        Raises:
            TypeError: the store's ``add`` is a coroutine function.
        """
        if self.dedupe is not None and inspect.iscoroutinefunction(self.dedupe.add):
            raise TypeError(
                f"{type(self.dedupe).__name__} is an async store; a sync view needs a "
                "DedupeStore whose methods are plain functions"
            )

    def construct_event(self, body: Body, headers: Mapping[str, Any]) -> VideoEvent:
        """Verify with the receiver's keys, tolerance and clock, and parse."""
        now = self.clock() if self.clock is not None else None
        return construct_with_keys(body, headers, self.keys, tolerance=self.tolerance, now=now)

    @staticmethod
    def rejected(error: WebhookVerificationError, remote: str | None) -> str:
        """Log a rejected delivery; the text of the ``400`` answer."""
        logger.warning("rejected webhook delivery from %s: %s (%s)", remote, error, error.reason)
        return f"webhook rejected: {error.reason}\n"

    @staticmethod
    def unreadable(error: BaseException, remote: str | None) -> str:
        """Log a body that could not be read; the text of the ``400`` answer."""
        logger.warning("unreadable webhook delivery from %s: %r", remote, error)
        return "webhook rejected: unreadable body\n"

    @staticmethod
    def too_large(limit: int, remote: str | None) -> str:
        """Log a body over the size cap; the text of the ``413`` answer."""
        logger.warning("webhook delivery from %s: body over %d bytes", remote, limit)
        return "webhook body too large\n"

    @staticmethod
    def timed_out(body_timeout: float, remote: str | None) -> str:
        """Log a body that did not arrive in time; the text of the ``408`` answer."""
        logger.warning("webhook delivery from %s: no body within %g s", remote, body_timeout)
        return "webhook body not received in time\n"

    @staticmethod
    def _duplicate(event: VideoEvent) -> None:
        logger.info("dropped duplicate %s event %s", event.event_type, event.id)

    @contextmanager
    def once(self, event: VideoEvent) -> Iterator[bool]:
        """Whether ``event`` is new (always, without a store); its id is forgotten again if the
        block raises, so that Telnyx's redelivery is handled. Sync stores only."""
        store = cast("DedupeStore | None", self.dedupe)
        if store is None:
            yield True
            return
        fresh = store.add(event.id)
        if not fresh:
            self._duplicate(event)
        try:
            yield fresh
        except BaseException:
            if fresh:
                store.discard(event.id)
            raise

    @asynccontextmanager
    async def once_async(self, event: VideoEvent) -> AsyncIterator[bool]:
        """``once()`` for async receivers, with a store of either flavour."""
        store = self.dedupe
        if store is None:
            yield True
            return
        fresh = await _maybe_await(store.add(event.id))
        if not fresh:
            self._duplicate(event)
        try:
            yield fresh
        except BaseException:
            if fresh:
                await _maybe_await(store.discard(event.id))
            raise


T = TypeVar("T")


async def _maybe_await(value: T | Awaitable[T]) -> T:
    if inspect.isawaitable(value):
        return await value
    return value
