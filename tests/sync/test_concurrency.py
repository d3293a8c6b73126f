"""Ctrl-C, fork, threads and event loops around one sync client."""

from __future__ import annotations

import asyncio
import contextvars
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from telnyx_video import Room, _blocking
from telnyx_video._portal import ClientPortal
from telnyx_video.sync import VideoClient

from .conftest import API_KEY, FakeAPI
from .forking import in_child
from .interrupts import GUARD, ctrl_c_once


def test_ctrl_c_cancels_the_in_flight_request(api: FakeAPI, client: VideoClient) -> None:
    room_id = api.add_room()
    assert threading.current_thread() is threading.main_thread()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with ctrl_c_once(api.slow_received), pytest.raises(KeyboardInterrupt):
        client.rooms.retrieve("slow")

    # The server saw the request go away: it was aborted, not left running.
    assert api.slow_aborted.wait(10)
    # The client is still usable.
    assert client.rooms.retrieve(room_id).id == room_id


def test_ctrl_c_during_iteration_cancels_and_keeps_the_client(
    api: FakeAPI, client: VideoClient
) -> None:
    """Ctrl-C in the loop body (between pages) leaves the client usable too."""
    for _ in range(3):
        api.add_room()
    main = threading.main_thread().ident
    assert main is not None

    with pytest.raises(KeyboardInterrupt):  # noqa: PT012 - raised from the loop body
        for _room in client.rooms.list(page_size=1):
            signal.pthread_kill(main, signal.SIGINT)  # raises here, in the loop body

    assert api.seen() == ["/v2/rooms?page[number]=1&page[size]=1"]
    assert len(list(client.rooms.list())) == 3


async def wait_for(gate: threading.Event) -> str:
    """Await ``gate`` (set by another thread) without blocking the loop; the thread that
    drives the loop when it opens."""
    assert await asyncio.get_running_loop().run_in_executor(None, gate.wait, GUARD)
    return threading.current_thread().name


def test_a_driver_returns_as_soon_as_its_call_is_done_and_hands_the_loop_on(
    client: VideoClient,
) -> None:
    """Thread A drives while the main thread waits: A runs the main thread's coroutine too,
    returns when its own is done without waiting for the main thread's, and the main thread
    takes the loop over to finish its own."""
    portal = client._portal
    a_gate, main_gate, a_driving = threading.Event(), threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    async def a_call() -> str:
        a_driving.set()
        return await wait_for(a_gate)

    def thread_a() -> None:
        outcome["a"] = portal.call(a_call)
        main_gate.set()  # only once A's call returned, while the main thread's still waits

    async def quick() -> str:
        return threading.current_thread().name

    a = threading.Thread(target=thread_a, name="A")
    a.start()
    assert a_driving.wait(GUARD)
    assert portal.call(quick) == "A"  # run by the driver, A, while this thread slept

    async def release_a_then_wait() -> tuple[str, str]:
        started_in = threading.current_thread().name
        a_gate.set()
        return started_in, await wait_for(main_gate)

    started_in, ended_in = portal.call(release_a_then_wait)
    a.join(GUARD)
    assert outcome == {"a": "A"}
    assert (started_in, ended_in) == ("A", threading.current_thread().name)


def test_ctrl_c_while_another_thread_drives_cancels_this_threads_request(
    api: FakeAPI, client: VideoClient
) -> None:
    room_id = api.add_room()
    portal = client._portal
    gate, driving = threading.Event(), threading.Event()

    async def drive_until_released() -> str:
        driving.set()
        return await wait_for(gate)

    other = ThreadPoolExecutor(1, thread_name_prefix="driver")
    driven = other.submit(portal.call, drive_until_released)
    assert driving.wait(GUARD)

    try:
        with ctrl_c_once(api.slow_received), pytest.raises(KeyboardInterrupt):
            client.rooms.retrieve("slow")
    finally:
        gate.set()
        other.shutdown()
    assert api.slow_aborted.wait(GUARD)
    assert driven.result().startswith("driver")  # the other call was not disturbed
    assert client.rooms.retrieve(room_id).id == room_id


