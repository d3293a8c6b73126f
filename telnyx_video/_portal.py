"""Runtime support of the generated sync facade ([`telnyx_video.sync`][telnyx_video.sync]).

The generated module only forwards calls. Everything that makes a blocking call work lives
here:

* `ClientPortal` owns one [`AsyncVideoClient`][telnyx_video.AsyncVideoClient] and the event loop
  it runs in: an anyio blocking portal (asyncio backend) on a daemon thread named
  ``telnyx-video-portal-<n>``, started on the first call, so the aiohttp session is created
  inside that loop. It is safe to share between threads, survives ``os.fork()`` (the child
  starts its own loop and never touches the parent's), turns Ctrl-C during a call into a
  cancellation of the in-flight request, and refuses calls from its own loop thread.
* `SyncResource` is the base of the generated resources.

[`SyncPaginator`][telnyx_video.SyncPaginator], which walks a listing with one portal hop per
page, lives with the async paginator in ``telnyx_video.pagination``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import itertools
import os
import threading
import warnings
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final, Generic, ParamSpec, TypeVar, cast

from telnyx_video._client import AsyncVideoClient

if TYPE_CHECKING:
    from anyio.from_thread import BlockingPortal

__all__ = ["ClientPortal", "SyncResource"]

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")

#: How long a call cancelled by Ctrl-C may take to unwind before KeyboardInterrupt goes on.
CANCEL_GRACE: Final = 5.0

_CLOSED: Final = "this VideoClient is closed; create a new one"
_IN_PORTAL: Final = (
    "a VideoClient cannot be called from its own event loop thread (that would deadlock); "
    "in async code use AsyncVideoClient, or call the sync client from another thread"
)

_thread_numbers = itertools.count(1)


class _Running:
    """A started event loop thread with its blocking portal, serving one async client."""

    __slots__ = ("_shutdown_task", "client", "loop", "portal", "thread")

    def __init__(self, client: AsyncVideoClient, name: str) -> None:
        import anyio  # deferred to the first call: importing anyio is not free
        from anyio.from_thread import BlockingPortal

        ready: concurrent.futures.Future[tuple[BlockingPortal, asyncio.AbstractEventLoop]]
        ready = concurrent.futures.Future()

        async def main() -> None:
            async with BlockingPortal() as portal:
                if not ready.set_running_or_notify_cancel():
                    return  # the caller was interrupted while waiting and gave up
                ready.set_result((portal, asyncio.get_running_loop()))
                await portal.sleep_until_stopped()

        def run() -> None:
            try:
                anyio.run(main, backend="asyncio")
            except BaseException as exc:
                if ready.done() or ready.running() or not ready.set_running_or_notify_cancel():
                    raise
                ready.set_exception(exc)

        self.client = client
        self.thread = threading.Thread(target=run, name=name, daemon=True)
        self.thread.start()
        try:
            self.portal, self.loop = ready.result()
        except BaseException:
            # Ctrl-C while the loop was starting: do not leave a thread behind.
            if not ready.cancel() and ready.exception() is None:
                portal, _ = ready.result()
                with contextlib.suppress(RuntimeError):
                    portal.call(portal.stop, True)
            self.thread.join()
            raise
        self._shutdown_task: asyncio.Task[None] | None = None

    def stop(self) -> None:
        """Close the client's session, stop the loop and wait for the thread to end."""
        try:
            self.portal.call(self.client.close)
        finally:
            with contextlib.suppress(RuntimeError):  # already stopped
                self.portal.call(self.portal.stop, True)
            self.thread.join()

    def abandon(self) -> None:
        """Finalizer of a client dropped without ``close()``: warn, shut down, do not block.

        It may run in any thread, the loop's own included, so it only schedules the shutdown.
        """
        if not self.thread.is_alive():
            return
        warnings.warn(
            "unclosed VideoClient: call close() or use 'with VideoClient(...) as client:'",
            ResourceWarning,
            stacklevel=1,
        )
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            self.loop.call_soon_threadsafe(self._begin_shutdown)

    def _begin_shutdown(self) -> None:
        self._shutdown_task = self.loop.create_task(self._shutdown())

    async def _shutdown(self) -> None:
        try:
            await self.client.close()
        finally:
            await self.portal.stop(cancel_remaining=True)


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
        self._running: _Running | None = None
        self._finalizer: weakref.finalize[[], ClientPortal] | None = None
        self._closed = False
        self._orphans: list[object] = []
        _LIVE.add(self)

    @property
    def client(self) -> AsyncVideoClient:
        """The async client that does the work (it must only be awaited in the portal)."""
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

    def _loop(self) -> asyncio.AbstractEventLoop:
        running = self._running
        if running is None:
            with self._lock:
                if self._closed:
                    raise RuntimeError(_CLOSED)
                if self._running is None:
                    name = f"telnyx-video-portal-{next(_thread_numbers)}"
                    self._running = _Running(self._client, name)
                    self._finalizer = weakref.finalize(self, self._running.abandon)
                running = self._running
        elif threading.get_ident() == running.thread.ident:
            raise RuntimeError(_IN_PORTAL)
        return running.loop

    def call(self, fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Await ``fn(*args, **kwargs)`` in the client's loop and return its result.

        On Ctrl-C (or any exception raised in this thread while it waits), the task in the
        loop is cancelled, which aborts the HTTP request, before the exception propagates.
        """
        loop = self._loop()
        finished = threading.Event()

        async def run() -> T:
            try:
                return await fn(*args, **kwargs)
            finally:
                finished.set()

        # Straight onto the portal's loop: a plain thread-safe hand-off costs a fraction of
        # the portal's own task spawning on every call. Tasks still left when the portal
        # stops are cancelled with the loop, so a call racing close() fails, never hangs.
        coro = run()
        try:
            future = asyncio.run_coroutine_threadsafe(coro, loop)
        except RuntimeError:  # the loop stopped since _loop(): another thread closed us
            coro.close()
            raise RuntimeError(_CLOSED) from None
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            raise RuntimeError("the VideoClient was closed while this call was running") from None
        except BaseException:
            # KeyboardInterrupt most likely: abort the request, let it unwind, re-raise.
            if future.cancel():
                finished.wait(CANCEL_GRACE)
            raise

    def close(self) -> None:
        """Close the session and stop the loop thread (waits for it). Safe to call twice."""
        with self._lock:
            running = self._running
            if running is not None and threading.get_ident() == running.thread.ident:
                raise RuntimeError(_IN_PORTAL)
            if self._closed:
                return
            self._closed = True
            self._running = None
            if self._finalizer is not None:
                self._finalizer.detach()
                self._finalizer = None
        if running is not None:
            running.stop()

    def _after_fork_in_child(self) -> None:
        # Only this thread survives a fork: the loop thread, its loop, session and sockets
        # belong to the parent. Leave them untouched (kept referenced so that no finalizer
        # ever closes them from here) and let the next call start a fresh loop.
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
        return cast(R, getattr(self._portal.client, self._attr))

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
