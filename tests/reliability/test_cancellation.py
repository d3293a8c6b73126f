"""Cancellation and timeouts: the client stays usable and no connection leaks.

The stub server counts the handlers it is running; with ``handler_cancellation`` a handler
ends as soon as its client drops the connection, so "the server is idle again" proves from
the server side that a cancelled request closed its connection. The connector's own
bookkeeping is checked too, and a pool-exhaustion test (more cancellations than the pool has
connections) proves it behaviourally.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import pytest
from _stub import StubServer
from aiohttp import web

from telnyx_video import APIConnectionError, APITimeoutError, AsyncVideoClient, Room, RoomSession
from telnyx_video._retry import RetryPolicy

from .conftest import FAST_RETRIES, SECRET_KEY
from .test_fuzz_responses import VALID

#: Guard against a hang: if the client misbehaves, the test fails instead of blocking.
GUARD = 10.0


def acquired(client: AsyncVideoClient) -> int:
    """Connections the client's pool has handed out and not yet got back."""
    session = client._transport._session
    if session is None:
        return 0
    return len(session.connector._acquired)  # type: ignore[union-attr]


def room_body() -> dict[str, object]:
    return {"data": VALID[Room]}


async def cancel_when_arrived(stub: StubServer, task: asyncio.Task[object]) -> None:
    """Cancel ``task`` once the server holds its request, and wait for it to finish."""
    async with asyncio.timeout(GUARD):
        await stub.arrived.wait()
    stub.arrived.clear()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def assert_usable(stub: StubServer, client: AsyncVideoClient) -> None:
    """The client completes a fresh request and holds no connection afterwards."""
    stub.default = None
    stub.answer(200, json.dumps(room_body()))
    async with asyncio.timeout(GUARD):
        room = await client.rooms.retrieve("r1")
    assert room.id == "r1"
    assert acquired(client) == 0


async def test_cancel_mid_request_closes_the_connection(
    stub: StubServer, client: AsyncVideoClient
) -> None:
    stub.default = stub.hang
    task = asyncio.create_task(client.rooms.retrieve("r1"))
    await cancel_when_arrived(stub, task)
    async with asyncio.timeout(GUARD):
        await stub.wait_idle()  # the server saw the connection go away
    assert acquired(client) == 0
    await assert_usable(stub, client)


@pytest.mark.parametrize(
    "operation",
    ["retrieve", "create", "update", "delete", "token", "list"],
)
async def test_cancel_any_operation_leaves_client_usable(
    stub: StubServer, client: AsyncVideoClient, operation: str
) -> None:
    stub.default = stub.hang
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "retrieve": lambda: client.rooms.retrieve("r1"),
        "create": lambda: client.rooms.create(unique_name="n"),
        "update": lambda: client.rooms.update("r1", max_participants=2),
        "delete": lambda: client.rooms.delete("r1"),
        "token": lambda: client.rooms.generate_join_client_token("r1"),
        "list": lambda: client.rooms.list().first_page(),
    }

    async def run() -> object:
        return await calls[operation]()

    task = asyncio.create_task(run())
    await cancel_when_arrived(stub, task)
    async with asyncio.timeout(GUARD):
        await stub.wait_idle()
    await assert_usable(stub, client)


async def test_more_cancellations_than_the_pool_holds(
    stub: StubServer, client: AsyncVideoClient
) -> None:
    """A leaked connection per cancellation would exhaust the 100-connection pool."""
    stub.default = stub.hang
    for _ in range(130):
        task = asyncio.create_task(client.rooms.retrieve("r1"))
        await cancel_when_arrived(stub, task)
    async with asyncio.timeout(GUARD):
        await stub.wait_idle()
    assert acquired(client) == 0
    await assert_usable(stub, client)


async def test_many_concurrent_cancellations(stub: StubServer, client: AsyncVideoClient) -> None:
    stub.default = stub.hang
    started = 0
    all_in = asyncio.Event()

    async def counting_hang(request: web.Request) -> web.StreamResponse:
        nonlocal started
        started += 1
        if started == 40:
            all_in.set()
        return await stub.hang(request)

    stub.default = counting_hang
    tasks = [asyncio.create_task(client.rooms.retrieve(f"r{i}")) for i in range(40)]
    async with asyncio.timeout(GUARD):
        await all_in.wait()
    assert acquired(client) == 40
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    async with asyncio.timeout(GUARD):
        await stub.wait_idle()
    assert acquired(client) == 0
    await assert_usable(stub, client)


async def test_cancel_during_retry_backoff(stub: StubServer) -> None:
    slow = RetryPolicy(initial_backoff=3600, max_backoff=3600, jitter=False)
    stub.answer(503, b'{"errors": [{"title": "busy"}]}')
    async with AsyncVideoClient(SECRET_KEY, base_url=stub.base_url, retry_policy=slow) as client:
        task = asyncio.create_task(client.rooms.retrieve("r1"))
        await cancel_when_arrived(stub, task)
        assert acquired(client) == 0
        assert len(stub.requests) == 1  # no retry was sent after the cancellation
        await assert_usable(stub, client)


