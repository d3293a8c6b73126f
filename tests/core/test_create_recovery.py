"""``rooms.create(unique_name=...)`` behind a flaky network returns exactly one room."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from typing import Any

import pytest
from _stub import Reply, StubServer
from aiohttp import web

from telnyx_video import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncVideoClient,
    ErrorCode,
    InternalServerError,
    UnprocessableEntityError,
)

from .helpers import MakeClient, page_json, room_json

NAME_TAKEN = {
    "errors": [
        {
            "code": "10012",
            "title": "Invalid unique_name",
            "detail": "A room with this unique_name already exists.",
            "source": {"pointer": "/unique_name"},
        }
    ]
}


class FakeRooms:
    """A tiny stateful /rooms with scripted faults on POST.

    Each POST takes the next fault: ``"ok"``; ``"500"``, ``"drop"`` or ``"hang"`` after
    creating the room; ``"500-before"`` / ``"drop-before"`` without creating it; or
    ``"late"``, which answers 500 and creates the room only after the next lookup (a request
    still in flight when we looked).
    """

    def __init__(self, server: StubServer, faults: list[str] | None = None) -> None:
        self.server = server
        self.faults = list(faults or [])
        self.rooms: list[dict[str, Any]] = []
        self.pending: list[dict[str, Any]] = []
        self.ids = itertools.count(1)
        self.list_order_reversed = False
        server.on("POST", "/rooms", self.post)
        server.on("GET", "/rooms", self.list)

    def named(self, name: str) -> list[dict[str, Any]]:
        return [r for r in self.rooms if r["unique_name"] == name]

    async def post(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        name = body.get("unique_name")
        fault = self.faults.pop(0) if self.faults else "ok"
        # Faults "before" strike in front of the handler, whatever the request holds.
        if fault == "500-before":
            return web.json_response({"errors": [{"title": "oops"}]}, status=500)
        if fault == "drop-before":
            assert request.transport is not None
            request.transport.close()
            raise asyncio.CancelledError
        if name is not None and self.named(name):
            return web.json_response(NAME_TAKEN, status=422)
        room = room_json(f"room-{next(self.ids)}", **{"unique_name": name, **body})
        if fault == "late":
            self.pending.append(room)
            return web.json_response({"errors": [{"title": "busy"}]}, status=500)
        self.rooms.append(room)
        if fault == "500":
            return web.json_response({"errors": [{"title": "oops"}]}, status=500)
        if fault == "drop":
            assert request.transport is not None
            request.transport.close()
            raise asyncio.CancelledError
        if fault == "hang":
            await self.server.released.wait()
        return web.json_response({"data": room}, status=201)

    async def list(self, request: web.Request) -> web.StreamResponse:
        # Substring match, like a loose search: the client must check the exact name.
        wanted = request.query.get("filter[unique_name]", "")
        found = [r for r in self.rooms if wanted in (r["unique_name"] or "")]
        found.sort(key=lambda r: r["unique_name"], reverse=self.list_order_reversed)
        size = int(request.query.get("page[size]", "20"))
        number = int(request.query.get("page[number]", "1"))
        chunk = found[(number - 1) * size : number * size]
        total_pages = max(1, -(-len(found) // size))
        self.rooms.extend(self.pending)
        self.pending.clear()
        return web.json_response(
            page_json(
                chunk, number=number, size=size, total_pages=total_pages, total_results=len(found)
            )
        )


def posts(server: StubServer) -> int:
    return len(server.calls("POST", "/rooms"))


def lookups(server: StubServer) -> int:
    return len(server.calls("GET", "/rooms"))


@pytest.mark.parametrize("fault", ["500", "drop", "hang"])
async def test_created_then_failed_returns_the_room(
    server: StubServer, make_client: MakeClient, fault: str
) -> None:
    fake = FakeRooms(server, [fault])
    client = make_client(timeout=0.2)
    room = await client.rooms.create(unique_name="standup", max_participants=5)
    assert len(fake.rooms) == 1
    assert room.id == fake.rooms[0]["id"]
    assert room.unique_name == "standup"
    assert posts(server) == 1
    assert lookups(server) == 1
    lookup = server.calls("GET", "/rooms")[0]
    assert ("filter[unique_name]", "standup") in lookup.params
    assert server.calls("POST", "/rooms")[0].json == {
        "unique_name": "standup",
        "max_participants": 5,
    }


@pytest.mark.parametrize("fault", ["500-before", "drop-before"])
async def test_failed_before_creating_is_retried(
    server: StubServer, client: AsyncVideoClient, fault: str
) -> None:
    fake = FakeRooms(server, [fault])
    room = await client.rooms.create(unique_name="standup")
    assert [r["id"] for r in fake.rooms] == [room.id]
    assert posts(server) == 2
    assert lookups(server) == 1


async def test_name_taken_on_the_retry_returns_the_existing_room(
    server: StubServer, client: AsyncVideoClient
) -> None:
    fake = FakeRooms(server, ["late"])
    room = await client.rooms.create(unique_name="standup")
    assert [r["id"] for r in fake.rooms] == [room.id]
    # POST (500, in flight) -> lookup (nothing yet) -> POST (422 10012) -> lookup (found)
    assert [r.method for r in server.requests] == ["POST", "GET", "POST", "GET"]


async def test_name_taken_on_the_first_try_is_raised(
    server: StubServer, client: AsyncVideoClient
) -> None:
    fake = FakeRooms(server)
    fake.rooms.append(room_json("someone-elses", unique_name="standup"))
    with pytest.raises(UnprocessableEntityError) as info:
        await client.rooms.create(unique_name="standup")
    assert info.value.code == "10012"
    assert posts(server) == 1
    assert lookups(server) == 0


async def test_exact_name_is_found_among_similar_ones(
    server: StubServer, client: AsyncVideoClient
) -> None:
    fake = FakeRooms(server, ["500"])
    fake.list_order_reversed = True  # "standup-2" comes before "standup"
    fake.rooms.append(room_json("other", unique_name="standup-2"))
    room = await client.rooms.create(unique_name="standup")
    assert room.unique_name == "standup"
    assert len(fake.named("standup")) == 1


async def test_last_ambiguous_failure_still_looks_the_room_up(
    server: StubServer, make_client: MakeClient
) -> None:
    fake = FakeRooms(server, ["500"])
    client = make_client(max_retries=0)
    room = await client.rooms.create(unique_name="standup")
    assert [r["id"] for r in fake.rooms] == [room.id]
    assert posts(server) == 1


async def test_gives_up_after_max_retries(server: StubServer, make_client: MakeClient) -> None:
    fake = FakeRooms(server, ["500-before"] * 10)
    client = make_client(max_retries=2)
    with pytest.raises(InternalServerError):
        await client.rooms.create(unique_name="standup")
    assert fake.rooms == []
    assert posts(server) == 3
    assert lookups(server) == 3


async def test_per_call_max_retries(server: StubServer, client: AsyncVideoClient) -> None:
    FakeRooms(server, ["500-before"] * 10)
    with pytest.raises(InternalServerError):
        await client.rooms.create(unique_name="standup", max_retries=4)
    assert posts(server) == 5


async def test_lookup_failures_are_retried_like_any_get(
    server: StubServer, client: AsyncVideoClient
) -> None:
    fake = FakeRooms(server, ["500"])
    lookups_left = [web.json_response({"errors": [{"title": "x"}]}, status=503)]

    async def flaky_list(request: web.Request) -> web.StreamResponse:
        if lookups_left:
            return lookups_left.pop()
        return await fake.list(request)

    server.on("GET", "/rooms", flaky_list)
    room = await client.rooms.create(unique_name="standup")
    assert room.id == fake.rooms[0]["id"]
    assert lookups(server) == 2


@pytest.mark.parametrize("status", [400, 403, 422])
async def test_clear_failures_are_raised_without_lookup(
    server: StubServer, client: AsyncVideoClient, status: int
) -> None:
    async def refuse(request: web.Request) -> web.StreamResponse:
        return web.json_response({"errors": [{"code": "1", "title": "no"}]}, status=status)

    server.on("POST", "/rooms", refuse)
    with pytest.raises(APIStatusError) as info:
        await client.rooms.create(unique_name="standup")
    assert info.value.status == status
    assert posts(server) == 1
    assert lookups(server) == 0


@pytest.mark.parametrize(
    ("fault", "error"),
    [("500", InternalServerError), ("drop", APIConnectionError), ("hang", APITimeoutError)],
)
async def test_without_unique_name_ambiguous_failures_are_raised(
    server: StubServer, make_client: MakeClient, fault: str, error: type[Exception]
) -> None:
    fake = FakeRooms(server, [fault])
    client = make_client(timeout=0.2)
    with pytest.raises(error):
        await client.rooms.create(max_participants=4)
    assert posts(server) == 1
    assert lookups(server) == 0
    assert len(fake.rooms) == 1  # it was created; the caller was told it may have been


async def test_flaky_network_many_creates_one_room_each(
    server: StubServer, make_client: MakeClient
) -> None:
    rng = random.Random(20260102)
    kinds = ["ok", "500", "drop", "500-before", "drop-before", "late"]
    fake = FakeRooms(server, [rng.choice(kinds) for _ in range(200)])
    client = make_client(max_retries=5)
    names = [f"room-{i}" for i in range(25)]
    for name in names:
        room = await client.rooms.create(unique_name=name)
        assert room.unique_name == name
        assert [r["id"] for r in fake.named(name)] == [room.id]
    assert sorted(r["unique_name"] for r in fake.rooms) == sorted(names)
    assert json.dumps(fake.pending) == "[]"


async def test_failed_lookup_raises_the_ambiguous_failure(
    server: StubServer, client: AsyncVideoClient
) -> None:
    fake = FakeRooms(server, ["500"])

    async def rate_limited(request: web.Request) -> web.StreamResponse:
        body = {"errors": [{"title": "slow down"}]}
        return web.json_response(body, status=429, headers={"Retry-After": "3600"})

    server.on("GET", "/rooms", rate_limited)
    with pytest.raises(InternalServerError) as info:
        await client.rooms.create(unique_name="standup")
    assert any("may or may not exist" in note for note in info.value.__notes__)
    assert len(fake.rooms) == 1
    assert posts(server) == 1
    assert lookups(server) == 1


async def test_max_retries_bounds_the_posts_whatever_the_mix_of_failures(
    server: StubServer, make_client: MakeClient
) -> None:
    """429s and 5xx share one budget: max_retries=2 means at most 3 POSTs, never 3 x 3."""
    failures = itertools.cycle(["429", "429", "500"])

    async def post(request: web.Request) -> web.StreamResponse:
        if next(failures) == "429":
            return web.json_response(
                {"errors": [{"code": "10011", "title": "Too many requests"}]},
                status=429,
                headers={"Retry-After": "0"},
            )
        return web.json_response({"errors": [{"code": "x", "title": "boom"}]}, status=500)

    async def no_rooms(request: web.Request) -> web.StreamResponse:
        return web.json_response(page_json([]))

    server.on("POST", "/rooms", post)
    server.on("GET", "/rooms", no_rooms)
    client = make_client(max_retries=2)
    with pytest.raises(APIStatusError):
        await client.rooms.create(unique_name="bounded")
    assert len(server.calls("POST", "/rooms")) == 3


# --- a found room is ours only if it has every field we sent ------------------------------


@pytest.mark.parametrize("fault", ["500-before", "drop-before"])
async def test_a_room_of_that_name_with_other_settings_is_not_adopted(
    server: StubServer, client: AsyncVideoClient, fault: str
) -> None:
    """Someone's room already had the name; our POST failed before reaching the handler.

    The lookup finds their room, recording on where we asked for it off: not ours. The
    call fails as the API would have answered without the failure.
    """
    fake = FakeRooms(server, [fault])
    fake.rooms.append(room_json("theirs", unique_name="standup", enable_recording=True))
    with pytest.raises(UnprocessableEntityError) as info:
        await client.rooms.create(unique_name="standup", enable_recording=False)
    error = info.value
    assert error.status == 422
    assert error.code == ErrorCode.DUPLICATE_RESOURCE
    assert [e.pointer for e in error.errors] == ["/unique_name"]
    assert "enable_recording is True, not False" in str(error)
    assert isinstance(error.__cause__, APIConnectionError | InternalServerError)
    assert [r["id"] for r in fake.rooms] == ["theirs"]
    assert posts(server) == 1  # no second POST: the name is taken, a retry would be a 422


async def test_a_room_with_every_field_sent_is_adopted(
    server: StubServer, client: AsyncVideoClient
) -> None:
    fake = FakeRooms(server, ["500"])
    room = await client.rooms.create(
        unique_name="standup",
        max_participants=5,
        enable_recording=True,
        webhook_event_url="https://example.com/hook",
        webhook_timeout_secs=12,
    )
    assert [r["id"] for r in fake.rooms] == [room.id]
    assert (room.max_participants, room.enable_recording, room.webhook_timeout_secs) == (
        5,
        True,
        12,
    )


async def test_fields_not_sent_do_not_count(server: StubServer, client: AsyncVideoClient) -> None:
    """Only what we sent is compared: the server's defaults for the rest are its own."""
    fake = FakeRooms(server, ["500"])
    room = await client.rooms.create(unique_name="standup")
    assert room.id == fake.rooms[0]["id"]
    assert room.max_participants == 10  # the server's default, not sent


