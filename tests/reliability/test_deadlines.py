"""The caller's deadline and cancellation always win over our own attempt timeouts.

Races between the caller's cancellation and an attempt's own timeout are made exact, not
likely: the event loop's clock is frozen while the request is sent (so the attempt's
deadline is known to the nanosecond: frozen time + ``timeout``), the caller's cancellation
is scheduled at that very deadline (or a hair before or after), then the clock jumps past
it and resumes, so both fire in the same loop iteration, in a known order. The server never
answers. A lost cancellation shows as a retry the server sees, or as our own
``APITimeoutError`` instead of the caller's ``CancelledError``/``TimeoutError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from _stub import StubServer, serve_stub
from aiohttp import web

from telnyx_video import APITimeoutError, AsyncVideoClient, RetryPolicy, Room, VideoClient

from .conftest import SECRET_KEY
from .test_fuzz_responses import VALID

#: Each attempt's own timeout. It only passes in real time when a test fails (the client
#: then retries), so it stays short.
T = 0.2
#: A guard against a hang: a misbehaving client fails the test instead of blocking it.
GUARD = 10.0
#: Backoff that takes no time, so that a lost cancellation retries at once.
NO_WAIT = RetryPolicy(initial_backoff=0.0, max_backoff=0.0, jitter=False)
#: How many times each race is run in one test.
ROUNDS = 20
#: A room, as the server answers a retrieve.
ROOM = json.dumps({"data": VALID[Room]})


class FrozenClock:
    """A loop clock that stands still until told to resume from a given time."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._real = loop.time
        self.frozen = loop.time()
        self._skew: float | None = None

    def __call__(self) -> float:
        return self.frozen if self._skew is None else self._real() + self._skew

    def resume_at(self, when: float) -> None:
        """Jump to ``when`` and run on in real time from there."""
        self._skew = when - self._real()


@contextlib.contextmanager
def frozen_clock(loop: asyncio.AbstractEventLoop) -> Iterator[FrozenClock]:
    """Freeze ``loop``'s clock (in its own thread) until the clock resumes."""
    clock = FrozenClock(loop)
    loop.time = clock  # type: ignore[method-assign]
    try:
        yield clock
    finally:
        del loop.time


async def test_the_callers_deadline_wins_over_an_equal_attempt_timeout(
    stub: StubServer,
) -> None:
    """``asyncio.timeout(T)`` around a call with ``timeout=T``: the caller's TimeoutError at T.

    Both deadlines fall in the same loop iteration; our attempt's timeout must neither
    swallow the caller's cancellation nor turn it into a retry.
    """
    stub.default = stub.hang
    loop = asyncio.get_running_loop()
    async with AsyncVideoClient(
        SECRET_KEY, base_url=stub.base_url, timeout=T, max_retries=2, retry_policy=NO_WAIT
    ) as client:
        for n in range(ROUNDS):

            async def call() -> object:
                async with asyncio.timeout(T):
                    return await client.rooms.retrieve("r1")

            with frozen_clock(loop) as clock:
                stub.arrived.clear()
                task = asyncio.create_task(call())
                async with asyncio.timeout(GUARD):
                    await stub.arrived.wait()
                clock.resume_at(clock.frozen + T + 0.001)
                with pytest.raises(TimeoutError) as info:
                    await task
            assert not isinstance(info.value, APITimeoutError)
            assert len(stub.requests) == n + 1  # no retry was sent


async def test_wait_for_wins_over_an_equal_attempt_timeout(stub: StubServer) -> None:
    stub.default = stub.hang
    loop = asyncio.get_running_loop()
    async with AsyncVideoClient(
        SECRET_KEY, base_url=stub.base_url, timeout=T, max_retries=2, retry_policy=NO_WAIT
    ) as client:
        for n in range(ROUNDS):
            with frozen_clock(loop) as clock:
                stub.arrived.clear()
                task = asyncio.create_task(asyncio.wait_for(client.rooms.retrieve("r1"), T))
                async with asyncio.timeout(GUARD):
                    await stub.arrived.wait()
                clock.resume_at(clock.frozen + T + 0.001)
                with pytest.raises(TimeoutError) as info:
                    await task
            assert not isinstance(info.value, APITimeoutError)
            assert len(stub.requests) == n + 1


