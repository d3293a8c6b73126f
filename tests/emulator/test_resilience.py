"""Hostile input and faults: nothing crashes, hangs or wedges the emulator.

Receivers that never answer or never stop answering, requests stuck in injected latency at
shutdown, JSON built to break parsers or encoders, nonsense fault settings and clock moves.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from _receiver import Receiver
from aiohttp import web

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import Clock, Emulator, EmulatorError, FaultConfig
from telnyx_video.emulator._http import MAX_JSON_DEPTH
from telnyx_video.models import MAX_PAGE_SIZE

from .support import API_KEY, START

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
AUTH = {"Authorization": f"Bearer {API_KEY}"}
JSON = {"Content-Type": "application/json"}


async def _room_with_participant(
    emu: Emulator, client: AsyncVideoClient, url: str, **settings: object
) -> str:
    room = await client.rooms.create(webhook_event_url=url, **settings)  # type: ignore[arg-type]
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)
    return room.id


def _webhook_workers() -> list[asyncio.Task[object]]:
    return [
        t
        for t in asyncio.all_tasks()
        if t.get_name().startswith("telnyx-emulator-webhooks-") and not t.done()
    ]


# -- webhook receivers that misbehave ------------------------------------------------------


async def test_hanging_receiver_delays_only_its_room_and_close_does_not_wait(
    receiver: Receiver,
) -> None:
    receiver.hang.add("/stuck")
    emu = Emulator(api_key=API_KEY, clock=Clock(START))
    async with emu, AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client:
        await _room_with_participant(emu, client, receiver.url("/stuck"), webhook_timeout_secs=30)
        await receiver.wait(1)  # its first delivery is in flight and will not be answered
        await _room_with_participant(emu, client, receiver.url("/ok"))
        delivered = await emu.wait_for_webhooks(2)
        assert {d.url for d in delivered} == {receiver.url("/ok")}
        assert [d for d in emu.webhook_deliveries if d.url.endswith("/stuck")] == []
        # Closing cancels the stuck attempt instead of waiting out its 30 s.
        await asyncio.wait_for(emu.close(), 10)
    assert _webhook_workers() == []
    assert [path for path, _, _ in receiver.received].count("/stuck") == 1


async def test_many_hanging_receivers_do_not_starve_other_rooms(receiver: Receiver) -> None:
    receiver.hang.add("/stuck")
    rooms = 120  # more than a default connection pool holds
    emu = Emulator(api_key=API_KEY, clock=Clock(START))
    async with emu, AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client:
        await asyncio.gather(
            *(
                _room_with_participant(emu, client, receiver.url("/stuck"), webhook_timeout_secs=30)
                for _ in range(rooms)
            )
        )
        await receiver.wait(rooms, timeout=20)  # every room has its own attempt in flight
        await _room_with_participant(emu, client, receiver.url("/ok"))
        delivered = await emu.wait_for_webhooks(2, timeout=10)
        assert {d.url for d in delivered} == {receiver.url("/ok")}
        await asyncio.wait_for(emu.close(), 10)


@pytest.fixture
async def endless() -> AsyncIterator[str]:
    """A receiver that answers 200 and then streams its body forever."""
    streaming = asyncio.Event()

    async def handle(request: web.Request) -> web.StreamResponse:
        await request.read()
        response = web.StreamResponse(status=200)
        await response.prepare(request)
        chunk = b"x" * 65536
        try:
            while True:
                await response.write(chunk)
                streaming.set()
        except (ConnectionError, aiohttp.ClientConnectionResetError):
            pass  # the emulator stopped reading
        return response

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/hooks"
    finally:
        await runner.cleanup()


async def test_endless_answer_is_cut_short_and_counts_as_delivered(
    emu: Emulator, client: AsyncVideoClient, endless: str
) -> None:
    await _room_with_participant(emu, client, endless, webhook_timeout_secs=30)
    first, second = await emu.wait_for_webhooks(2, timeout=10)
    assert (first.outcome, first.status) == ("delivered", 200)
    assert (second.event_type, second.outcome) == ("video.room.participant.joined", "delivered")


async def test_workers_end_when_their_queue_runs_dry(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    for _ in range(3):
        await _room_with_participant(emu, client, receiver.url())
    await emu.wait_for_webhooks(6)
    await asyncio.wait_for(asyncio.gather(*_webhook_workers()), 5)
    assert _webhook_workers() == []
    # A room that speaks again gets a new worker.
    await _room_with_participant(emu, client, receiver.url())
    await emu.wait_for_webhooks(8)


async def test_reset_with_deliveries_in_flight(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    receiver.hang.add("/stuck")
    await _room_with_participant(emu, client, receiver.url("/stuck"), webhook_timeout_secs=30)
    await receiver.wait(1)
    await asyncio.wait_for(emu.reset(), 10)
    assert emu.webhook_deliveries == []
    assert _webhook_workers() == []
    await _room_with_participant(emu, client, receiver.url("/ok"))
    assert {d.url for d in await emu.wait_for_webhooks(2)} == {receiver.url("/ok")}


async def test_wait_timeout_message_stays_short(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    for _ in range(15):
        await _room_with_participant(emu, client, receiver.url())
    await emu.wait_for_webhooks(30)
    with pytest.raises(TimeoutError) as info:
        await emu.wait_for_webhooks(31, timeout=0.05)
    assert "got 30" in str(info.value)
    assert "(and 10 earlier)" in str(info.value)


# -- shutdown with requests in flight ------------------------------------------------------


async def test_close_does_not_wait_for_requests_stuck_in_latency() -> None:
    arrived = asyncio.Event()

    @web.middleware
    async def note_arrival(request: web.Request, handler: Handler) -> web.StreamResponse:
        arrived.set()
        return await handler(request)

    emu = Emulator(api_key=API_KEY, clock=Clock(START))
    emu.app.middlewares.insert(0, note_arrival)
    async with aiohttp.ClientSession() as http:
        async with emu:
            emu.configure_faults(latency_ms=300_000)

            async def stuck() -> int:
                async with http.get(emu.base_url + "/rooms", headers=AUTH) as resp:
                    return resp.status

            request = asyncio.create_task(stuck())
            await asyncio.wait_for(arrived.wait(), 10)
            await asyncio.wait_for(emu.close(), 10)
        with pytest.raises(aiohttp.ClientError):
            await asyncio.wait_for(request, 10)


# -- hostile JSON --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"unique_name": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001,
        b'{"unique_name": "\\ud800"}',  # a lone surrogate: no response could encode it
        b'{"unique_name": "ok", "x": "\\udfff\\ud800"}',
    ],
    ids=["deep-array", "deep-object", "lone-surrogate", "reversed-pair"],
)
async def test_hostile_json_is_a_400_and_changes_nothing(
    emu: Emulator, http: aiohttp.ClientSession, raw: bytes
) -> None:
    async with http.post(emu.base_url + "/rooms", data=raw, headers=AUTH | JSON) as resp:
        assert resp.status == 400
        assert (await resp.json())["errors"][0]["code"] == "10023"
    async with http.post(emu.root_url + "/_emulator/clock/advance", data=raw, headers=JSON) as resp:
        assert resp.status == 400
    async with http.get(emu.base_url + "/rooms", headers=AUTH) as resp:
        assert resp.status == 200
        assert (await resp.json())["data"] == []


async def test_surrogate_pairs_and_unicode_are_fine(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    raw = b'{"unique_name": "\\ud83d\\ude00 \xc3\xa9t\xc3\xa9 \\u0000"}'
    async with http.post(emu.base_url + "/rooms", data=raw, headers=AUTH | JSON) as resp:
        assert resp.status == 201
        assert (await resp.json())["data"]["unique_name"] == "\U0001f600 été \x00"
    async with http.get(emu.base_url + "/rooms", headers=AUTH) as resp:
        assert resp.status == 200


async def test_control_join_with_a_lone_surrogate_context(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    room = await client.rooms.create()
    tokens = await client.rooms.generate_join_client_token(room.id)
    raw = json.dumps({"token": tokens.token, "context": "\ud800"}).encode()
    url = f"{emu.root_url}/_emulator/rooms/{room.id}/join"
    async with http.post(url, data=raw, headers=JSON) as resp:
        assert resp.status == 400
    assert (await client.room_participants.list()).items == ()
    with pytest.raises(EmulatorError) as info:
        await emu.join(room.id, tokens.token, context="\ud800")
    assert info.value.status == 422
    assert (await client.room_participants.list()).items == ()


# -- nonsense settings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {"methods": [1]},
        {"methods": 5},
        {"methods": {"GET": 1}},
        {"paths": [1], "error_rate": 1},
        {"seed": [1]},
        {"seed": True},
        {"latency_ms": 1e300},
        {"latency_ms": -1},
        {"latency_ms": "5"},
        {"error_rate": "0.5"},
        {"error_rate": True},
        {"error_statuses": "500"},
        {"error_statuses": [True]},
        {"error_statuses": 500},
        {"retry_after": 1e12},
        {"rate_limit_burst": 1.5},
        {"max_faults": -1},
        {"max_faults": "3"},
        {"phase": "later"},
    ],
)
async def test_nonsense_fault_settings_are_refused(
    emu: Emulator, http: aiohttp.ClientSession, settings: dict[str, object]
) -> None:
    before = emu.configure_faults(error_rate=0.5, seed=1)
    url = emu.root_url + "/_emulator/faults"
    async with http.post(url, json=settings) as resp:
        assert resp.status == 422
        assert (await resp.json())["errors"][0]["code"] == "10015"
    async with http.get(url) as resp:
        assert (await resp.json())["data"]["config"] == before.to_json()
    with pytest.raises((TypeError, ValueError)):
        FaultConfig(**settings)  # type: ignore[arg-type]
    async with http.get(emu.base_url + "/room_sessions", headers=AUTH) as resp:
        assert resp.status in (200, 500, 503)  # faults as configured, nothing worse


@pytest.mark.parametrize("field", ["latency_ms", "retry_after", "error_rate", "drop_rate"])
def test_fault_numbers_must_be_finite(field: str) -> None:
    for value in (math.nan, math.inf):
        with pytest.raises(ValueError, match="finite"):
            FaultConfig(**{field: value})  # type: ignore[arg-type]


def test_fault_settings_accept_json_shapes() -> None:
    config = FaultConfig.from_json(
        {"methods": "post", "paths": ["/v2/rooms*"], "error_statuses": [502], "seed": "s"}
    )
    assert config.methods == frozenset({"POST"})
    assert config.paths == ("/v2/rooms*",)
    assert FaultConfig(latency_ms=300_000, retry_after=86_400).to_json()["latency_ms"] == 300_000


async def test_clock_refuses_nonsense_moves(emu: Emulator) -> None:
    for bad in (math.nan, math.inf, -1.0):
        with pytest.raises(ValueError):
            await emu.advance(bad)
    with pytest.raises(TypeError):
        await emu.advance("5")  # type: ignore[arg-type]
    assert emu.now() == START


async def test_clock_stops_short_of_the_end_of_the_calendar(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    url = emu.root_url + "/_emulator/clock/advance"
    statuses = []
    for _ in range(300):  # 300 * ~31.7 years would run past year 9999
        async with http.post(url, json={"seconds": 999_999_999}) as resp:
            statuses.append(resp.status)
            if resp.status != 200:
                body = await resp.json()
                assert body["errors"][0]["source"] == {"pointer": "/seconds"}
                break
    assert statuses[-1] == 422
    assert emu.now().year < 9900
    # Everything keeps working at the end of time, tokens included.
    room = await client.rooms.create()
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)
    assert len((await client.room_sessions.list()).items) == 1


@pytest.mark.parametrize(
    "settings",
    [
        {"recording_processing_secs": -1},
        {"composition_queue_secs": math.nan},
        {"composition_processing_secs": math.inf},
        {"recording_processing_secs": "5"},
        {"composition_queue_secs": True},
        {"composition_processing_secs": 10**12},
    ],
)
def test_processing_delays_are_checked(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="secs"):
        Emulator(**settings)  # type: ignore[arg-type]


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [65, 500, 900, 990])
async def test_bodies_nested_too_deep_are_a_400(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession, depth: int
) -> None:
    raw = '{"unique_name": ' + _nested(depth - 1) + "}"  # the outer object is one level
    headers = {**AUTH, "Content-Type": "application/json"}
    async with http.post(emu.base_url + "/rooms", data=raw, headers=headers) as resp:
        assert resp.status == 400, await resp.text()
        (error,) = (await resp.json())["errors"]
    assert "nested" in error["detail"]
    assert [room async for room in client.rooms.list()] == []


async def test_bodies_nested_up_to_the_limit_are_validated(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    raw = '{"unique_name": ' + _nested(MAX_JSON_DEPTH - 1) + "}"
    headers = {**AUTH, "Content-Type": "application/json"}
    async with http.post(emu.base_url + "/rooms", data=raw, headers=headers) as resp:
        assert resp.status == 422, await resp.text()
        (error,) = (await resp.json())["errors"]
    assert error["detail"].startswith("unique_name must be a string, got [[[")
    assert error["source"] == {"pointer": "/unique_name"}


@pytest.mark.parametrize("raw", ["9" * 5000, "-" + "1" * 4301, "1" + "0" * 18])
async def test_huge_query_integers_are_a_422(
    emu: Emulator, http: aiohttp.ClientSession, raw: str
) -> None:
    async with http.get(emu.base_url + "/rooms", params={"page[size]": raw}, headers=AUTH) as resp:
        assert resp.status == 422, await resp.text()
        (error,) = (await resp.json())["errors"]
    assert error["source"] == {"parameter": "page[size]"}
    assert error["detail"].startswith(f"page[size] must be between 1 and {MAX_PAGE_SIZE}, got ")
    assert len(error["detail"]) < 120
