"""An asyncio event loop on a daemon thread, and blocking calls into it from other threads.

[`LoopThread`][telnyx_video._loop_thread.LoopThread] is what
[`EmulatorThread`][telnyx_video.emulator.EmulatorThread] runs on: the emulator must answer
requests between the calls of its owner, so its loop needs a thread of its own (the sync
client does not, see ``telnyx_video._portal``). It is plain asyncio (no anyio portal): a
call is one ``call_soon_threadsafe`` that starts a task in the loop, and the calling thread
sleeps until the task wakes it (``telnyx_video._blocking``).

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
import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from telnyx_video import _blocking
from telnyx_video._blocking import Call, cancel_the_others

__all__ = ["LoopThread"]

P = ParamSpec("P")
T = TypeVar("T")


class _Finished(RuntimeError):
    """A call to a loop that is stopped, or stopping."""


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
        self._calls: set[Call[Any]] = set()
        self._shutdown: asyncio.Task[None] | None = None
        self.forked = False
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        _LIVE.add(self)
        self.thread.start()

    def __repr__(self) -> str:
        return f"<LoopThread {self.thread.name}>"

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
        call: Call[T] = Call(fn, args, kwargs)
        try:
            with self._lock:
                if self._finished:
                    raise _Finished(self._finished_message())
                self.loop.call_soon_threadsafe(self._start, call)
            call.waker.wait(call)
        except _Finished:
            raise
        except BaseException:
            # Ctrl-C most likely (even before the wait began): abort the work in the loop,
            # let it unwind, re-raise.
            call.interrupted = True
            with contextlib.suppress(RuntimeError):  # the loop closed: the call failed already
                self.loop.call_soon_threadsafe(call.cancel)
            call.waker.wait(call, _blocking.CANCEL_GRACE)
            raise
        return call.outcome()

    def _start(self, call: Call[Any]) -> None:
        """In the loop thread: start the call's task (or fail it, once the loop winds down or
        when its caller gave up on it first)."""
        if self._finished:
            call.finish(_Finished(self._finished_message()))
            return
        if call.interrupted:
            call.finish(KeyboardInterrupt())
            return
        self._calls.add(call)
        call.task = self.loop.create_task(self._run_call(call))

    async def _run_call(self, call: Call[T]) -> None:
        error = await call.run(self._closed_during_call())
        self._calls.discard(call)
        call.finish(error)

    def _closed_during_call(self) -> str:
        return f"the {self._owner} was closed while this call was running"

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
        await cancel_the_others()
        for call in list(self._calls):
            self._calls.discard(call)
            call.finish(RuntimeError(self._closed_during_call()))
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
    for loop_thread in list(_LIVE):
        loop_thread._forget_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
