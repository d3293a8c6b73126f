"""``LoopThread``, the event loop on a thread under EmulatorThread, and the blocking-call
pieces (``telnyx_video._blocking``) it shares with the sync client.

The sync client's own behaviour (Ctrl-C aborting a request, close(), fork, threads taking
turns at its loop) is tested in test_client.py and test_concurrency.py.
"""

from __future__ import annotations

import asyncio
import gc
import os
import resource
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from telnyx_video import _blocking
from telnyx_video._blocking import Call, Waker
from telnyx_video._blocking import waker as this_threads_waker
from telnyx_video._loop_thread import LoopThread
from telnyx_video.emulator import EmulatorThread

from .forking import in_child
from .interrupts import GUARD, ctrl_c_once


@pytest.fixture
def loop_thread() -> Iterator[LoopThread]:
    running = LoopThread("test-loop-thread", owner="Widget", hint="use the async API there")
    try:
        yield running
    finally:
        running.stop()


async def double(value: int) -> int:
    await asyncio.sleep(0)
    return value * 2


async def fail() -> None:
    raise KeyError("in the loop")


def test_calls_return_results_and_raise_errors_in_the_caller(loop_thread: LoopThread) -> None:
    assert loop_thread.call(double, 21) == 42
    with pytest.raises(KeyError, match="in the loop"):
        loop_thread.call(fail)
    seen: list[int] = []

    def caller(value: int) -> None:
        seen.append(loop_thread.call(double, value))

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(GUARD)
    assert sorted(seen) == [i * 2 for i in range(8)]


def test_a_call_from_the_loop_thread_is_refused(loop_thread: LoopThread) -> None:
    async def reenter() -> int:
        return loop_thread.call(double, 1)

    with pytest.raises(RuntimeError, match="a Widget cannot be called from its own event loop"):
        loop_thread.call(reenter)
    assert loop_thread.call(double, 2) == 4


def test_stop_runs_the_last_coroutine_then_refuses_calls() -> None:
    running = LoopThread("test-loop-thread", owner="Widget", hint="-")
    closed = []

    async def last() -> None:
        closed.append(threading.current_thread().name)

    running.stop(last)
    assert closed == ["test-loop-thread"]
    assert not running.thread.is_alive()
    assert running.loop.is_closed()
    with pytest.raises(RuntimeError, match="this Widget is closed"):
        running.call(double, 1)
    running.stop(last)  # twice: nothing more happens
    assert closed == ["test-loop-thread"]


def test_stopping_fails_the_calls_in_flight() -> None:
    running = LoopThread("test-loop-thread", owner="Widget", hint="-")
    started = threading.Event()
    outcome: list[BaseException] = []

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    def caller() -> None:
        try:
            running.call(forever)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=caller)
    thread.start()
    assert started.wait(GUARD)
    running.stop()
    thread.join(GUARD)
    assert [type(e) for e in outcome] == [RuntimeError]
    assert "was closed while this call was running" in str(outcome[0])


def test_an_interrupted_wait_cancels_the_task(loop_thread: LoopThread) -> None:
    """Ctrl-C in the waiting thread: the task is cancelled and has unwound when it propagates."""
    assert threading.current_thread() is threading.main_thread()
    started = threading.Event()
    unwound: list[str] = []

    async def slow() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            unwound.append("cancelled")
            raise

    with ctrl_c_once(started), pytest.raises(KeyboardInterrupt):
        loop_thread.call(slow)
    assert unwound == ["cancelled"]
    assert loop_thread.call(double, 5) == 10