async def test_a_room_created_long_ago_by_the_servers_clock_is_still_ours(
    server: StubServer, client: AsyncVideoClient
) -> None:
    """No clock is compared: the server's may be frozen, moved or drifting."""
    fake = FakeRooms(server, ["500"])

    async def post_with_an_old_clock(request: web.Request) -> web.StreamResponse:
        response = await fake.post(request)
        for room in fake.rooms:
            room["created_at"] = room["updated_at"] = "1999-01-01T00:00:00Z"
        return response

    server.on("POST", "/rooms", post_with_an_old_clock)
    room = await client.rooms.create(unique_name="standup", max_participants=5)
    assert room.id == fake.rooms[0]["id"]
    assert room.created_at.year == 1999


async def test_the_apis_own_422_on_a_retry_is_raised_for_a_room_that_is_not_ours(
    server: StubServer, client: AsyncVideoClient
) -> None:
    """Our POST failed ambiguously; someone else then took the name with other settings."""
    fake = FakeRooms(server, ["500-before"])

    async def list_then_someone_creates(request: web.Request) -> web.StreamResponse:
        response = await fake.list(request)
        if not fake.named("standup"):
            fake.rooms.append(room_json("theirs", unique_name="standup", max_participants=2))
        return response

    server.on("GET", "/rooms", list_then_someone_creates)
    with pytest.raises(UnprocessableEntityError) as info:
        await client.rooms.create(unique_name="standup", max_participants=9)
    # The second POST's own 422 (the API's words), not one we made up.
    assert info.value.errors[0].title == "Invalid unique_name"
    assert [r.method for r in server.requests] == ["POST", "GET", "POST", "GET"]


