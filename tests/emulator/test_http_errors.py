"""HTTP-level behaviour: auth, unknown routes and ids, bad JSON, request ids, crashes."""

from __future__ import annotations

import uuid

import aiohttp
import pytest
from aiohttp import web

from telnyx_video import (
    AsyncVideoClient,
    AuthenticationError,
    NotFoundError,
    UnprocessableEntityError,
)
from telnyx_video.emulator import Emulator

from .support import API_KEY


async def test_missing_and_wrong_key_get_401(emu: Emulator, http: aiohttp.ClientSession) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": API_KEY}):
        async with http.get(emu.base_url + "/rooms", headers=headers) as resp:
            assert resp.status == 401
            body = await resp.json()
            assert body["errors"][0]["code"] == "10009"
            assert API_KEY not in await resp.text()
            uuid.UUID(resp.headers["x-request-id"])


async def test_client_with_wrong_key_raises(emu: Emulator) -> None:
    async with AsyncVideoClient(api_key="wrong", base_url=emu.base_url, max_retries=0) as c:
        with pytest.raises(AuthenticationError):
            await c.rooms.list()


async def test_unknown_route_and_method(
    emu: Emulator, http: aiohttp.ClientSession, auth: dict[str, str]
) -> None:
    async with http.get(emu.base_url + "/nothing_here", headers=auth) as resp:
        assert resp.status == 404
        (error,) = (await resp.json())["errors"]
        assert (error["code"], error["title"]) == ("10005", "Resource not found")
        assert error["detail"] == "No such route in the Video API."
    async with http.put(emu.base_url + "/rooms", headers=auth) as resp:
        assert resp.status == 405
        assert (await resp.json())["errors"][0]["code"] == "10015"
        assert "GET" in resp.headers["Allow"]


@pytest.mark.parametrize("room_id", [str(uuid.uuid4()), "not-a-uuid", "%2E%2E", "a%7Bb%7D"])
async def test_unknown_or_malformed_ids_are_404(
    emu: Emulator, http: aiohttp.ClientSession, auth: dict[str, str], room_id: str
) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        async with http.request(
            method, f"{emu.base_url}/rooms/{room_id}", json={}, headers=auth
        ) as resp:
            assert resp.status == 404
            body = await resp.json()
            assert body["errors"][0]["code"] == "10005"
            assert body["code"] == "10005"  # also the contract's bare error object


async def test_every_kind_of_id_404s(emu: Emulator, client: AsyncVideoClient) -> None:
    missing = str(uuid.uuid4())
    calls = [
        client.room_sessions.retrieve(missing),
        client.room_participants.retrieve(missing),
        client.room_recordings.retrieve(missing),
        client.room_compositions.retrieve(missing),
        client.room_recordings.delete(missing),
        client.room_compositions.delete(missing),
        client.room_sessions.end(missing),
    ]
    for call in calls:
        with pytest.raises(NotFoundError):
            await call


async def test_malformed_json_and_content_type(
    emu: Emulator, http: aiohttp.ClientSession, auth: dict[str, str]
) -> None:
    json_headers = {**auth, "Content-Type": "application/json"}
    async with http.post(emu.base_url + "/rooms", data=b"{nope", headers=json_headers) as resp:
        assert resp.status == 400
        assert (await resp.json())["errors"][0]["code"] == "10023"
    text_headers = {**auth, "Content-Type": "text/plain"}
    async with http.post(emu.base_url + "/rooms", data=b"{}", headers=text_headers) as resp:
        assert resp.status == 415
        assert (await resp.json())["errors"][0]["code"] == "10014"
    async with http.get(emu.base_url + "/rooms", headers=auth) as resp:
        assert (await resp.json())["meta"]["total_results"] == 0  # nothing was created


async def test_unique_name_conflicts(emu: Emulator, client: AsyncVideoClient) -> None:
    first = await client.rooms.create(unique_name="standup")
    with pytest.raises(UnprocessableEntityError) as info:
        await client.rooms.create(unique_name="standup")
    assert info.value.code == "10012"
    assert info.value.errors[0].pointer == "/unique_name"
    other = await client.rooms.create(unique_name="retro")
    with pytest.raises(UnprocessableEntityError) as info:
        await client.rooms.update(other.id, unique_name="standup")
    assert info.value.code == "10012"
    assert (await client.rooms.retrieve(other.id)).unique_name == "retro"
    # Renaming frees the old name; deleting frees the new one.
    await client.rooms.update(first.id, unique_name="daily")
    assert (await client.rooms.create(unique_name="standup")).unique_name == "standup"
    await client.rooms.delete(first.id)
    assert (await client.rooms.create(unique_name="daily")).unique_name == "daily"
    page = await client.rooms.list()
    assert sorted(r.unique_name or "" for r in page.items) == ["daily", "retro", "standup"]


async def test_unexpected_exception_becomes_500(caplog: pytest.LogCaptureFixture) -> None:
    emulator = Emulator(api_key=API_KEY)

    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError("kaboom")

    emulator.app.router.add_get("/v2/_boom", boom)
    async with emulator, aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bearer {API_KEY}"}
        async with http.get(emulator.base_url + "/_boom", headers=headers) as resp:
            assert resp.status == 500
            assert (await resp.json())["errors"][0]["code"] == "10007"
            assert "x-request-id" in resp.headers
        async with http.get(emulator.base_url + "/rooms", headers=headers) as resp:
            assert resp.status == 200  # still serving
    assert any("kaboom" in (r.exc_text or "") for r in caplog.records)


async def test_repr_hides_key(emu: Emulator) -> None:
    assert API_KEY not in repr(emu)
    assert emu.base_url.startswith("http://127.0.0.1:")
    assert emu.base_url.endswith("/v2")
