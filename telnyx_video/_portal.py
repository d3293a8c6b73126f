"""Runtime support of the generated sync facade ([`telnyx_video.sync`][telnyx_video.sync]).

The generated module only forwards calls. Everything that makes a blocking call work lives
here:

* `ClientPortal`, the facade's door into its async client. It owns one
  [`AsyncVideoClient`][telnyx_video.AsyncVideoClient] and the event loop it runs in, and has
  no thread of its own: a blocking call runs that loop in the calling thread (it *drives*
  the loop) until its own coroutine is done, so a single-threaded program pays no thread
  hop at all (see docs/performance.md). When several threads call at once, the first one
  drives and runs the others' coroutines as well while they sleep; when its own call is done
  it returns at once and hands the loop to one of them. All threads share one aiohttp
  session and its connection pool. The portal survives ``os.fork()`` (the child makes its
  own loop and client and never touches the parent's), turns Ctrl-C during a call into a
  cancellation of the in-flight request, works in a thread that runs an event loop of its
  own (a notebook, an async framework), and refuses calls from inside its own loop.
* `SyncResource` is the base of the generated resources.

[`SyncPaginator`][telnyx_video.SyncPaginator], which walks a listing with one call per page,
lives with the async paginator in ``telnyx_video.pagination``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import threading
import time
import warnings
import weakref
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Final, Generic, ParamSpec, TypeVar

from telnyx_video import _blocking
from telnyx_video._blocking import Call, cancel_the_others
from telnyx_video._client import AsyncVideoClient

try:  # signal's C core, without the enum conversions: a tenth of the cost (_catch_ctrl_c)
    import _signal  # type: ignore[import-not-found]
except ImportError:  # not CPython
    _signal = signal

__all__ = ["ClientPortal", "SyncResource"]

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")

_CLOSED: Final = "this VideoClient is closed; create a new one"
_REENTERED: Final = (
    "a VideoClient cannot be called from inside its own event loop (that would deadlock); "
    "in async code use AsyncVideoClient, or call the sync client from another thread"
)
_CLOSED_DURING_CALL: Final = "the VideoClient was closed while this call was running"
#: After the loop stood still this long (seconds), a call lets it catch up first.
CATCH_UP_AFTER: Final = 1.0


@contextlib.contextmanager
def _outside_any_loop() -> Iterator[None]:
    """Let this thread run our loop even if it is inside a running one (a notebook cell, a
    coroutine calling the sync client): that loop is blocked by the call anyway, and is
    its thread's running loop again afterwards."""
    outer = asyncio._get_running_loop()
    if outer is None:
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(outer)


def _close_loop(
    loop: asyncio.AbstractEventLoop, last: Callable[[], Awaitable[object]] | None = None
) -> None:
    """In a thread that may drive ``loop``: cancel what still runs in it, await ``last()``,
    close its async generators and executor, then the loop itself."""

    async def wind_down() -> None:
        await cancel_the_others()
        if last is not None:
            await last()
        await loop.shutdown_asyncgens()
        await loop.shutdown_default_executor()

    with _outside_any_loop():
        try:
            loop.run_until_complete(wind_down())
        finally:
            loop.close()


def _abandon(loop: asyncio.AbstractEventLoop, client: AsyncVideoClient) -> None:
    """Finalizer of a used client dropped without ``close()``: warn, and close it here.

    No call can be running (each holds a reference to the portal), so the loop is idle.
    """
    warnings.warn(
        "unclosed VideoClient: call close() or use 'with VideoClient(...) as client:'",
        ResourceWarning,
        stacklevel=1,
    )
    if not loop.is_closed() and not loop.is_running():
        _close_loop(loop, client.close)