def test_the_late_outcome_of_an_abandoned_call_does_not_answer_the_next(
    loop_thread: LoopThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A call given up after Ctrl-C (its task ignored the cancellation past the grace period)
    wakes this thread when it ends at last; the next call still waits for its own outcome."""
    monkeypatch.setattr(_blocking, "CANCEL_GRACE", 0.01)
    started = threading.Event()
    release = asyncio.Event()

    async def stubborn() -> str:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await release.wait()  # ignores the cancellation until released
        return "late"

    with ctrl_c_once(started), pytest.raises(KeyboardInterrupt):
        loop_thread.call(stubborn)

    async def finish_the_stubborn_one_then_answer() -> str:
        release.set()
        await asyncio.sleep(0)  # the stubborn task ends (waking this thread) before we do
        await asyncio.sleep(0)
        return "mine"

    assert loop_thread.call(finish_the_stubborn_one_then_answer) == "mine"
    assert loop_thread.call(double, 3) == 6


def test_a_waiter_reads_past_wake_ups_meant_for_earlier_calls() -> None:
    waker = this_threads_waker()
    waker.wake()
    waker.wake()  # two bytes from earlier calls, still unread

    async def nothing() -> None:
        return None

    call: Call[None] = Call(nothing, (), {})
    waker.wait(call, timeout=0.01)
    assert not call.finished  # the old bytes did not end the wait
    finisher = threading.Thread(target=call.finish)
    finisher.start()
    waker.wait(call)
    finisher.join(GUARD)
    assert call.finished


def test_forked_child_refuses_calls_and_leaves_the_parent_alone(
    loop_thread: LoopThread,
) -> None:
    """The child's copy refuses calls (its thread stayed in the parent) and closes nothing of
    the parent's: after the child dropped and collected everything, the parent works on."""
    assert loop_thread.call(double, 1) == 2
    with EmulatorThread(api_key="fork-key") as emulator:

        def child() -> dict[str, str]:
            report = {}
            for name, attempt in (
                ("loop", lambda: loop_thread.call(double, 1)),
                ("emulator", lambda: emulator.advance(1)),
            ):
                try:
                    attempt()
                except RuntimeError as exc:
                    report[name] = str(exc)
            gc.collect()  # whatever the child could collect of the parent's, it does
            fresh = LoopThread("child-loop-thread", owner="Widget", hint="-")
            report["fresh"] = str(fresh.call(double, 4))
            fresh.stop()
            return report

        report = in_child(child)
        assert "before os.fork()" in report["loop"]
        assert "before os.fork()" in report["emulator"]
        assert report["fresh"] == "8"
        assert loop_thread.call(double, 21) == 42
        before = emulator.now()
        assert (emulator.advance(60) - before).total_seconds() >= 60


def test_ctrl_c_right_after_submitting_still_cancels(
    loop_thread: LoopThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C landing just after the call was handed to the loop, before the wait began:
    the call is given up on all the same (it never starts, or it is cancelled if the loop
    thread was quicker), instead of running unwatched."""
    forward = loop_thread.loop.call_soon_threadsafe
    pressed: list[bool] = []

    def then_ctrl_c(callback: Any, *args: Any) -> Any:
        handle = forward(callback, *args)
        if not pressed:
            pressed.append(True)
            raise KeyboardInterrupt
        return handle

    ran: list[str] = []

    async def work() -> None:
        ran.append("started")
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            ran.append("cancelled")
            raise

    monkeypatch.setattr(loop_thread.loop, "call_soon_threadsafe", then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        loop_thread.call(work)
    monkeypatch.undo()
    assert loop_thread.call(double, 4) == 8  # the loop has run what was queued by now
    assert ran in ([], ["started", "cancelled"])


def test_a_waker_numbered_past_select_limit_still_sleeps_with_a_deadline() -> None:
    """A busy process (a web server) has file descriptors past 1024, where ``select()`` no
    longer works: a timed sleep must not depend on it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert hard == resource.RLIM_INFINITY or hard > 1200, "the test needs 1200 open files"
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    fillers = [os.dup(0) for _ in range(1100)]
    try:
        sleeper = Waker()
        assert sleeper._receive.fileno() > 1024
        assert not sleeper.sleep(time.monotonic() + 0.01)  # nobody woke it
        sleeper.wake()
        assert sleeper.sleep(time.monotonic() + GUARD)
    finally:
        for fd in fillers:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
