"""Basic calls, typed results, errors, paginators and the client's lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import threading
from collections.abc import AsyncIterator, Iterator

import aiohttp
import attrs
import pytest

from telnyx_video import APIConnectionError, ConfigurationError, NotFoundError, Page, Room, _portal
from telnyx_video.pagination import SyncPaginator
from telnyx_video.sync import RoomCompositions, Rooms, VideoClient

from .conftest import API_KEY, FakeAPI, room_json


def test_calls_return_models(api: FakeAPI, client: VideoClient) -> None:
    room_id = api.add_room("standup")

    room = client.rooms.retrieve(room_id)

    assert isinstance(room, Room)
    assert (room.id, room.unique_name, room.max_participants) == (room_id, "standup", 10)
    created = client.rooms.create(unique_name="retro", max_participants=5)
    assert isinstance(created, Room)
    assert created.unique_name == "retro"
    assert client.rooms.delete(created.id) is None
    assert api.seen("DELETE") == [f"/v2/rooms/{created.id}"]


def test_api_errors_propagate_with_their_type(client: VideoClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.rooms.retrieve("missing")
    assert caught.value.status == 404


def test_argument_errors_raise_in_the_calling_thread(client: VideoClient) -> None:
    with pytest.raises(ValueError, match="page_size"):
        client.rooms.list(page_size=0)
    with pytest.raises(ValueError, match="room_id"):
        client.rooms.retrieve("")


def test_configuration_errors_raise_at_construction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TELNYX_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="TELNYX_API_KEY"):
        VideoClient()
    with pytest.raises(ConfigurationError, match="plain http"):
        VideoClient(API_KEY, base_url="http://example.com/v2")


def test_mirrors_the_async_client_surface(api: FakeAPI, client: VideoClient) -> None:
    assert client.base_url == api.base_url
    assert repr(client) == f"VideoClient(base_url={api.base_url!r})"
    assert API_KEY not in repr(client)
    assert isinstance(client.rooms, Rooms)
    assert isinstance(client.room_compositions, RoomCompositions)
    assert repr(client.rooms) == "<Rooms>"
    assert VideoClient.__doc__ is not None
    assert "await" not in VideoClient.__doc__
    assert (Rooms.retrieve.__doc__ or "").startswith("Fetch one room by id.")


def test_calls_run_in_the_calling_thread_on_one_lazily_made_loop(api: FakeAPI) -> None:
    """No thread of its own: each call drives the client's loop in the thread that calls."""
    room_id = api.add_room()
    threads_before = set(threading.enumerate())
    with VideoClient(API_KEY, base_url=api.base_url) as client:
        portal = client._portal
        assert portal._loop is None
        client.rooms.retrieve(room_id)
        loop = portal._loop
        assert loop is not None
        assert not loop.is_running()  # between calls, nobody runs it

        async def where() -> tuple[str, asyncio.AbstractEventLoop]:
            return threading.current_thread().name, asyncio.get_running_loop()

        assert portal.call(where) == (threading.current_thread().name, loop)
        worker: list[tuple[str, asyncio.AbstractEventLoop]] = []
        thread = threading.Thread(target=lambda: worker.append(portal.call(where)), name="w1")
        thread.start()
        thread.join()
        assert worker == [("w1", loop)]
        list(client.rooms.list())
        assert portal._loop is loop
        assert set(threading.enumerate()) - threads_before == set()
    assert loop.is_closed()


# ---------------------------------------------------------------------- paginators


def test_paginator_walks_every_page_one_request_each(api: FakeAPI, client: VideoClient) -> None:
    ids = [api.add_room(f"r{i}") for i in range(5)]

    paginator = client.rooms.list(page_size=2)

    assert isinstance(paginator, SyncPaginator)
    assert api.seen() == []  # lazy
    assert [room.id for room in paginator] == ids
    assert api.seen() == [
        "/v2/rooms?page[number]=1&page[size]=2",
        "/v2/rooms?page[number]=2&page[size]=2",
        "/v2/rooms?page[number]=3&page[size]=2",
    ]


