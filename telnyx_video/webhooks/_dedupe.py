"""Drop duplicate webhook deliveries by event id: the store protocols and an in-memory LRU."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Protocol, TypeAlias

__all__ = [
    "DEFAULT_DEDUPE_SIZE",
    "AnyDedupeStore",
    "AsyncDedupeStore",
    "DedupeStore",
    "LRUDedupeStore",
]

DEFAULT_DEDUPE_SIZE = 10_000
"""How many event ids an [`LRUDedupeStore`][telnyx_video.webhooks.LRUDedupeStore] remembers
by default."""


class DedupeStore(Protocol):
    """Remembers which events were handled (the sync flavour: Django, Flask, any receiver).

    Implement it over Redis (``SET key 1 NX EX ttl`` / ``DEL key``) or a database table with a
    unique key (``INSERT ... ON CONFLICT DO NOTHING`` / ``DELETE``) to share it between
    processes; [`LRUDedupeStore`][telnyx_video.webhooks.LRUDedupeStore] is the in-memory one.
    """

    def add(self, event_id: str) -> bool:
        """Remember ``event_id``; ``True`` if it was new, ``False`` if it was already there.

        Must be atomic: of two concurrent calls with one id, exactly one returns ``True``.
        """
        ...

    def discard(self, event_id: str) -> None:
        """Forget ``event_id`` (its handler failed, so a redelivery must be handled)."""
        ...


class AsyncDedupeStore(Protocol):
    """[`DedupeStore`][telnyx_video.webhooks.DedupeStore] with coroutine methods, for async
    receivers (aiohttp, Starlette/FastAPI) whose store does I/O (``redis.asyncio``, asyncpg)."""

    async def add(self, event_id: str) -> bool:
        """Remember ``event_id``; ``True`` if it was new, ``False`` if it was already there."""
        ...

    async def discard(self, event_id: str) -> None:
        """Forget ``event_id`` (its handler failed, so a redelivery must be handled)."""
        ...


AnyDedupeStore: TypeAlias = "DedupeStore | AsyncDedupeStore"
"""What the async receivers accept: a store of either flavour."""


class LRUDedupeStore:
    """An in-memory [`DedupeStore`][telnyx_video.webhooks.DedupeStore]: the ``max_size`` most
    recently seen event ids, forgetting the least recently seen first.

    Thread-safe, so one store can serve a threaded WSGI server. It lives in one process: run
    several workers and each has its own, so use a shared store (Redis, a database) there.
    """

    def __init__(self, max_size: int = DEFAULT_DEDUPE_SIZE) -> None:
        """Create an empty store.

        Args:
            max_size: how many event ids to remember (at least 1).

        Raises:
            ValueError: ``max_size`` is not a positive integer.
        """
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1:
            raise ValueError(f"max_size must be a positive integer, got {max_size!r}")
        self._max_size = max_size
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<LRUDedupeStore {len(self._ids)}/{self._max_size} ids>"

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    @property
    def max_size(self) -> int:
        """How many event ids the store remembers at most."""
        return self._max_size

    def add(self, event_id: str) -> bool:
        """Remember ``event_id`` as the most recent; ``True`` if it was not remembered yet."""
        with self._lock:
            if event_id in self._ids:
                self._ids.move_to_end(event_id)
                return False
            self._ids[event_id] = None
            if len(self._ids) > self._max_size:
                self._ids.popitem(last=False)
            return True

    def discard(self, event_id: str) -> None:
        """Forget ``event_id`` if it is remembered."""
        with self._lock:
            self._ids.pop(event_id, None)
