"""Blocking calls into an event loop from other threads: what each call carries, and how
its thread sleeps until the call is done.

Shared by the two ways a thread waits for a coroutine here: ``telnyx_video._loop_thread``
(a loop on a thread of its own, under [`EmulatorThread`][telnyx_video.emulator.EmulatorThread])
and ``telnyx_video._portal`` (the sync client's loop, run by its callers in turn).

A waiting thread sleeps on a socket of its own, not on a lock: the thread that finishes the
call wakes it with ``socket.send``, which lets go of the GIL before the wake-up, where
``Lock.release()`` wakes the thread while holding the GIL, and the woken thread bounces off
it (about 2.5 context switches more per call, measured: 21 against 13 us per empty call).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, Generic, TypeVar

__all__ = ["CANCEL_GRACE", "Call", "Waker", "cancel_the_others", "waker"]

T = TypeVar("T")

#: How long a call cancelled by Ctrl-C may take to unwind before KeyboardInterrupt goes on.
CANCEL_GRACE: Final = 5.0


class Waker:
    """How a calling thread sleeps until its call is done: a socket pair, one per thread.

    The thread running the loop sends a byte when a call of this thread is done (its
    ``finished`` flag set first), or when it leaves the loop to it (``telnyx_video._portal``);
    the thread checks why it was woken, so a byte left over by an earlier call (one that
    finished before its thread went to sleep, or was given up on after Ctrl-C) only costs
    an extra read.
    """

    __slots__ = ("_receive", "_send")

    def __init__(self) -> None:
        self._receive, self._send = socket.socketpair()
        self._send.setblocking(False)

    def __del__(self) -> None:
        self._receive.close()
        self._send.close()

    def wake(self) -> None:
        """In the thread running the loop: wake the waiting thread."""
        with contextlib.suppress(BlockingIOError):  # full: a wake-up is pending anyway
            self._send.send(b"\0")

    def wait(self, call: Call[Any], timeout: float | None = None) -> None:
        """Sleep until ``call`` is done, or ``timeout`` seconds passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not call.finished and self.sleep(deadline):
            pass

    def sleep(self, deadline: float | None = None) -> bool:
        """Sleep until woken (by any call of this thread), or until ``deadline``
        (``time.monotonic()``); whether it was woken."""
        receive = self._receive
        if deadline is None:
            receive.recv(64)
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        receive.settimeout(left)  # poll()ed by CPython: no FD_SETSIZE limit, unlike select()
        try:
            receive.recv(64)
        except TimeoutError:
            return False
        finally:
            receive.settimeout(None)
        return True


async def cancel_the_others() -> None:
    """Cancel every task of the running loop but the current one, and let them unwind."""
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


_wakers = threading.local()


def waker() -> Waker:
    """This thread's waker."""
    found: Waker | None = getattr(_wakers, "waker", None)
    if found is None:
        found = _wakers.waker = Waker()
    return found


class Call(Generic[T]):
    """One blocking call: what to await, who waits for it, and where its outcome goes."""

    __slots__ = (
        "args",
        "error",
        "finished",
        "fn",
        "interrupted",
        "kwargs",
        "result",
        "task",
        "thread",
        "waker",
    )

    def __init__(
        self, fn: Callable[..., Awaitable[T]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.thread = threading.get_ident()
        self.waker = waker()
        self.finished = False
        #: Whether the caller gave up on it (Ctrl-C): its cancellation means KeyboardInterrupt.
        self.interrupted = False
        self.error: BaseException | None = None
        self.result: T
        self.task: asyncio.Task[None] | None = None

    def settle(self, error: BaseException | None = None) -> None:
        """The outcome is in: ``result``, or ``error``."""
        if error is not None:
            self.error = error
        self.finished = True

    def finish(self, error: BaseException | None = None) -> None:
        """In the thread running the loop: settle the outcome and wake the caller."""
        self.settle(error)
        self.waker.wake()

    def cancel(self) -> None:
        """In the thread running the loop: cancel the task (its caller is woken once it
        unwound)."""
        if self.task is not None:
            self.task.cancel()

    async def run(self, closed: str) -> BaseException | None:
        """In the loop: await the call, keeping its result; or what it raised instead (if it
        was cancelled: ``KeyboardInterrupt`` when its caller gave up on it, else
        ``RuntimeError(closed)``, the loop's owner being closed)."""
        try:
            self.result = await self.fn(*self.args, **self.kwargs)
        except asyncio.CancelledError:
            return KeyboardInterrupt() if self.interrupted else RuntimeError(closed)
        except BaseException as exc:
            return exc
        return None

    def outcome(self) -> T:
        """In the calling thread, once finished: the result, or the error raised."""
        error = self.error
        if error is not None:
            try:
                raise error
            finally:
                del error, self  # no cycle through the traceback
        return self.result


def _forget_after_fork() -> None:
    global _wakers
    _wakers = threading.local()  # the parent's sockets are the parent's


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
