"""The control API under /_emulator/, over plain HTTP (usable from any language)."""

from __future__ import annotations

from typing import Any

import aiohttp

from telnyx_video.emulator import Emulator

from .support import API_KEY


async def _call(
    http: aiohttp.ClientSession, method: str, url: str, body: Any = None, auth: bool = False
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {API_KEY}"} if auth else {}
    async with http.request(method, url, json=body, headers=headers) as resp:
        return resp.status, (await resp.json() if resp.status != 204 else None)


async def test_control_api_round_trip(emu: Emulator, http: aiohttp.ClientSession) -> None:
    api, control = emu.base_url, emu.root_url + "/_emulator"
    status, room = await _call(http, "POST", api + "/rooms", {"unique_name": "r"}, auth=True)
    assert status == 201
    room_id = room["data"]["id"]
    _, tokens = await _call(
        http, "POST", f"{api}/rooms/{room_id}/actions/generate_join_client_token", {}, auth=True
    )
    token = tokens["data"]["token"]
    status, joined = await _call(
        http, "POST", f"{control}/rooms/{room_id}/join", {"token": token, "context": "Ann"}
    )
    assert status == 201
    participant = joined["data"]
    assert participant["context"] == "Ann"
    status, bad = await _call(http, "POST", f"{control}/rooms/{room_id}/join", {"token": "x"})
    assert status == 403
    assert bad["errors"][0]["code"] == "10010"
    status, _ = await _call(http, "POST", f"{control}/rooms/{room_id}/join", {})
    assert status == 422
    status, advanced = await _call(http, "POST", f"{control}/clock/advance", {"seconds": 90})
    assert status == 200
    assert advanced["data"]["now"] == "2026-03-02T12:01:30Z"
    status, _ = await _call(http, "POST", f"{control}/clock/advance", {"seconds": -1})
    assert status == 422
    status, left = await _call(http, "POST", f"{control}/participants/{participant['id']}/leave")
    assert status == 200
    assert left["data"]["left_at"] == "2026-03-02T12:01:30Z"
    status, _ = await _call(http, "POST", f"{control}/participants/{participant['id']}/leave")
    assert status == 422
    status, faults = await _call(http, "POST", f"{control}/faults", {"error_rate": 0.25})
    assert status == 200
    assert faults["data"]["config"]["error_rate"] == 0.25
    status, _ = await _call(http, "POST", f"{control}/faults", {"nope": 1})
    assert status == 422
    status, _ = await _call(http, "GET", f"{control}/faults")
    assert status == 200
    status, _ = await _call(http, "POST", f"{control}/reset")
    assert status == 200
    status, rooms = await _call(http, "GET", api + "/rooms", auth=True)
    assert rooms["meta"]["total_results"] == 0
    status, faults = await _call(http, "GET", f"{control}/faults")
    assert faults["data"]["config"]["error_rate"] == 0.0


async def test_control_needs_no_auth_but_validates_json(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    url = emu.root_url + "/_emulator/clock/advance"
    async with http.post(url, data=b"{", headers={"Content-Type": "application/json"}) as resp:
        assert resp.status == 400
    async with http.get(emu.root_url + "/_emulator/clock") as resp:
        assert (await resp.json())["data"]["now"] == "2026-03-02T12:00:00Z"
    async with http.get(emu.root_url + "/_emulator/media/recordings/nope") as resp:
        assert resp.status == 404
