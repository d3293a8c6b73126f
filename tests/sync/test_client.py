"""Basic calls, typed results, errors, paginators and the client's lifecycle."""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator

import aiohttp
import pytest

from telnyx_video import APIConnectionError, ConfigurationError, NotFoundError, Page, Room
from telnyx_video.pagination import SyncPaginator
from telnyx_video.sync import RoomCompositions, Rooms, VideoClient

from .conftest import API_KEY, FakeAPI, portal_threads


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
    before = portal_threads()
    with pytest.raises(ConfigurationError, match="TELNYX_API_KEY"):
        VideoClient()
    with pytest.raises(ConfigurationError, match="plain http"):
        VideoClient(API_KEY, base_url="http://example.com/v2")
    assert portal_threads() == before


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


def test_portal_thread_starts_lazily_and_is_reused(api: FakeAPI) -> None:
    room_id = api.add_room()
    before = portal_threads()
    with VideoClient(API_KEY, base_url=api.base_url) as client:
        assert portal_threads() == before
        client.rooms.retrieve(room_id)
        started = portal_threads() - before
        assert len(started) == 1
        client.rooms.retrieve(room_id)
        list(client.rooms.list())
        assert portal_threads() - before == started
        (thread,) = started
        assert thread.daemon
    assert not thread.is_alive()


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
        self.threads: set[str] = set()
        self.closed = threading.Event()

    async def first_page(self) -> Page[int]:
        return Page(items=(0,), meta=None)

    async def pages(self) -> AsyncIterator[Page[int]]:
        try:
            for number in range(1, self.count + 1):
                self.threads.add(threading.current_thread().name)
                self.fetched.append(number)
                yield Page(items=(number * 10, number * 10 + 1), meta=None)
        finally:
            self.threads.add(threading.current_thread().name)
            self.closed.set()


def test_early_break_closes_the_async_generator_in_the_portal(client: VideoClient) -> None:
    source = TrackedPages(5)
    paginator: SyncPaginator[int] = SyncPaginator(client._portal, source)

    for item in paginator:
        if item == 20:
            break

    assert source.closed.is_set()
    assert source.fetched == [1, 2]
    assert len(source.threads) == 1
    assert next(iter(source.threads)).startswith("telnyx-video-portal-")


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


def test_close_releases_the_thread_and_the_session(api: FakeAPI) -> None:
    room_id = api.add_room()
    threads_before = set(threading.enumerate())
    sessions_before = _open_sessions()

    client = VideoClient(API_KEY, base_url=api.base_url)
    client.rooms.retrieve(room_id)
    assert len(set(threading.enumerate()) - threads_before) == 1
    assert len(_open_sessions()) == len(sessions_before) + 1
    client.close()

    assert set(threading.enumerate()) - threads_before == set()
    assert len(_open_sessions()) == len(sessions_before)
    assert client.closed
    client.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        client.rooms.retrieve(room_id)
    with pytest.raises(RuntimeError, match="closed"):
        list(client.rooms.list())


def test_with_block_closes(api: FakeAPI) -> None:
    threads_before = set(threading.enumerate())
    with VideoClient(API_KEY, base_url=api.base_url) as client:
        assert list(client.rooms.list()) == []
        assert not client.closed
    assert client.closed
    assert set(threading.enumerate()) - threads_before == set()


def test_close_of_an_unused_client_starts_nothing(api: FakeAPI) -> None:
    before = portal_threads()
    client = VideoClient(API_KEY, base_url=api.base_url)
    client.close()
    assert client.closed
    assert portal_threads() == before


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


def test_unclosed_client_warns_and_stops_its_thread(api: FakeAPI) -> None:
    room_id = api.add_room()
    before = portal_threads()
    client = VideoClient(API_KEY, base_url=api.base_url)
    client.rooms.retrieve(room_id)
    (thread,) = portal_threads() - before

    with pytest.warns(ResourceWarning, match="unclosed VideoClient"):
        del client  # no reference cycles: the finalizer runs at once
    thread.join(10)

    assert not thread.is_alive()