def test_first_page_and_pages(api: FakeAPI, client: VideoClient) -> None:
    ids = [api.add_room() for _ in range(3)]

    first = client.rooms.list(page_size=2).first_page()

    assert isinstance(first, Page)
    assert [r.id for r in first.items] == ids[:2]
    assert first.meta is not None
    assert first.meta.total_pages == 2
    assert len(api.seen()) == 1
    pages = list(client.rooms.list(page_size=2).pages())
    assert [[r.id for r in page.items] for page in pages] == [ids[:2], ids[2:]]
    assert len(api.seen()) == 3


def test_filters_are_forwarded(api: FakeAPI, client: VideoClient) -> None:
    api.add_room("a")
    wanted = api.add_room("b")

    assert [r.id for r in client.rooms.list(unique_name="b")] == [wanted]
    assert api.seen() == ["/v2/rooms?filter[unique_name]=b&page[number]=1"]


def test_early_break_requests_no_more_pages(api: FakeAPI, client: VideoClient) -> None:
    for _ in range(6):
        api.add_room()

    for room in client.rooms.list(page_size=2):
        assert room.id
        break

    assert api.seen() == ["/v2/rooms?page[number]=1&page[size]=2"]
    # The client is fine afterwards and a new iteration starts from the first page.
    assert len(list(client.rooms.list(page_size=4))) == 6