def test_the_callers_context_variables_reach_the_call(client: VideoClient) -> None:
    """The call's task runs in a copy of the calling thread's context, whoever drives the
    loop: a tracing span current in the caller is the parent of the request's span."""
    current: contextvars.ContextVar[str] = contextvars.ContextVar("current")
    portal = client._portal

    async def read() -> str:
        return current.get("unset")

    current.set("main")
    assert portal.call(read) == "main"

    gate, driving = threading.Event(), threading.Event()

    async def drive_until_released() -> str:
        driving.set()
        return await wait_for(gate)

    def in_worker() -> str:
        current.set("worker")
        return portal.call(read)

    with ThreadPoolExecutor(2) as pool:
        driven = pool.submit(portal.call, drive_until_released)
        assert driving.wait(GUARD)
        assert pool.submit(in_worker).result(GUARD) == "worker"  # run by the other driver
        gate.set()
        driven.result(GUARD)


def test_forked_child_gets_a_fresh_loop_and_client(api: FakeAPI, client: VideoClient) -> None:
    room_id = api.add_room("forked")
    assert client.rooms.retrieve(room_id).id == room_id  # the parent's loop and session
    parent_loop = client._portal._loop
    parent_client = client._portal.client
    assert parent_loop is not None

    def child() -> dict[str, object]:
        room = client.rooms.retrieve(room_id)
        fresh = client._portal._loop is not parent_loop and client._portal.client is not (
            parent_client
        )
        client.close()
        return {"id": room.id, "name": room.unique_name, "fresh": fresh}

    report = in_child(child)
    assert report == {"id": room_id, "name": "forked", "fresh": True}
    # The parent was left alone: same loop, same session, still working.
    assert client._portal._loop is parent_loop
    assert not parent_loop.is_closed()
    assert client.rooms.retrieve(room_id).id == room_id


def test_sixteen_threads_share_one_client(api: FakeAPI, client: VideoClient) -> None:
    ids = [api.add_room(f"room-{i}") for i in range(8)]
    start = threading.Barrier(16)
    threads_before = set(threading.enumerate())
    drivers: set[str] = set()

    async def where() -> None:
        drivers.add(threading.current_thread().name)

    def work(index: int) -> tuple[str, int, str]:
        start.wait()
        room = client.rooms.retrieve(ids[index % len(ids)])
        created = client.rooms.create(unique_name=f"new-{index}")
        listed = sum(1 for _ in client.rooms.list(page_size=3))
        client._portal.call(where)
        return room.id, listed, created.unique_name or ""

    with ThreadPoolExecutor(16, thread_name_prefix="caller") as pool:
        results = list(pool.map(work, range(16)))
        assert set(threading.enumerate()) - threads_before == set(pool._threads)

    assert [r[0] for r in results] == [ids[i % 8] for i in range(16)]
    assert all(listed >= 8 for _, listed, _ in results)
    assert sorted(r[2] for r in results) == sorted(f"new-{i}" for i in range(16))
    assert len(api.seen("POST")) == 16
    # The loop ran in the callers' own threads (no thread of the client's).
    assert drivers
    assert all(name.startswith("caller") for name in drivers)


def test_first_calls_from_many_threads_share_one_loop_and_session(api: FakeAPI) -> None:
    room_id = api.add_room()
    start = threading.Barrier(16)
    with VideoClient(API_KEY, base_url=api.base_url) as client:
        loops: set[asyncio.AbstractEventLoop] = set()
        sessions = set()

        async def retrieve() -> str:
            loops.add(asyncio.get_running_loop())
            room = await client._portal.client.rooms.retrieve(room_id)
            sessions.add(id(client._portal.client._transport._session))
            return room.id

        def work(_: int) -> str:
            start.wait()
            return client._portal.call(retrieve)

        with ThreadPoolExecutor(16) as pool:
            assert list(pool.map(work, range(16))) == [room_id] * 16
        assert loops == {client._portal._loop}
        assert len(sessions) == 1


async def test_usable_inside_a_running_event_loop(api: FakeAPI, client: VideoClient) -> None:
    """Decision: allowed. The client has its own loop, so a coroutine may call it; the call
    blocks the caller's loop while it runs, so async code should prefer AsyncVideoClient or
    ``asyncio.to_thread``."""
    room_id = api.add_room()
    asyncio.get_running_loop()

    assert client.rooms.retrieve(room_id).id == room_id
    assert await asyncio.to_thread(client.rooms.retrieve, room_id) == client.rooms.retrieve(room_id)
    rooms = await asyncio.gather(
        *(asyncio.to_thread(client.rooms.retrieve, room_id) for _ in range(4))
    )
    assert {room.id for room in rooms} == {room_id}
    assert [r.id for r in await asyncio.to_thread(list, client.rooms.list())] == [room_id]


def test_usable_while_the_main_thread_runs_a_loop(api: FakeAPI, client: VideoClient) -> None:
    room_id = api.add_room()

    async def main() -> Room:
        return await asyncio.to_thread(client.rooms.retrieve, room_id)

    assert asyncio.run(main()).id == room_id


