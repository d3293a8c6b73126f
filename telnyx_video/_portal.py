"""Runtime support of the generated sync facade ([`telnyx_video.sync`][telnyx_video.sync]).

The generated module only forwards calls. Everything that makes a blocking call work lives
here:

* `ClientPortal`, the facade's door into its async client: it owns one
  [`AsyncVideoClient`][telnyx_video.AsyncVideoClient] and the event loop it runs in, a
  ``telnyx_video._loop_thread.LoopThread`` (plain asyncio, no anyio portal) on a daemon
  thread named ``telnyx-video-portal-<n>``, started on the first call, so the aiohttp session
  is created inside that loop. It is safe to share between threads, survives ``os.fork()``
  (the child starts its own loop and client and never touches the parent's), turns Ctrl-C
  during a call into a cancellation of the in-flight request, and refuses calls from its own
  loop thread.
* `SyncResource` is the base of the generated resources.

[`SyncPaginator`][telnyx_video.SyncPaginator], which walks a listing with one hop per page,
lives with the async paginator in ``telnyx_video.pagination``.
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
import warnings
import weakref
from collections.abc import Awaitable, Callable
from typing import Final, Generic, ParamSpec, TypeVar

from telnyx_video._client import AsyncVideoClient
from telnyx_video._loop_thread import LoopThread

__all__ = ["ClientPortal", "SyncResource"]

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")

_CLOSED: Final = "this VideoClient is closed; create a new one"
_HINT: Final = "in async code use AsyncVideoClient, or call the sync client from another thread"

_thread_numbers = itertools.count(1)


def _abandon(running: LoopThread, client: AsyncVideoClient) -> None:
    """Finalizer of a client dropped without ``close()``: warn, shut down, do not block.

    It may run in any thread, the loop's own included, so it only schedules the shutdown.
    """
    if not running.thread.is_alive():
        return
    warnings.warn(
        "unclosed VideoClient: call close() or use 'with VideoClient(...) as client:'",
        ResourceWarning,
        stacklevel=1,
    )
    running.stop_soon(client.close)


class ClientPortal:
    """Runs one [`AsyncVideoClient`][telnyx_video.AsyncVideoClient] on a private event loop thread,
    for sync callers.

    ``ClientPortal(AsyncVideoClient, api_key, base_url=...)`` builds the async client at
    once, so configuration errors surface in the constructor of the sync client; the loop
    thread starts on the first call.
    """

    __slots__ = (
        "__weakref__",
        "_client",
        "_closed",
        "_factory",
        "_finalizer",
        "_lock",
        "_orphans",
        "_running",
    )

    def __init__(
        self, factory: Callable[P, AsyncVideoClient], /, *args: P.args, **kwargs: P.kwargs
    ) -> None:
        self._factory: Callable[[], AsyncVideoClient] = functools.partial(factory, *args, **kwargs)
        self._client = self._factory()
        self._lock = threading.Lock()
        self._running: LoopThread | None = None
        self._finalizer: weakref.finalize[..., ClientPortal] | None = None
        self._closed = False
        self._orphans: list[object] = []
        _LIVE.add(self)

    @property
    def client(self) -> AsyncVideoClient:
        """The async client that does the work (it must only be awaited in the loop thread)."""
        return self._client

    @property
    def closed(self) -> bool:
        """Whether `close()` was called."""
        return self._closed

    @staticmethod
    def describe(owner: object) -> str:
        """The ``repr`` of the sync client ``owner``, even one whose ``__init__`` failed."""
        portal = getattr(owner, "_portal", None)
        base_url = portal._client.base_url if isinstance(portal, ClientPortal) else None
        return f"{type(owner).__name__}(base_url={base_url!r})"

    def _start(self) -> LoopThread:
        with self._lock:
            if self._closed:
                raise RuntimeError(_CLOSED)
            if self._running is None:
                running = LoopThread(
                    f"telnyx-video-portal-{next(_thread_numbers)}", owner="VideoClient", hint=_HINT
                )
                self._finalizer = weakref.finalize(self, _abandon, running, self._client)
                self._running = running
            return self._running

    def call(self, fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Await ``fn(*args, **kwargs)`` in the client's loop and return its result.

        On Ctrl-C (or any exception raised in this thread while it waits), the task in the
        loop is cancelled, which aborts the HTTP request, before the exception propagates.

        Raises:
            RuntimeError: the client is closed (or closed during the call), or this is its
                own loop thread.
        """
        running = self._running
        if running is None:
            running = self._start()
        return running.call(fn, *args, **kwargs)

    def close(self) -> None:
        """Close the session and stop the loop thread (waits for it). Safe to call twice.

        Raises:
            RuntimeError: called from the client's own loop thread.
        """
        with self._lock:
            running = self._running
            if running is not None and running.in_thread():
                raise RuntimeError(
                    "a VideoClient cannot be called from its own event loop thread (that "
                    f"would deadlock); {_HINT}"
                )
            if self._closed:
                return
            self._closed = True
            self._running = None
            if self._finalizer is not None:
                self._finalizer.detach()
                self._finalizer = None
        if running is not None:
            running.stop(self._client.close)

    def _after_fork_in_child(self) -> None:
        # Only this thread survives a fork: the loop thread, its loop, session and sockets
        # belong to the parent (the LoopThread refuses calls from now on). Leave the client
        # untouched (kept referenced so that no finalizer ever closes it from here) and let
        # the next call start a fresh loop with a fresh client.
        self._lock = threading.Lock()
        if self._running is None:
            return
        self._orphans.append((self._running, self._client))
        self._client._transport.forget_after_fork()
        self._running = None
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if not self._closed:
            self._client = self._factory()


_LIVE: weakref.WeakSet[ClientPortal] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for portal in list(_LIVE):
        portal._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


class SyncResource(Generic[R]):
    """Base of the generated sync resources: the portal and the async twin's attribute."""

    __slots__ = ("_attr", "_portal")

    def __init__(self, portal: ClientPortal, attr: str) -> None:
        self._portal = portal
        self._attr = attr

    @property
    def _async(self) -> R:
        # Looked up on each call: after a fork the portal holds a new async client.
        resource: R = getattr(self._portal._client, self._attr)
        return resource

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
