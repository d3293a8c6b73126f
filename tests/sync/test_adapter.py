"""The adapter that runs async test scenarios against the sync facade."""

from __future__ import annotations

import pytest

from telnyx_video import NotFoundError, Page, Room
from telnyx_video.sync import VideoClient

from .adapter import SyncAdapter
from .conftest import API_KEY, FakeAPI


async def test_adapter_speaks_the_async_interface(api: FakeAPI) -> None:
    ids = [api.add_room(f"r{i}") for i in range(3)]
    async with SyncAdapter(VideoClient(API_KEY, base_url=api.base_url)) as client:
        assert client.base_url == api.base_url
        room = await client.rooms.retrieve(ids[0])
        assert isinstance(room, Room)
        created = await client.rooms.create(unique_name="new")
        assert created.unique_name == "new"

        first = await client.rooms.list(page_size=2)
        assert isinstance(first, Page)
        assert [r.id for r in first.items] == ids[:2]
        assert [r.id async for r in client.rooms.list(page_size=2)] == [*ids, created.id]
        pages = [page async for page in client.rooms.list(page_size=3).pages()]
        assert [len(p.items) for p in pages] == [3, 1]

        with pytest.raises(NotFoundError):
            await client.rooms.retrieve("missing")
        with pytest.raises(ValueError, match="page_size"):
            client.rooms.list(page_size=0)
        assert await client.rooms.delete(created.id) is None
    assert client.closed


async def test_adapter_early_break_stops_paging(api: FakeAPI) -> None:
    for _ in range(4):
        api.add_room()
    async with SyncAdapter(VideoClient(API_KEY, base_url=api.base_url)) as client:
        async for _room in client.rooms.list(page_size=1):
            break
        assert api.seen() == ["/v2/rooms?page[number]=1&page[size]=1"]