def test_calling_from_inside_its_own_loop_is_a_clear_error(
    api: FakeAPI, client: VideoClient
) -> None:
    room_id = api.add_room()
    client.rooms.retrieve(room_id)

    async def reenter() -> Room:
        return client.rooms.retrieve(room_id)  # runs inside the client's loop

    async def close_from_inside() -> None:
        client.close()

    with pytest.raises(RuntimeError, match="from inside its own event loop"):
        client._portal.call(reenter)
    with pytest.raises(RuntimeError, match="from inside its own event loop"):
        client._portal.call(close_from_inside)
    assert not client.closed
    assert client.rooms.retrieve(room_id).id == room_id


def test_a_forked_child_exits_without_unclosed_session_complaints(api: FakeAPI) -> None:
    """The parent's session is left alone in the child, and not reported as leaked."""
    script = f"""
import gc, os, sys
from telnyx_video import VideoClient
client = VideoClient({API_KEY!r}, base_url={api.base_url!r}, max_retries=0)
client.rooms.list().first_page()          # the parent's loop, session and connection
pid = os.fork()
if pid == 0:
    client.rooms.list().first_page()      # the child's own fresh loop
    client.close()
    del client
    gc.collect()
    sys.exit(0)                           # a normal interpreter exit, like a worker's
_, status = os.waitpid(pid, 0)
client.close()
sys.exit(os.waitstatus_to_exitcode(status))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Unclosed" not in result.stderr, result.stderr


@pytest.mark.parametrize("where", ["before its task exists", "before its first turn"])
def test_ctrl_c_right_after_submitting_leaves_nothing_behind(
    client: VideoClient, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """An exception can land between any two steps of a call: once the call is known to the
    portal, it is cancelled or dropped, the loop is let go of, and nothing waits for the
    grace period when nothing runs (CANCEL_GRACE is an hour here)."""
    portal = client._portal
    monkeypatch.setattr(_blocking, "CANCEL_GRACE", 3600.0)
    ran: list[str] = []

    async def work() -> str:
        ran.append("started")
        await asyncio.sleep(0)
        ran.append("finished")
        return "done"

    assert portal.call(work) == "done"  # the loop exists; a clean call both starts and ends
    ran.clear()
    method = "_start" if where == "before its task exists" else "_take_turns"
    real = getattr(ClientPortal, method)
    pressed = []

    def ctrl_c_once(self: ClientPortal, *args: object) -> object:
        if not pressed:
            pressed.append(True)
            raise KeyboardInterrupt
        return real(self, *args)

    monkeypatch.setattr(ClientPortal, method, ctrl_c_once)
    outcome: list[BaseException] = []

    def caller() -> None:
        try:
            portal.call(work)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=caller)
    thread.start()
    thread.join(GUARD)
    assert not thread.is_alive()  # it did not sit out the hour of grace
    assert [type(e) for e in outcome] == [KeyboardInterrupt]
    assert "finished" not in ran  # cancelled, or never started
    assert portal._driver is None
    assert not portal._calls
    monkeypatch.undo()
    assert portal.call(work) == "done"  # and the client works on


def test_many_threads_taking_turns_all_get_their_own_answers(client: VideoClient) -> None:
    """Twelve threads, 150 calls each, of coroutines that take 0 to 3 loop turns or fail:
    the loop changes hands thousands of times; every call gets its own outcome, no thread is
    left waiting, and the loop is free at the end."""
    portal = client._portal
    turns_by_call = [0, 1, 2, 3, 1, 0, 2]

    async def echo(value: int, turns: int) -> int:
        for _ in range(turns):
            await asyncio.sleep(0)
        if value % 17 == 0:
            raise ValueError(value)
        return value

    def worker(index: int) -> list[object]:
        outcomes: list[object] = []
        for n in range(150):
            value = index * 1000 + n
            try:
                outcomes.append(portal.call(echo, value, turns_by_call[n % 7]))
            except ValueError as exc:
                outcomes.append(exc.args)
        return outcomes

    with ThreadPoolExecutor(12) as pool:
        futures = [pool.submit(worker, index) for index in range(12)]
        results = [future.result(GUARD * 3) for future in futures]

    for index, outcomes in enumerate(results):
        values = [index * 1000 + n for n in range(150)]
        assert outcomes == [(v,) if v % 17 == 0 else v for v in values]
    assert portal._driver is None
    assert not portal._calls