@pytest.mark.parametrize("offset", [-1e-6, 0.0, 1e-6], ids=["before", "same-time", "after"])
async def test_a_cancel_at_the_attempt_deadline_is_never_lost(
    stub: StubServer, offset: float
) -> None:
    """``task.cancel()`` landing in the same iteration as the attempt's own timeout.

    The attempt timer fires ``offset`` seconds after or before the cancellation: whichever
    comes first, the task ends cancelled and no retry is sent.
    """
    stub.default = stub.hang
    loop = asyncio.get_running_loop()
    async with AsyncVideoClient(
        SECRET_KEY, base_url=stub.base_url, timeout=T, max_retries=2, retry_policy=NO_WAIT
    ) as client:
        for n in range(ROUNDS):
            with frozen_clock(loop) as clock:
                stub.arrived.clear()
                task = asyncio.create_task(client.rooms.retrieve("r1"))
                async with asyncio.timeout(GUARD):
                    await stub.arrived.wait()
                deadline = clock.frozen + T  # the attempt's own, to the nanosecond
                loop.call_at(deadline + offset, task.cancel)
                clock.resume_at(deadline + 0.001)
                with pytest.raises(asyncio.CancelledError):
                    await task
            assert len(stub.requests) == n + 1
        async with asyncio.timeout(GUARD):
            await stub.wait_idle()
        stub.default = None
        stub.answer(200, ROOM)
        assert (await client.rooms.retrieve("r1")).id == "r1"  # still usable


async def test_a_cancel_during_the_backoff_after_a_timeout_sends_nothing(
    stub: StubServer,
) -> None:
    """The attempt timed out first; the cancellation lands in the wait before the retry."""
    stub.default = stub.hang
    loop = asyncio.get_running_loop()
    backoff = RetryPolicy(initial_backoff=0.05, max_backoff=0.05, jitter=False)
    async with AsyncVideoClient(
        SECRET_KEY, base_url=stub.base_url, timeout=T, max_retries=2, retry_policy=backoff
    ) as client:
        with frozen_clock(loop) as clock:
            task = asyncio.create_task(client.rooms.retrieve("r1"))
            async with asyncio.timeout(GUARD):
                await stub.arrived.wait()
            deadline = clock.frozen + T
            loop.call_at(deadline + 0.01, task.cancel)  # inside the 0.05 s wait
            clock.resume_at(deadline + 0.001)
            with pytest.raises(asyncio.CancelledError):
                await task
        assert len(stub.requests) == 1


# --- the sync facade: Ctrl-C at the attempt deadline --------------------------------------


@pytest.fixture
def threaded_stub() -> Iterator[tuple[StubServer, asyncio.AbstractEventLoop]]:
    """A stub server on its own loop thread, for a sync client that blocks this thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="stub-server", daemon=True)
    thread.start()
    serving = serve_stub()
    stub = asyncio.run_coroutine_threadsafe(serving.__aenter__(), loop).result(GUARD)
    try:
        yield stub, loop
    finally:
        asyncio.run_coroutine_threadsafe(serving.__aexit__(None, None, None), loop).result(GUARD)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(GUARD)
        loop.close()


def test_ctrl_c_at_the_attempt_deadline_cancels_the_sync_call(
    threaded_stub: tuple[StubServer, asyncio.AbstractEventLoop],
) -> None:
    """Ctrl-C whose cancellation reaches the client's loop with the attempt's own timeout.

    This thread drives the client's loop during the call, with the loop's clock frozen. Ctrl-C
    queues the cancellation, and the clock jumps past the attempt's deadline right then, so
    the cancellation and the timeout are handled in the same iteration. The call must end
    there: no retry reaches the server.
    """
    stub, _ = threaded_stub
    assert threading.current_thread() is threading.main_thread()
    main = threading.main_thread().ident
    assert main is not None
    arrived = threading.Event()

    async def hang(request: web.Request) -> web.StreamResponse:
        arrived.set()
        return await stub.hang(request)

    stub.answer(200, ROOM)
    with VideoClient(
        SECRET_KEY, base_url=stub.base_url, timeout=T, max_retries=2, retry_policy=NO_WAIT
    ) as client:
        client.rooms.retrieve("r1")  # makes the client's loop
        loop = client._portal._loop
        assert loop is not None
        clock = FrozenClock(loop)
        armed = threading.Event()
        forward = loop.call_soon_threadsafe

        def watching(callback: Any, *args: Any, **kwargs: Any) -> Any:
            handle = forward(callback, *args, **kwargs)
            if armed.is_set():  # the Ctrl-C's cancellation is now waiting in the loop
                clock.resume_at(clock.frozen + T + 0.001)
            return handle

        def press_ctrl_c() -> None:
            if arrived.wait(GUARD):
                armed.set()
                signal.pthread_kill(main, signal.SIGINT)

        stub.default = hang
        loop.time = clock  # type: ignore[method-assign]
        loop.call_soon_threadsafe = watching  # type: ignore[method-assign]
        presser = threading.Thread(target=press_ctrl_c)
        presser.start()
        try:
            with pytest.raises(KeyboardInterrupt):
                client.rooms.retrieve("slow")
        finally:
            presser.join()
            del loop.time, loop.call_soon_threadsafe
        assert armed.is_set()
        assert [s.path for s in stub.requests] == ["/v2/rooms/r1", "/v2/rooms/slow"]  # no retry
        stub.answer(200, ROOM)
        assert client.rooms.retrieve("r1").id == "r1"  # still usable
