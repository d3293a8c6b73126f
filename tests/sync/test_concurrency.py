"""Ctrl-C, fork, threads and event loops around one sync client."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from telnyx_video import Room
from telnyx_video.sync import VideoClient

from .conftest import API_KEY, FakeAPI, portal_threads
from .forking import in_child


def test_ctrl_c_cancels_the_in_flight_request(api: FakeAPI, client: VideoClient) -> None:
    room_id = api.add_room()
    assert threading.current_thread() is threading.main_thread()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    main = threading.main_thread().ident
    assert main is not None

    def press_ctrl_c() -> None:
        if api.slow_received.wait(10):
            signal.pthread_kill(main, signal.SIGINT)

    helper = threading.Thread(target=press_ctrl_c)
    helper.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            client.rooms.retrieve("slow")
    finally:
        helper.join()

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


def test_forked_child_gets_a_fresh_portal(api: FakeAPI, client: VideoClient) -> None:
    room_id = api.add_room("forked")
    before = portal_threads()
    assert client.rooms.retrieve(room_id).id == room_id  # the parent's loop is running
    (parent_thread,) = portal_threads() - before

    def child() -> dict[str, object]:
        room = client.rooms.retrieve(room_id)
        names = sorted(t.name for t in portal_threads())
        client.close()
        return {"id": room.id, "name": room.unique_name, "threads": names}

    report = in_child(child)
    assert report["id"] == room_id
    assert report["name"] == "forked"
    assert len(report["threads"]) == 1
    assert report["threads"] != [parent_thread.name]  # its own loop thread
    # The parent was left alone.
    assert parent_thread.is_alive()
    assert client.rooms.retrieve(room_id).id == room_id
    assert portal_threads() - before == {parent_thread}


def test_sixteen_threads_share_one_client(api: FakeAPI, client: VideoClient) -> None:
    ids = [api.add_room(f"room-{i}") for i in range(8)]
    start = threading.Barrier(16)
    before = portal_threads()

    def work(index: int) -> tuple[str, int, str]:
        start.wait()
        room = client.rooms.retrieve(ids[index % len(ids)])
        created = client.rooms.create(unique_name=f"new-{index}")
        listed = sum(1 for _ in client.rooms.list(page_size=3))
        return room.id, listed, created.unique_name or ""

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(work, range(16)))

    assert [r[0] for r in results] == [ids[i % 8] for i in range(16)]
    assert all(listed >= 8 for _, listed, _ in results)
    assert sorted(r[2] for r in results) == sorted(f"new-{i}" for i in range(16))
    assert len(api.seen("POST")) == 16
    assert len(portal_threads() - before) == 1  # one loop thread for all of them


def test_first_calls_from_many_threads_start_one_portal(api: FakeAPI) -> None:
    room_id = api.add_room()
    start = threading.Barrier(16)
    before = portal_threads()
    with VideoClient(API_KEY, base_url=api.base_url) as client:

        def work(_: int) -> str:
            start.wait()
            return client.rooms.retrieve(room_id).id

        with ThreadPoolExecutor(16) as pool:
            assert list(pool.map(work, range(16))) == [room_id] * 16
        assert len(portal_threads() - before) == 1
    assert portal_threads() == before


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


def test_calling_from_the_portal_thread_is_a_clear_error(api: FakeAPI, client: VideoClient) -> None:
    room_id = api.add_room()
    client.rooms.retrieve(room_id)

    async def reenter() -> Room:
        return client.rooms.retrieve(room_id)  # runs on the portal thread

    async def close_from_inside() -> None:
        client.close()

    with pytest.raises(RuntimeError, match="its own event loop thread"):
        client._portal.call(reenter)
    with pytest.raises(RuntimeError, match="its own event loop thread"):
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
