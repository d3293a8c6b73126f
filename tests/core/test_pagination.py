"""Paginators: lazy walks, early exits, empty listings and servers that misbehave."""

from __future__ import annotations

import json
import math
import re
import typing
from typing import Any

import pytest
from _stub import Reply, StubServer
from aiohttp import web

from telnyx_video import APIResponseValidationError, AsyncVideoClient, InternalServerError, Page
from telnyx_video._operations import operations
from telnyx_video.emulator import _contract
from telnyx_video.models import (
    MAX_PAGE_SIZE,
    Room,
    RoomComposition,
    RoomParticipant,
    RoomRecording,
    RoomSession,
)
from telnyx_video.pagination import AsyncPaginator

from .helpers import (
    composition_json,
    page_json,
    participant_json,
    recording_json,
    room_json,
    session_json,
)


def paged(total: int, *, default_size: int = 20) -> Any:
    """A well-behaved /rooms listing of ``total`` rooms, ``r0``..``r{total-1}``."""

    async def handler(request: web.Request) -> web.StreamResponse:
        number = int(request.query.get("page[number]", "1"))
        size = int(request.query.get("page[size]", str(default_size)))
        start = (number - 1) * size
        items = [room_json(f"r{i}") for i in range(start, min(start + size, total))]
        return web.json_response(
            page_json(
                items,
                number=number,
                size=size,
                total_pages=math.ceil(total / size),
                total_results=total,
            )
        )

    return handler


def numbers(server: StubServer) -> list[int]:
    return [int(dict(r.params)["page[number]"]) for r in server.requests]


