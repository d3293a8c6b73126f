"""An asyncio event loop on a daemon thread, and blocking calls into it from other threads.

[`LoopThread`][telnyx_video._loop_thread.LoopThread] is what the sync client
([`VideoClient`][telnyx_video.VideoClient], through ``telnyx_video._portal``) and
[`EmulatorThread`][telnyx_video.emulator.EmulatorThread] run on. It is plain asyncio (no anyio
portal): a call is one ``call_soon_threadsafe`` that starts a task in the loop, and one lock
the task releases when it is done, which is the least a thread hop can cost (about a third
of ``asyncio.run_coroutine_threadsafe(...).result()``, see docs/performance.md). The
waiting thread sleeps on a socket of its own, not on a lock: the loop thread wakes it with
``socket.send``, which lets go of the GIL before the wake-up, where ``Lock.release()`` wakes
the thread while holding the GIL, and the woken thread bounces off it (about 2.5 context
switches more per call, measured: 21 against 13 us per empty call).

What it promises:

* a call from another thread waits for the result (or the exception) of the coroutine;
  an exception raised in the waiting thread (Ctrl-C) cancels the task, waits up to
  ``CANCEL_GRACE`` seconds for it to unwind (so an HTTP request is aborted, not left
  running), then propagates;
* a call from the loop's own thread raises ``RuntimeError`` instead of deadlocking;
* `stop()` runs a last coroutine (closing a session), cancels what is still running (those
  calls fail with ``RuntimeError``), shuts the loop down and joins the thread; calls made
  after it fail with ``RuntimeError``, never hang;
* after ``os.fork()``, the child's copy refuses calls (its thread stayed in the parent) and
  leaves the parent's loop alone: its selector and sockets are shared with the parent, so
  nothing of it is ever closed or collected in the child.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import socket
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, Final, Generic, ParamSpec, TypeVar

__all__ = ["CANCEL_GRACE", "LoopThread"]

P = ParamSpec("P")
T = TypeVar("T")

#: How long a call cancelled by Ctrl-C may take to unwind before KeyboardInterrupt goes on.
CANCEL_GRACE: Final = 5.0


class _Finished(RuntimeError):
    """A call to a loop that is stopped, or stopping."""


class _Waker:
    """How a calling thread sleeps until its call is done: a socket pair, one per thread.

    The loop thread sends a byte when a call of this thread is done (its ``finished`` flag
    set first); the thread reads until its own call is done, so a byte left over by an
    earlier call (one that finished before its thread went to sleep, or was given up on
    after Ctrl-C) only costs an extra read.
    """

    __slots__ = ("_receive", "_send")

    def __init__(self) -> None:
        self._receive, self._send = socket.socketpair()
        self._send.setblocking(False)

    def __del__(self) -> None:
        self._receive.close()
        self._send.close()

    def wake(self) -> None:
        """In the loop thread: wake the waiting thread."""
        with contextlib.suppress(BlockingIOError):  # full: a wake-up is pending anyway
            self._send.send(b"\0")

    def wait(self, call: _Call[Any], timeout: float | None = None) -> None:
        """Sleep until ``call`` is done, or ``timeout`` seconds passed."""
        receive = self._receive
        if timeout is None:
            while not call.finished:
                receive.recv(64)
            return
        deadline = time.monotonic() + timeout
        while not call.finished:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([receive], [], [], left)[0]:
                return
            receive.recv(64)


_wakers = threading.local()


def _waker() -> _Waker:
    """This thread's waker."""
    waker: _Waker | None = getattr(_wakers, "waker", None)
    if waker is None:
        waker = _wakers.waker = _Waker()
    return waker