class ClientPortal:
    """Runs one [`AsyncVideoClient`][telnyx_video.AsyncVideoClient] for sync callers, on an
    event loop that the calling threads drive in turn.

    ``ClientPortal(AsyncVideoClient, api_key, base_url=...)`` builds the async client at
    once, so configuration errors surface in the constructor of the sync client; the loop
    is made on the first call, so the aiohttp session is created inside it.
    """

    __slots__ = (
        "__weakref__",
        "_calls",
        "_client",
        "_closed",
        "_driver",
        "_factory",
        "_finalizer",
        "_idle_since",
        "_loop",
        "_orphans",
        "_state",
        "_wound_down",
    )

    def __init__(
        self, factory: Callable[P, AsyncVideoClient], /, *args: P.args, **kwargs: P.kwargs
    ) -> None:
        self._factory: Callable[[], AsyncVideoClient] = functools.partial(factory, *args, **kwargs)
        self._client = self._factory()
        #: Guards the fields below (never held while the loop runs).
        self._state = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        #: The thread running the loop now, if any.
        self._driver: int | None = None
        #: When the last thread let go of the loop (``time.monotonic()``).
        self._idle_since = 0.0
        #: The calls whose outcome is not in yet; each has a thread waiting for it.
        self._calls: set[Call[Any]] = set()
        self._closed = False
        self._wound_down = threading.Event()
        self._finalizer: weakref.finalize[..., ClientPortal] | None = None
        self._orphans: list[object] = []
        _LIVE.add(self)

    @property
    def client(self) -> AsyncVideoClient:
        """The async client that does the work (only ever awaited in the portal's loop)."""
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

    def call(self, fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Await ``fn(*args, **kwargs)`` in the client's loop and return its result.

        On Ctrl-C (or any exception raised in this thread while it waits), the task is
        cancelled, which aborts the HTTP request, before the exception propagates.

        Raises:
            RuntimeError: the client is closed (or closed during the call), or this is a
                call from inside its own loop.
        """
        call: Call[T] = Call(fn, args, kwargs)
        self._wait(call, self._admit_call)
        return call.outcome()

    def close(self) -> None:
        """Cancel the calls in flight, close the session and the loop. Safe to call twice.

        Raises:
            RuntimeError: called from inside the client's own loop.
        """
        call: Call[None] = Call(self._shut_down, (), {})
        if self._wait(call, self._admit_close):
            try:
                call.outcome()
            finally:
                self._wound_down.wait()  # by whoever hands the loop off last: often this thread

    def _admit_call(self) -> bool:
        if self._closed:
            raise RuntimeError(_CLOSED)
        return True

    def _admit_close(self) -> bool:
        if self._driver == threading.get_ident():
            raise RuntimeError(_REENTERED)
        if self._closed:
            return False
        self._closed = True
        if self._finalizer is not None:
            self._finalizer.detach()
        if self._loop is None:  # never used: nothing was opened
            self._wound_down.set()
            return False
        return True

    async def _shut_down(self) -> None:
        await cancel_the_others()
        await self._client.close()

    # ---------------------------------------------------------------- the loop's turns

    def _submit(self, call: Call[Any]) -> None:
        """With ``_state`` held: queue the call's task in the loop, taking the loop if free."""
        if self._driver == call.thread:
            raise RuntimeError(_REENTERED)
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.new_event_loop()
            self._finalizer = weakref.finalize(self, _abandon, loop, self._client)
        self._calls.add(call)
        if self._driver is None:
            self._driver = call.thread
            if time.monotonic() - self._idle_since < CATCH_UP_AFTER:
                self._start(call)
            else:
                # Nothing ran the loop for a while: start the task after the loop had a look
                # at what happened meanwhile, so that a connection the server closed is
                # dropped before the request could be written to it.
                loop.call_soon(self._start, call)
        else:
            loop.call_soon_threadsafe(self._start, call)

    def _start(self, call: Call[Any]) -> None:
        if call.interrupted:  # given up on before it began
            self._settle(call, KeyboardInterrupt())
            return
        assert self._loop is not None
        call.task = self._loop.create_task(self._run(call))

    async def _run(self, call: Call[Any]) -> None:
        self._settle(call, await call.run(_CLOSED_DURING_CALL))

    def _settle(self, call: Call[Any], error: BaseException | None) -> None:
        """In the loop: the call's outcome is in; stop the loop if its caller drives it,
        else wake the caller."""
        with self._state:
            if call.finished:  # given up on after Ctrl-C: nobody waits for it any more
                return
            call.settle(error)
            self._calls.discard(call)
        if call.thread == threading.get_ident():
            loop = self._loop
            assert loop is not None
            if error is None:
                loop.stop()
            else:
                # One more turn first, for what a failure scheduled: the socket of an
                # aborted request is closed there (else it would wait for the next call).
                loop.call_soon(loop.stop)
        else:
            call.waker.wake()

    def _wait(self, call: Call[Any], admit: Callable[[], bool]) -> bool:
        """Submit the call if ``admit()`` (run with ``_state`` held) says so, then drive the
        loop or sleep while another thread does, until it is done; whether it ran.

        Everything from the submission on is covered: an exception in this thread (Ctrl-C)
        at any point leaves no call behind and never keeps the loop.
        """
        try:
            with self._state:
                if not admit():
                    return False
                self._submit(call)
            self._take_turns(call)
        except BaseException:
            self._give_up(call)
            raise
        return True

    def _give_up(self, call: Call[Any]) -> None:
        """After an exception in the calling thread (Ctrl-C, most likely): cancel the call,
        let it unwind for up to ``CANCEL_GRACE`` seconds (at once after a second Ctrl-C), then
        stop waiting for it."""
        with self._state:
            if call not in self._calls:  # never submitted, or done already
                return
        grace = 0.0 if call.interrupted else _blocking.CANCEL_GRACE
        try:
            self._interrupt(call)
            if call.task is None:
                # One turn of the loop: a start still queued sees the interruption, ends it.
                self._take_turns(call, time.monotonic())
                if call.task is None:  # its start was never queued: nothing runs for it
                    grace = 0.0
            self._take_turns(call, time.monotonic() + grace)
        finally:  # even if interrupted again
            with self._state:
                if not call.finished:  # its task goes on in the loop, unanswered
                    call.settle(KeyboardInterrupt())
                    self._calls.discard(call)
                    if self._driver is None:
                        self._wake_heir(call.thread)  # the wake-up may have been ours

    def _take_turns(self, call: Call[Any], deadline: float | None = None) -> None:
        """Drive the loop whenever it is free, sleep otherwise, until ``call`` is done (or
        ``deadline``, a ``time.monotonic()``, passed)."""
        me = call.thread
        while not call.finished:
            with self._state:
                loop = self._loop
                drive = (self._driver == me or self._driver is None) and not (
                    loop is None or loop.is_closed()
                )
                if drive:
                    self._driver = me
            if drive:
                assert loop is not None
                try:
                    self._drive(loop, call, deadline)
                finally:
                    self._hand_off(me)
            elif not call.waker.sleep(deadline):
                return
            if deadline is not None and time.monotonic() >= deadline:
                return

    def _drive(
        self, loop: asyncio.AbstractEventLoop, call: Call[Any], deadline: float | None
    ) -> None:
        """Run the loop in this thread until ``call`` is done (or ``deadline``)."""
        timer = (
            None
            if deadline is None
            else loop.call_at(loop.time() + deadline - time.monotonic(), loop.stop)
        )
        previous = self._catch_ctrl_c(loop, call)
        outer = asyncio._get_running_loop()  # see _outside_any_loop
        if outer is not None:
            asyncio._set_running_loop(None)
        try:
            while not call.finished:
                loop.run_forever()  # until a stop(): the call's own, the timer's, or late
                if timer is not None and timer.when() <= loop.time():
                    return
        finally:
            if outer is not None:
                asyncio._set_running_loop(outer)
            if previous is not None:
                _signal.signal(signal.SIGINT, previous)
            if timer is not None:
                timer.cancel()

    def _catch_ctrl_c(self, loop: asyncio.AbstractEventLoop, call: Call[Any]) -> Any:
        """In the main thread, with Python's own SIGINT handler: make Ctrl-C cancel the call
        while the loop runs (as ``asyncio.Runner`` does) rather than raise wherever the loop
        happens to be; a second Ctrl-C raises. The handler it replaced, to put back.
        """
        if call.thread != threading.main_thread().ident:
            return None
        previous = _signal.getsignal(signal.SIGINT)
        if previous is not signal.default_int_handler:
            return None

        def on_ctrl_c(signum: int, frame: object) -> None:
            if call.interrupted or call.finished:
                raise KeyboardInterrupt
            self._interrupt(call)

        _signal.signal(signal.SIGINT, on_ctrl_c)
        return previous

    def _interrupt(self, call: Call[Any]) -> None:
        """From the calling thread: cancel the call's task (its ``_start`` was queued first)."""
        call.interrupted = True
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(call.cancel)

    def _hand_off(self, me: int) -> None:
        """Let go of the loop: wake one waiting thread to drive it; or, the client being
        closed and nothing left to run, wind the loop down."""
        with self._state:
            self._driver = None
            self._idle_since = time.monotonic()
            if self._calls and self._wake_heir(me):
                return
            loop = self._loop
            if not self._closed or self._calls or loop is None or self._wound_down.is_set():
                return
            self._driver = me
        try:
            _close_loop(loop)
        finally:
            with self._state:
                self._driver = None
                self._wound_down.set()

    def _wake_heir(self, me: int) -> bool:
        """With ``_state`` held and the loop free: wake a thread waiting for a call (not
        ``me``) so that it drives; whether there was one."""
        heir = next((call for call in self._calls if call.thread != me), None)
        if heir is not None:
            heir.waker.wake()
        return heir is not None

    def _after_fork_in_child(self) -> None:
        # Only this thread survives a fork: the loop, session and sockets belong to the
        # parent, maybe in use by one of its threads. Leave them untouched (kept referenced
        # so that nothing ever closes them from here) and let the next call make a fresh
        # loop and client.
        self._state = threading.Lock()
        self._driver = None
        self._calls = set()
        if self._loop is None:
            return
        self._orphans.append((self._loop, self._client))
        self._client._transport.forget_after_fork()
        self._loop = None
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