class TrackedPages:
    """A page source whose async generator records where it ran and that it was closed."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.fetched: list[int] = []
        self.loops: set[asyncio.AbstractEventLoop] = set()
        self.closed = threading.Event()

    async def first_page(self) -> Page[int]:
        return Page(items=(0,), meta=None)

    async def pages(self) -> AsyncIterator[Page[int]]:
        try:
            for number in range(1, self.count + 1):
                self.loops.add(asyncio.get_running_loop())
                self.fetched.append(number)
                yield Page(items=(number * 10, number * 10 + 1), meta=None)
        finally:
            self.loops.add(asyncio.get_running_loop())
            self.closed.set()


def test_early_break_closes_the_async_generator_in_the_portal(client: VideoClient) -> None:
    source = TrackedPages(5)
    paginator: SyncPaginator[int] = SyncPaginator(client._portal, source)

    for item in paginator:
        if item == 20:
            break

    assert source.closed.is_set()
    assert source.fetched == [1, 2]
    assert source.loops == {client._portal._loop}


def test_abandoned_pages_iterator_closes_the_async_generator(client: VideoClient) -> None:
    source = TrackedPages(5)
    pages = SyncPaginator(client._portal, source).pages()

    assert next(pages).items == (10, 11)
    pages.close()

    assert source.closed.is_set()
    assert source.fetched == [1]


# ---------------------------------------------------------------------- lifecycle


def _open_sessions() -> list[aiohttp.ClientSession]:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, aiohttp.ClientSession) and not o.closed]


def test_close_releases_the_loop_and_the_session(api: FakeAPI) -> None:
    room_id = api.add_room()
    sessions_before = _open_sessions()

    client = VideoClient(API_KEY, base_url=api.base_url)
    client.rooms.retrieve(room_id)
    loop = client._portal._loop
    assert loop is not None
    assert len(_open_sessions()) == len(sessions_before) + 1
    client.close()

    assert loop.is_closed()
    assert len(_open_sessions()) == len(sessions_before)
    assert client.closed
    client.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        client.rooms.retrieve(room_id)
    with pytest.raises(RuntimeError, match="closed"):
        list(client.rooms.list())


def test_with_block_closes(api: FakeAPI) -> None:
    with VideoClient(API_KEY, base_url=api.base_url) as client:
        assert list(client.rooms.list()) == []
        assert not client.closed
    assert client.closed
    assert client._portal._loop is not None
    assert client._portal._loop.is_closed()


def test_close_of_an_unused_client_makes_nothing(api: FakeAPI) -> None:
    client = VideoClient(API_KEY, base_url=api.base_url)
    client.close()
    assert client.closed
    assert client._portal._loop is None


def test_closing_during_a_call_fails_that_call_clearly(api: FakeAPI) -> None:
    client = VideoClient(API_KEY, base_url=api.base_url, max_retries=0)
    outcome: list[BaseException] = []

    def slow_call() -> None:
        try:
            client.rooms.retrieve("slow")
        except BaseException as exc:
            outcome.append(exc)

    caller = threading.Thread(target=slow_call)
    caller.start()
    assert api.slow_received.wait(10)
    client.close()
    caller.join()

    assert api.slow_aborted.wait(10)
    assert len(outcome) == 1
    assert isinstance(outcome[0], APIConnectionError | RuntimeError), outcome


def test_unclosed_client_warns_and_closes_its_session(api: FakeAPI) -> None:
    room_id = api.add_room()
    sessions_before = len(_open_sessions())
    client = VideoClient(API_KEY, base_url=api.base_url)
    client.rooms.retrieve(room_id)
    loop = client._portal._loop
    assert loop is not None
    assert len(_open_sessions()) == sessions_before + 1

    with pytest.warns(ResourceWarning, match="unclosed VideoClient"):
        del client  # no reference cycles: the finalizer runs at once

    assert loop.is_closed()
    assert len(_open_sessions()) == sessions_before


# ---------------------------------------------------------------------- an idle loop


ROOM_JSON = json.dumps({"data": room_json("room-1", "kept")}).encode()


@attrs.define
class Closer:
    """One connection of `closing_server()`: set ``close``, then wait until ``closed``."""

    close: threading.Event = attrs.Factory(threading.Event)
    closed: threading.Event = attrs.Factory(threading.Event)


@contextlib.contextmanager
def closing_server() -> Iterator[tuple[str, list[Closer]]]:
    """A raw HTTP/1.1 server (on a thread) that answers one request per connection with a
    keep-alive response, then closes the connection when told, as at the end of a server's
    idle timeout; yields its base URL and a `Closer` per connection."""
    connections: list[Closer] = []

    async def answer_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        closer = Closer()
        connections.append(closer)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":")[1])
                for line in head.lower().split(b"\r\n")
                if line.startswith(b"content-length:")
            ),
            0,
        )
        await reader.readexactly(length)
        writer.write(
            b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(ROOM_JSON), ROOM_JSON)
        )
        await writer.drain()
        await asyncio.get_running_loop().run_in_executor(None, closer.close.wait, 10)
        writer.close()
        await writer.wait_closed()
        closer.closed.set()

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="closing-server", daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(
        asyncio.start_server(answer_once, "127.0.0.1", 0), loop
    ).result(10)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v2", connections
    finally:
        for closer in connections:
            closer.close.set()
        server.close()
        asyncio.run_coroutine_threadsafe(server.wait_closed(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_a_connection_the_server_closed_between_calls_is_not_reused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Between calls nothing runs the client's loop. A call made after it stood still first
    lets the loop see what happened meanwhile, so even a POST, which is never retried, goes
    out on a fresh connection rather than failing on the one the server closed."""
    monkeypatch.setattr(_portal, "CATCH_UP_AFTER", 0.0)  # every call comes after a pause
    with (
        closing_server() as (base_url, connections),
        VideoClient(API_KEY, base_url=base_url, max_retries=0) as client,
    ):
        for expected_connections in (1, 2, 3):
            assert client.rooms.create(unique_name="kept").unique_name == "kept"
            assert len(connections) == expected_connections
            # The call is over; now the server closes its connection, unseen by the client.
            connections[-1].close.set()
            assert connections[-1].closed.wait(10)