class _Call(Generic[T]):
    """One blocking call: what to await, and where its outcome goes."""

    __slots__ = ("args", "error", "finished", "fn", "kwargs", "result", "task", "waker")

    def __init__(
        self, fn: Callable[..., Awaitable[T]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.waker = _waker()
        self.finished = False
        self.error: BaseException | None = None
        self.result: T
        self.task: asyncio.Task[None] | None = None

    def finish(self, error: BaseException | None = None) -> None:
        """In the loop thread: the outcome is in (``result``, or ``error``); wake the caller."""
        if error is not None:
            self.error = error
        self.finished = True
        self.waker.wake()

    def cancel(self) -> None:
        """In the loop thread: cancel the task (it wakes the caller once it unwound)."""
        if self.task is not None:
            self.task.cancel()


class LoopThread:
    """An event loop running forever on a daemon thread named ``name``, from construction.

    Args:
        name: the thread's name.
        owner: what the errors call the object using it (``"VideoClient"``).
        hint: what to do instead, in the error raised for a call from the loop's own thread.
    """

    __slots__ = (
        "__weakref__",
        "_calls",
        "_finished",
        "_hint",
        "_lock",
        "_owner",
        "_shutdown",
        "forked",
        "loop",
        "thread",
    )

    def __init__(self, name: str, *, owner: str, hint: str) -> None:
        self._owner = owner
        self._hint = hint
        #: Guards ``_finished``: once it is set (under the lock), no callback is queued.
        self._lock = threading.Lock()
        self._finished = False
        #: The calls whose task started and has not released its caller yet (loop thread).
        self._calls: set[_Call[Any]] = set()
        self._shutdown: asyncio.Task[None] | None = None
        self.forked = False
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        _LIVE.add(self)
        self.thread.start()

    def __repr__(self) -> str:
        return f"<LoopThread {self.thread.name}>"

    def in_thread(self) -> bool:
        """Whether the caller runs in this loop's thread."""
        return threading.get_ident() == self.thread.ident

    def call(self, fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Await ``fn(*args, **kwargs)`` in the loop and return its result (or raise).

        Raises:
            RuntimeError: called from the loop's own thread, or the loop is stopped (or
                stopped during the call).
        """
        if threading.get_ident() == self.thread.ident:
            raise RuntimeError(
                f"a {self._owner} cannot be called from its own event loop thread (that "
                f"would deadlock); {self._hint}"
            )
        call: _Call[T] = _Call(fn, args, kwargs)
        with self._lock:
            if self._finished:
                raise _Finished(self._finished_message())
            self.loop.call_soon_threadsafe(self._start, call)
        try:
            call.waker.wait(call)
        except BaseException:
            # Ctrl-C most likely: abort the work in the loop, let it unwind, re-raise.
            with contextlib.suppress(RuntimeError):  # the loop closed: the call failed already
                self.loop.call_soon_threadsafe(call.cancel)
            call.waker.wait(call, CANCEL_GRACE)
            raise
        error = call.error
        if error is not None:
            try:
                raise error
            finally:
                del error, call  # no cycle through the traceback
        return call.result

    def _start(self, call: _Call[Any]) -> None:
        """In the loop thread: start the call's task (or fail it, once the loop winds down)."""
        if self._finished:
            call.finish(_Finished(self._finished_message()))
            return
        self._calls.add(call)
        call.task = self.loop.create_task(self._run_call(call))

    async def _run_call(self, call: _Call[T]) -> None:
        error: BaseException | None = None
        try:
            call.result = await call.fn(*call.args, **call.kwargs)
        except asyncio.CancelledError:
            error = RuntimeError(f"the {self._owner} was closed while this call was running")
        except BaseException as exc:
            error = exc
        finally:
            self._calls.discard(call)
            call.finish(error)
            del error

    def stop(self, last: Callable[[], Awaitable[object]] | None = None) -> None:
        """Await ``last()`` (if given), then stop the loop and wait for the thread to end.

        Whatever still runs in the loop is cancelled. Safe to call twice.

        Raises:
            RuntimeError: called from the loop's own thread.
            Exception: what ``last()`` raised (the loop is stopped all the same).
        """
        try:
            if last is not None:
                self.call(last)
        except _Finished:
            pass
        finally:
            self.stop_soon()
            self.thread.join()

    def stop_soon(self, last: Callable[[], Awaitable[object]] | None = None) -> None:
        """Like `stop()`, without waiting: from any thread, the loop's own included."""
        with contextlib.suppress(RuntimeError):  # the loop is closed already
            self.loop.call_soon_threadsafe(self._begin_shutdown, last)

    def _begin_shutdown(self, last: Callable[[], Awaitable[object]] | None) -> None:
        if last is None:
            self.loop.stop()
        elif self._shutdown is None:
            self._shutdown = self.loop.create_task(self._shut_down(last))

    async def _shut_down(self, last: Callable[[], Awaitable[object]]) -> None:
        try:
            await last()
        finally:
            self.loop.stop()

    def _run(self) -> None:
        """The thread: run the loop until stopped, then wind everything down and close it."""
        loop = self.loop
        try:
            loop.run_forever()
        finally:
            with self._lock:
                self._finished = True
            try:
                loop.run_until_complete(self._wind_down())
            finally:
                loop.close()

    async def _wind_down(self) -> None:
        # Calls queued before _finished was set have started (or failed) by now: cancel
        # whatever runs, then release any caller whose task was cancelled before it began.
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for call in list(self._calls):
            self._calls.discard(call)
            call.finish(RuntimeError(f"the {self._owner} was closed while this call was running"))
        await self.loop.shutdown_asyncgens()
        await self.loop.shutdown_default_executor()

    def _finished_message(self) -> str:
        if self.forked:
            return (
                f"this {self._owner} was started before os.fork(): its event loop thread "
                "stayed in the parent process"
            )
        return f"this {self._owner} is closed"

    def _forget_after_fork(self) -> None:
        # Only the forking thread survives a fork; the loop's thread, selector and sockets are
        # the parent's. Refuse calls, and keep the loop referenced forever so that nothing
        # ever closes it (closing it would unregister the parent's file descriptors).
        self._lock = threading.Lock()
        self._finished = True
        self.forked = True
        _ORPHANS.append(self.loop)


_LIVE: weakref.WeakSet[LoopThread] = weakref.WeakSet()
_ORPHANS: list[asyncio.AbstractEventLoop] = []


def _after_fork_in_child() -> None:
    global _wakers
    _wakers = threading.local()  # the parent's sockets are the parent's
    for loop_thread in list(_LIVE):
        loop_thread._forget_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