async def test_cancel_mid_pagination(stub: StubServer, client: AsyncVideoClient) -> None:
    page_one = {
        "data": [VALID[RoomSession]],
        "meta": {"page_number": 1, "page_size": 1, "total_pages": 3, "total_results": 3},
    }

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.query.get("page[number]") == "1":
            return web.json_response(page_one)
        return await stub.hang(request)

    stub.default = handler
    seen: list[RoomSession] = []

    async def walk() -> None:
        async for item in client.room_sessions.list(page_size=1):
            seen.append(item)

    task = asyncio.create_task(walk())
    async with asyncio.timeout(GUARD):
        while len(stub.requests) < 2:  # wait for the second page's request to be held
            stub.arrived.clear()
            await stub.arrived.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(seen) == 1
    async with asyncio.timeout(GUARD):
        await stub.wait_idle()
    await assert_usable(stub, client)


async def test_caller_timeout_around_a_call(stub: StubServer, client: AsyncVideoClient) -> None:
    """``asyncio.timeout`` / ``wait_for`` of the caller cancel cleanly too."""
    stub.default = stub.hang
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await client.rooms.retrieve("r1")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(client.rooms.retrieve("r1"), 0.05)
    async with asyncio.timeout(GUARD):
        await stub.wait_idle()
    await assert_usable(stub, client)


# --- timeouts --------------------------------------------------------------------------------


@pytest.fixture
async def hanging(stub: StubServer) -> StubServer:
    stub.default = stub.hang
    return stub


async def test_per_call_timeout_raises_api_timeout_error(
    hanging: StubServer, client: AsyncVideoClient
) -> None:
    async with asyncio.timeout(GUARD):
        with pytest.raises(APITimeoutError) as info:
            await client.rooms.retrieve("r1", timeout=0.05, max_retries=0)
    assert info.value.maybe_sent
    assert "timed out" in str(info.value)
    assert len(hanging.requests) == 1
    await assert_usable(hanging, client)


async def test_client_timeout_applies_to_each_attempt(hanging: StubServer) -> None:
    async with AsyncVideoClient(
        SECRET_KEY,
        base_url=hanging.base_url,
        timeout=0.05,
        max_retries=2,
        retry_policy=RetryPolicy(initial_backoff=0.001, max_backoff=0.001),
    ) as client:
        async with asyncio.timeout(GUARD):
            with pytest.raises(APITimeoutError):
                await client.rooms.retrieve("r1")
        assert len(hanging.requests) == 3  # a GET is retried after a timeout
        await assert_usable(hanging, client)


async def test_timed_out_post_is_not_retried(hanging: StubServer, client: AsyncVideoClient) -> None:
    """A POST that timed out may have been processed: retrying it could duplicate it."""
    async with asyncio.timeout(GUARD):
        with pytest.raises(APITimeoutError):
            await client.rooms.generate_join_client_token("r1", timeout=0.05, max_retries=3)
    assert len(hanging.requests) == 1
    await assert_usable(hanging, client)


async def test_timeout_covers_a_stalled_body(stub: StubServer, client: AsyncVideoClient) -> None:
    """Headers arrive, then the body stalls: the timeout still fires."""

    async def stall(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = 1000
        await response.prepare(request)
        await response.write(b'{"data": {')
        await stub.released.wait()
        return response

    stub.default = stall
    async with asyncio.timeout(GUARD):
        with pytest.raises(APITimeoutError):
            await client.rooms.retrieve("r1", timeout=0.1, max_retries=0)
    async with asyncio.timeout(GUARD):
        await stub.wait_idle()
    await assert_usable(stub, client)


async def test_close_under_an_in_flight_request(stub: StubServer) -> None:
    """Closing the client ends its in-flight requests promptly, without leaking anything."""
    stub.default = stub.hang
    client = AsyncVideoClient(SECRET_KEY, base_url=stub.base_url, max_retries=0)
    task = asyncio.create_task(client.rooms.retrieve("r1"))
    async with asyncio.timeout(GUARD):
        await stub.arrived.wait()
    await client.close()
    async with asyncio.timeout(GUARD):
        with pytest.raises(APIConnectionError):
            await task
        await stub.wait_idle()
    assert client.closed


async def test_close_under_a_request_with_retries_left(stub: StubServer) -> None:
    stub.default = stub.hang
    client = AsyncVideoClient(
        SECRET_KEY, base_url=stub.base_url, max_retries=2, retry_policy=FAST_RETRIES
    )
    task = asyncio.create_task(client.rooms.retrieve("r1"))
    async with asyncio.timeout(GUARD):
        await stub.arrived.wait()
    await client.close()
    async with asyncio.timeout(GUARD):
        with pytest.raises(APIConnectionError):
            await task
