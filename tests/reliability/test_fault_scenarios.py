"""Targeted fault scenarios: each retry rule of docs/reliability.md, shown once.

The emulator's faults are seeded and limited (``max_faults``, ``methods``, ``paths``), so
each scenario is deterministic.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from _stub import StubServer
from aiohttp import web

from telnyx_video import (
    APIConnectionError,
    AsyncVideoClient,
    ErrorCode,
    InternalServerError,
    RateLimitError,
    RetryPolicy,
    Room,
    UnprocessableEntityError,
)
from telnyx_video.emulator import Clock, Emulator, FaultConfig

from .conftest import FAST_RETRIES, SECRET_KEY

KEY = "scenario-key"


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(api_key=KEY) as emu:
        yield emu


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[AsyncVideoClient]:
    async with AsyncVideoClient(
        KEY, base_url=emulator.base_url, retry_policy=FAST_RETRIES, max_retries=3
    ) as client:
        yield client


async def rooms_named(client: AsyncVideoClient, name: str) -> list[Room]:
    return [r async for r in client.rooms.list(unique_name=name)]


@pytest.mark.parametrize("kind", ["error", "drop"])
async def test_create_after_a_lost_response_returns_the_one_room(
    emulator: Emulator, client: AsyncVideoClient, kind: str
) -> None:
    """The room was created but the answer was lost: the client finds it, never duplicates."""
    rates: dict[str, Any] = {"error_rate": 1.0} if kind == "error" else {"drop_rate": 1.0}
    emulator.configure_faults(
        phase="after", methods=["POST"], paths=["/v2/rooms"], max_faults=1, **rates
    )
    room = await client.rooms.create(unique_name="standup", max_participants=4)
    assert emulator.fault_stats.faults_injected == 1
    assert [r.id for r in await rooms_named(client, "standup")] == [room.id]
    assert room.max_participants == 4


async def test_create_before_the_handler_is_retried_once_room(
    emulator: Emulator, client: AsyncVideoClient
) -> None:
    emulator.configure_faults(
        FaultConfig(
            phase="before", error_rate=1.0, methods=["POST"], paths=["/v2/rooms"], max_faults=2
        )
    )
    room = await client.rooms.create(unique_name="retro")
    assert emulator.fault_stats.faults_injected == 2
    assert [r.id for r in await rooms_named(client, "retro")] == [room.id]


async def test_create_never_adopts_a_room_that_was_there_before(
    emulator: Emulator, client: AsyncVideoClient
) -> None:
    """A room of that name, recording on, existed; our POST failed before the handler.

    The lookup finds that room, but we asked for recording off: it is not ours, and the
    call fails with the 422 the API gives for a taken name, leaving the room as it was.
    """
    theirs = await client.rooms.create(unique_name="taken", enable_recording=True)
    emulator.configure_faults(
        FaultConfig(
            phase="before", error_rate=1.0, methods=["POST"], paths=["/v2/rooms"], max_faults=1
        )
    )
    with pytest.raises(UnprocessableEntityError) as info:
        await client.rooms.create(unique_name="taken", enable_recording=False)
    assert info.value.code == ErrorCode.DUPLICATE_RESOURCE
    assert emulator.fault_stats.faults_injected == 1
    assert await rooms_named(client, "taken") == [theirs]


@pytest.mark.parametrize("start", [datetime(2001, 1, 1, tzinfo=UTC), None])
async def test_create_adopts_its_room_whatever_the_servers_clock_says(
    start: datetime | None,
) -> None:
    """The server's clock stands still decades ago, or runs a year ahead of ours.

    No clock is compared: the room found after the lost answer is ours by its fields.
    """
    async with Emulator(api_key=KEY, clock=Clock(start)) as emulator:
        if start is None:
            await emulator.advance(365 * 24 * 3600)
        emulator.configure_faults(
            phase="after", methods=["POST"], paths=["/v2/rooms"], max_faults=1, error_rate=1.0
        )
        async with AsyncVideoClient(
            KEY, base_url=emulator.base_url, retry_policy=FAST_RETRIES
        ) as client:
            room = await client.rooms.create(unique_name="skewed", max_participants=6)
            assert emulator.fault_stats.faults_injected == 1
            assert [r.id for r in await rooms_named(client, "skewed")] == [room.id]


async def test_update_after_the_handler_is_an_error_but_applied(
    emulator: Emulator, client: AsyncVideoClient
) -> None:
    """A PATCH is not retried on 5xx: the error is raised, and the change may have happened."""
    room = await client.rooms.create(unique_name="patchy", max_participants=4)
    emulator.configure_faults(
        FaultConfig(phase="after", error_rate=1.0, methods=["PATCH"], max_faults=1)
    )
    seen = emulator.fault_stats.requests_seen
    with pytest.raises(InternalServerError):
        await client.rooms.update(room.id, max_participants=9)
    assert emulator.fault_stats.requests_seen == seen + 1  # not retried
    assert (await client.rooms.retrieve(room.id)).max_participants == 9


async def test_post_with_a_dropped_connection_is_not_retried(
    emulator: Emulator, client: AsyncVideoClient
) -> None:
    room = await client.rooms.create(unique_name="tokens")
    emulator.configure_faults(FaultConfig(drop_rate=1.0, methods=["POST"], max_faults=1))
    seen = emulator.fault_stats.requests_seen
    with pytest.raises(APIConnectionError) as info:
        await client.rooms.generate_join_client_token(room.id)
    assert info.value.maybe_sent
    assert emulator.fault_stats.requests_seen == seen + 1
    assert (await client.rooms.generate_join_client_token(room.id)).token


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_safe_methods_are_retried_through_5xx_and_drops(
    emulator: Emulator, client: AsyncVideoClient, method: str
) -> None:
    room = await client.rooms.create(unique_name="safe")
    emulator.configure_faults(
        FaultConfig(error_rate=0.5, drop_rate=0.5, methods=[method], max_faults=3, seed=3)
    )
    if method == "GET":
        assert (await client.rooms.retrieve(room.id)).id == room.id
    else:
        await client.rooms.delete(room.id)
        assert await rooms_named(client, "safe") == []
    assert emulator.fault_stats.faults_injected == 3


async def test_rate_limit_burst_is_waited_out(emulator: Emulator, client: AsyncVideoClient) -> None:
    """429s come before the handler: even a POST is retried, after Retry-After."""
    room = await client.rooms.create(unique_name="burst")
    emulator.configure_faults(
        FaultConfig(rate_limit_rate=1.0, rate_limit_burst=3, retry_after=0, max_faults=3)
    )
    token = await client.rooms.generate_join_client_token(room.id)
    assert token.token
    assert emulator.fault_stats.by_kind == {"rate_limit": 3}


async def test_a_retry_after_beyond_the_cap_is_raised(emulator: Emulator) -> None:
    emulator.configure_faults(FaultConfig(rate_limit_rate=1.0, retry_after=120, max_faults=1))
    policy = RetryPolicy(initial_backoff=0.001, max_backoff=0.001, max_retry_after=1.0)
    async with AsyncVideoClient(KEY, base_url=emulator.base_url, retry_policy=policy) as client:
        with pytest.raises(RateLimitError) as info:
            await client.rooms.list()
    assert info.value.retry_after == 120
    assert emulator.fault_stats.requests_seen == 1


async def test_retries_give_up_after_max_retries(emulator: Emulator) -> None:
    emulator.configure_faults(error_rate=1.0, error_statuses=[503])
    async with AsyncVideoClient(
        KEY, base_url=emulator.base_url, retry_policy=FAST_RETRIES, max_retries=2
    ) as client:
        with pytest.raises(InternalServerError) as info:
            await client.rooms.list()
        assert info.value.status == 503
        assert emulator.fault_stats.requests_seen == 3
        with pytest.raises(InternalServerError):
            await client.rooms.list(max_retries=0)
        assert emulator.fault_stats.requests_seen == 4


async def test_create_whose_lookup_fails_reports_the_ambiguity(stub: StubServer) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        if request.method == "POST":  # the room is created, but the answer is a 500
            return web.json_response({"errors": [{"title": "oops"}]}, status=500)
        return web.json_response(  # the lookup by name is rate limited for an hour
            {"errors": [{"title": "slow down"}]}, status=429, headers={"Retry-After": "3600"}
        )

    stub.default = handler
    async with AsyncVideoClient(
        SECRET_KEY, base_url=stub.base_url, retry_policy=FAST_RETRIES
    ) as client:
        with pytest.raises(InternalServerError):
            await client.rooms.create(unique_name="n")