async def test_walks_many_pages_lazily(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms", paged(23))
    paginator = client.rooms.list(page_size=2, unique_name="x")
    assert server.requests == []  # nothing before iterating
    ids = []
    async for room in paginator:
        ids.append(room.id)
        # one request per page, made only when the previous page is used up
        assert len(server.requests) == int(room.id[1:]) // 2 + 1
    assert ids == [f"r{i}" for i in range(23)]
    assert numbers(server) == list(range(1, 13))
    for req in server.requests:
        assert ("page[size]", "2") in req.params
        assert ("filter[unique_name]", "x") in req.params


async def test_default_page_size_is_the_servers(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("GET", "/rooms", paged(45))
    ids = [room.id async for room in client.rooms.list()]
    assert len(ids) == 45
    assert [r.query for r in server.requests] == [f"page[number]={n}" for n in (1, 2, 3)]


async def test_pages_yields_each_page(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms", paged(5))
    pages = [page async for page in client.rooms.list(page_size=2).pages()]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [p.meta.page_number for p in pages if p.meta] == [1, 2, 3]
    assert all(isinstance(p, Page) for p in pages)
    assert [p.has_next for p in pages] == [True, True, False]


async def test_await_gives_the_first_page_only(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("GET", "/rooms", paged(5))
    page = await client.rooms.list(page_size=2)
    assert [r.id for r in page] == ["r0", "r1"]
    assert page.meta is not None
    assert page.meta.total_results == 5
    first = await client.rooms.list(page_size=2).first_page()
    assert first == page
    assert numbers(server) == [1, 1]


async def test_each_walk_starts_over(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms", paged(3))
    paginator = client.rooms.list(page_size=2)
    first = [r.id async for r in paginator]
    second = [r.id async for r in paginator]
    assert first == second == ["r0", "r1", "r2"]
    assert numbers(server) == [1, 2, 1, 2]


@pytest.mark.parametrize(("stop_after", "requests"), [(1, 1), (2, 1), (3, 2), (6, 3)])
async def test_early_break_sends_no_further_request(
    server: StubServer, client: AsyncVideoClient, stop_after: int, requests: int
) -> None:
    server.on("GET", "/rooms", paged(100))
    seen = 0
    async for _ in client.rooms.list(page_size=2):
        seen += 1
        if seen == stop_after:
            break
    # A later request on the same connection proves nothing else was sent meanwhile.
    server.on("GET", "/rooms/after", Reply(200, {"data": room_json("after")}))
    await client.rooms.retrieve("after")
    listed = [r for r in server.requests if r.path == "/v2/rooms"]
    assert len(listed) == requests
    assert server.requests[-1].path == "/v2/rooms/after"


async def test_empty_listing(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms", Reply(200, page_json([], total_pages=0, total_results=0)))
    assert [r async for r in client.rooms.list()] == []
    page = await client.rooms.list()
    assert page.items == ()
    assert not page.has_next
    assert [p async for p in client.rooms.list().pages()] == []
    assert len(server.requests) == 3


async def test_empty_page_ends_the_walk(server: StubServer, client: AsyncVideoClient) -> None:
    server.on(
        "GET",
        "/rooms",
        Reply(200, page_json([room_json("a")], number=1, size=1, total_pages=9)),
        Reply(200, page_json([], number=2, size=1, total_pages=9)),
        Reply(200, page_json([room_json("c")], number=3, size=1, total_pages=9)),
    )
    assert [r.id async for r in client.rooms.list(page_size=1)] == ["a"]
    assert numbers(server) == [1, 2]


async def test_server_ignoring_page_number_does_not_loop(
    server: StubServer, client: AsyncVideoClient
) -> None:
    # Always answers page 1, while announcing 3 pages.
    server.on(
        "GET", "/rooms", Reply(200, page_json([room_json("a"), room_json("b")], total_pages=3))
    )
    assert [r.id async for r in client.rooms.list()] == ["a", "b"]
    assert numbers(server) == [1, 2]


async def test_repeated_page_is_not_yielded_twice(
    server: StubServer, client: AsyncVideoClient
) -> None:
    async def echo_number_same_items(request: web.Request) -> web.StreamResponse:
        number = int(request.query["page[number]"])
        body = page_json([room_json("a"), room_json("b")], number=number, total_pages=50)
        return web.json_response(body)

    server.on("GET", "/rooms", echo_number_same_items)
    assert [r.id async for r in client.rooms.list()] == ["a", "b"]
    assert numbers(server) == [1, 2]


async def test_page_with_another_number_is_not_yielded(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on(
        "GET",
        "/rooms",
        Reply(200, page_json([room_json("a")], number=1, size=1, total_pages=3)),
        Reply(200, page_json([room_json("z")], number=7, size=1, total_pages=3)),
    )
    assert [r.id async for r in client.rooms.list(page_size=1)] == ["a"]
    assert numbers(server) == [1, 2]


def without_meta(total: int, keep: tuple[str, ...] = ()) -> Any:
    """A /rooms listing of ``total`` rooms whose ``meta`` holds only the ``keep`` fields."""
    inner = paged(total)

    async def handler(request: web.Request) -> web.StreamResponse:
        response = await inner(request)
        assert isinstance(response, web.Response)
        assert response.text is not None
        body = json.loads(response.text)
        meta = {k: v for k, v in body.pop("meta").items() if k in keep}
        if keep:
            body["meta"] = meta
        return web.json_response(body)

    return handler


async def test_missing_meta_is_walked_to_the_first_empty_page(
    server: StubServer, client: AsyncVideoClient
) -> None:
    """No count to go by: the walk goes on until a page comes back empty (no guess)."""
    server.on("GET", "/rooms", without_meta(5))
    assert [r.id async for r in client.rooms.list(page_size=2)] == [f"r{i}" for i in range(5)]
    assert numbers(server) == [1, 2, 3, 4]
    page = await client.rooms.list(page_size=2)
    assert page.meta is None
    assert not page.has_next


async def test_missing_meta_and_a_server_ignoring_the_page_number(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("GET", "/rooms", Reply(200, {"data": [room_json("a"), room_json("b")]}))
    assert [r.id async for r in client.rooms.list()] == ["a", "b"]
    assert numbers(server) == [1, 2]  # page 2 repeats page 1: the walk stops there


async def test_null_meta_is_like_missing(server: StubServer, client: AsyncVideoClient) -> None:
    server.on(
        "GET",
        "/rooms",
        Reply(200, {"data": [room_json("a")], "meta": None}),
        Reply(200, {"data": [], "meta": None}),
    )
    assert [r.id async for r in client.rooms.list()] == ["a"]
    assert numbers(server) == [1, 2]


@pytest.mark.parametrize(
    "keep",
    [
        ("page_number", "total_pages"),
        ("total_pages",),
        ("page_number", "page_size", "total_results"),
        ("page_size", "total_results"),
        ("page_number",),
        ("page_size",),
    ],
)
async def test_a_partial_meta_is_walked_with_what_it_has(
    server: StubServer, client: AsyncVideoClient, keep: tuple[str, ...]
) -> None:
    """The contract requires no meta field: each one present is used, none is guessed."""
    server.on("GET", "/rooms", without_meta(7, keep))
    assert [r.id async for r in client.rooms.list(page_size=2)] == [f"r{i}" for i in range(7)]
    counted = "total_pages" in keep or "total_results" in keep
    # With a count the walk stops at the last page; without one, at the first empty page.
    assert numbers(server) == ([1, 2, 3, 4] if counted else [1, 2, 3, 4, 5])
    first = await client.rooms.list(page_size=2)
    assert first.has_next == (counted and "page_number" in keep)


async def test_never_ending_server_is_bounded_by_the_first_page(
    server: StubServer, client: AsyncVideoClient
) -> None:
    async def grows(request: web.Request) -> web.StreamResponse:
        number = int(request.query["page[number]"])
        body = page_json([room_json(f"r{number}")], number=number, size=1, total_pages=number + 2)
        return web.json_response(body)

    server.on("GET", "/rooms", grows)
    ids = [r.id async for r in client.rooms.list(page_size=1)]
    assert ids == ["r1", "r2", "r3"]
    assert numbers(server) == [1, 2, 3]


async def test_total_results_bounds_the_walk(server: StubServer, client: AsyncVideoClient) -> None:
    async def lies(request: web.Request) -> web.StreamResponse:
        number = int(request.query["page[number]"])
        items = [room_json(f"r{number}-{i}") for i in range(2)]
        body = page_json(items, number=number, size=2, total_pages=10**9, total_results=5)
        return web.json_response(body)

    server.on("GET", "/rooms", lies)
    ids = [r.id async for r in client.rooms.list(page_size=2)]
    assert len(ids) == 6
    assert numbers(server) == [1, 2, 3]


async def test_error_on_a_later_page_propagates(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on(
        "GET",
        "/rooms",
        Reply(200, page_json([room_json("a")], number=1, size=1, total_pages=2)),
        Reply(500, {"errors": [{"code": "x", "title": "boom"}]}),
    )
    seen: list[str] = []

    async def walk() -> None:
        async for room in client.rooms.list(page_size=1, max_retries=0):
            seen.append(room.id)

    with pytest.raises(InternalServerError):
        await walk()
    assert seen == ["a"]


async def test_malformed_meta_is_reported(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms", Reply(200, {"data": [], "meta": {"page_number": "1"}}))
    with pytest.raises(APIResponseValidationError, match="PaginationMeta"):
        await client.rooms.list()


@pytest.mark.parametrize("bad", [0, -1, MAX_PAGE_SIZE + 1, True, 1.5, "10"])
async def test_page_size_is_validated_up_front(
    server: StubServer, client: AsyncVideoClient, bad: Any
) -> None:
    with pytest.raises(ValueError, match="page_size"):
        client.rooms.list(page_size=bad)
    with pytest.raises(ValueError, match="page_size"):
        client.room_recordings.list(page_size=bad)
    assert server.requests == []


@pytest.mark.parametrize("size", [1, MAX_PAGE_SIZE])
async def test_page_size_bounds_are_accepted(
    server: StubServer, client: AsyncVideoClient, size: int
) -> None:
    server.on("GET", "/room_sessions", Reply(200, page_json([])))
    await client.room_sessions.list(page_size=size)
    assert ("page[size]", str(size)) in server.requests[0].params


def _listings() -> list[Any]:
    """Every operation whose client method returns a paginator, with its model and path."""
    found = []
    for op in operations():
        returns = typing.get_type_hints(op.function)["return"]
        if typing.get_origin(returns) is AsyncPaginator:
            (model,) = typing.get_args(returns)
            path = _contract.operation(op.operation_id).path
            names = re.findall(r"\{[^}]+\}", path)  # the path's ids, in order: id0, id1, ...
            ids = tuple(f"id{n}" for n in range(len(names)))
            for name, value in zip(names, ids, strict=True):
                path = path.replace(name, value)
            found.append(pytest.param(op.resource, op.method, ids, path, model, id=op.operation_id))
    return found


FACTORIES = {
    Room: room_json,
    RoomSession: session_json,
    RoomParticipant: participant_json,
    RoomRecording: recording_json,
    RoomComposition: composition_json,
}


@pytest.mark.parametrize(("resource", "method", "args", "path", "model"), _listings())
async def test_every_listing_paginates(
    server: StubServer,
    client: AsyncVideoClient,
    resource: str,
    method: str,
    args: tuple[str, ...],
    path: str,
    model: type,
) -> None:
    factory = FACTORIES[model]
    server.on(
        "GET",
        path,
        Reply(200, page_json([factory("a"), factory("b")], number=1, size=2, total_pages=2)),
        Reply(200, page_json([factory("c")], number=2, size=2, total_pages=2)),
    )
    paginator = getattr(getattr(client, resource), method)(*args, page_size=2)
    assert [item.id async for item in paginator] == ["a", "b", "c"]
    assert numbers(server) == [1, 2]