# --- an unreadable 2xx does not turn a created room into an error -------------------------

UNREADABLE = [
    pytest.param(b'{"data": {"id": "room-1", "unique_na', id="truncated"),
    pytest.param(b"<html>created</html>", id="not-json"),
    pytest.param(b'{"data": {"id": 7}}', id="wrong-shape"),
    pytest.param(b'{"result": "ok"}', id="no-data"),
]


@pytest.mark.parametrize("raw", UNREADABLE)
async def test_an_unreadable_2xx_is_looked_up(
    server: StubServer, client: AsyncVideoClient, raw: bytes
) -> None:
    fake = FakeRooms(server)

    async def created_but_garbled(request: web.Request) -> web.StreamResponse:
        await fake.post(request)
        return web.Response(status=201, body=raw, content_type="application/json")

    server.on("POST", "/rooms", created_but_garbled)
    room = await client.rooms.create(unique_name="standup", max_participants=3)
    assert [r["id"] for r in fake.rooms] == [room.id]
    assert room.max_participants == 3
    assert posts(server) == 1
    assert lookups(server) == 1


async def test_an_unreadable_2xx_with_no_room_to_find_is_raised(
    server: StubServer, client: AsyncVideoClient
) -> None:
    FakeRooms(server)
    server.on("POST", "/rooms", Reply(201, body=b"<html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(APIResponseValidationError):
        await client.rooms.create(unique_name="standup")
    assert posts(server) == 1  # never retried: the POST was carried out
    assert lookups(server) == 1


async def test_an_unreadable_2xx_without_a_name_is_raised(
    server: StubServer, client: AsyncVideoClient
) -> None:
    FakeRooms(server)
    server.on("POST", "/rooms", Reply(201, body=b"<html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(APIResponseValidationError):
        await client.rooms.create(max_participants=3)
    assert (posts(server), lookups(server)) == (1, 0)


# --- one retry engine: the per-call settings are checked in one place ---------------------


@pytest.mark.parametrize(
    "options",
    [
        {"max_retries": -5},
        {"max_retries": 1.5},
        {"max_retries": True},
        {"timeout": -1},
        {"timeout": 0},
        {"timeout": float("nan")},
        {"timeout": "5"},
    ],
)
@pytest.mark.parametrize("name", ["standup", None])
async def test_bad_per_call_settings_are_refused_before_sending(
    server: StubServer, client: AsyncVideoClient, options: dict[str, Any], name: str | None
) -> None:
    FakeRooms(server)
    with pytest.raises(ValueError, match=r"max_retries|timeout"):
        await client.rooms.create(unique_name=name, **options)
    assert server.requests == []


@pytest.mark.parametrize("name", ["", " ", "\t\n"])
async def test_a_blank_unique_name_is_refused_before_sending(
    server: StubServer, client: AsyncVideoClient, name: str
) -> None:
    FakeRooms(server)
    with pytest.raises(ValueError, match="unique_name"):
        await client.rooms.create(unique_name=name)
    with pytest.raises(ValueError, match="unique_name"):
        await client.rooms.update("room-1", unique_name=name)
    assert server.requests == []
