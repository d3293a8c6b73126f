"""Fault injection: phases, 429 bursts, dropped connections, seeds, scoping, counters."""

from __future__ import annotations

import aiohttp
import pytest

from telnyx_video import AsyncVideoClient, InternalServerError, RateLimitError
from telnyx_video.emulator import Emulator, FaultConfig

from .support import API_KEY


async def _count_rooms(http: aiohttp.ClientSession, emu: Emulator) -> int:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with http.get(emu.base_url + "/rooms", headers=headers) as resp:
        return int((await resp.json())["meta"]["total_results"])


async def test_error_before_changes_nothing(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    emu.configure_faults(error_rate=1.0, methods=["POST"], phase="before", seed=1)
    with pytest.raises(InternalServerError):
        await client.rooms.create()
    assert await _count_rooms(http, emu) == 0
    assert emu.fault_stats.faults_injected == 1
    assert emu.fault_stats.by_kind == {"error": 1}


async def test_error_after_changes_state_but_loses_the_response(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    emu.configure_faults(error_rate=1.0, error_statuses=[503], methods=["POST"], phase="after")
    with pytest.raises(InternalServerError) as info:
        await client.rooms.create()
    assert info.value.status == 503
    assert await _count_rooms(http, emu) == 1


async def test_create_with_name_survives_lost_response(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    emu.configure_faults(drop_rate=1.0, methods=["POST"], phase="after", max_faults=1)
    async with AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client:
        room = await client.rooms.create(unique_name="once")
    assert room.unique_name == "once"
    assert await _count_rooms(http, emu) == 1
    assert emu.fault_stats.by_kind == {"drop": 1}


async def test_dropped_connection(emu: Emulator, http: aiohttp.ClientSession) -> None:
    emu.configure_faults(drop_rate=1.0)
    headers = {"Authorization": f"Bearer {API_KEY}"}
    with pytest.raises(aiohttp.ServerDisconnectedError):
        async with http.post(emu.base_url + "/rooms", json={}, headers=headers):
            pass
    emu.configure_faults()
    assert await _count_rooms(http, emu) == 0


async def test_rate_limit_bursts(emu: Emulator, http: aiohttp.ClientSession) -> None:
    emu.configure_faults(rate_limit_rate=1.0, rate_limit_burst=3, retry_after=2, max_faults=3)
    headers = {"Authorization": f"Bearer {API_KEY}"}
    statuses = []
    for _ in range(4):
        async with http.get(emu.base_url + "/rooms", headers=headers) as resp:
            statuses.append(resp.status)
            if resp.status == 429:
                assert resp.headers["Retry-After"] == "2"
                assert (await resp.json())["errors"][0]["code"] == "10011"
    assert statuses == [429, 429, 429, 200]


async def test_client_sees_rate_limit(emu: Emulator, client: AsyncVideoClient) -> None:
    emu.configure_faults(rate_limit_rate=1.0, retry_after=7)
    with pytest.raises(RateLimitError) as info:
        await client.rooms.list()
    assert info.value.retry_after == 7


async def test_seeded_runs_repeat(emu: Emulator, http: aiohttp.ClientSession) -> None:
    headers = {"Authorization": f"Bearer {API_KEY}"}

    async def run() -> list[int]:
        emu.configure_faults(FaultConfig(error_rate=0.5, seed=42))
        statuses = []
        for _ in range(20):
            async with http.get(emu.base_url + "/rooms", headers=headers) as resp:
                statuses.append(resp.status)
        return statuses

    first = await run()
    assert first == await run()
    assert 200 in first
    assert any(s >= 500 for s in first)


async def test_paths_scope_and_control_routes_exempt(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    emu.configure_faults(error_rate=1.0, paths=["/v2/room_sessions*"])
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with http.get(emu.base_url + "/rooms", headers=headers) as resp:
        assert resp.status == 200
    async with http.get(emu.base_url + "/room_sessions", headers=headers) as resp:
        assert resp.status >= 500
    emu.configure_faults(error_rate=1.0, latency_ms=1)
    async with http.get(emu.root_url + "/_emulator/webhooks") as resp:
        assert resp.status == 200
    assert emu.fault_stats.requests_seen == 2


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultConfig(error_rate=2)
    with pytest.raises(ValueError, match="5xx"):
        FaultConfig(error_statuses=[404])
    with pytest.raises(ValueError, match="unknown fault settings"):
        FaultConfig.from_json({"errors": 1})
    assert FaultConfig(methods=["post"]).methods == frozenset({"POST"})


@pytest.mark.parametrize("phase", ["later", ["after"], 1, None])
async def test_a_bad_fault_phase_gets_a_clean_message(
    emu: Emulator, http: aiohttp.ClientSession, phase: object
) -> None:
    async with http.post(emu.root_url + "/_emulator/faults", json={"phase": phase}) as resp:
        assert resp.status == 422
        (error,) = (await resp.json())["errors"]
    assert error["detail"] == f"phase must be 'before', 'after' or 'random', got {phase!r}"
