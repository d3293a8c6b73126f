"""examples/token_service.py, served in-process, against the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import Emulator

from .conftest import load_example

token_service = load_example("token_service")


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(api_key="example-key") as emu:
        yield emu


@pytest.fixture
async def video(emulator: Emulator) -> AsyncIterator[AsyncVideoClient]:
    async with AsyncVideoClient(emulator.api_key, base_url=emulator.base_url) as client:
        yield client


@pytest.fixture
async def service(video: AsyncVideoClient) -> AsyncIterator[TestClient]:
    app = token_service.create_app(video)
    async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as http:
        yield http


async def test_issues_tokens_and_creates_the_room_once(
    service: TestClient, video: AsyncVideoClient, emulator: Emulator
) -> None:
    first = await service.post("/rooms/standup/token")
    assert first.status == 200
    body = await first.json()
    assert set(body) == {
        "room_id",
        "token",
        "token_expires_at",
        "refresh_token",
        "refresh_token_expires_at",
    }
    second = await (await service.post("/rooms/standup/token")).json()
    assert second["room_id"] == body["room_id"]
    assert second["token"] != body["token"]

    rooms = [room async for room in video.rooms.list()]
    assert [(r.id, r.unique_name) for r in rooms] == [(body["room_id"], "standup")]

    # The tokens really open the room.
    alice = await emulator.join(body["room_id"], body["token"], context="Alice")
    bob = await emulator.join(body["room_id"], second["token"], context="Bob")
    assert alice.session_id == bob.session_id


async def test_concurrent_requests_share_one_room(
    service: TestClient, video: AsyncVideoClient
) -> None:
    responses = await asyncio.gather(*(service.post("/rooms/crowd/token") for _ in range(6)))
    assert {r.status for r in responses} == {200}
    room_ids = {(await r.json())["room_id"] for r in responses}
    assert len(room_ids) == 1
    assert len([room async for room in video.rooms.list(unique_name="crowd")]) == 1


async def test_rejects_bad_names(service: TestClient, video: AsyncVideoClient) -> None:
    response = await service.post("/rooms/no%20spaces/token")
    assert response.status == 400
    assert [room async for room in video.rooms.list()] == []


async def test_api_failure_is_a_502(emulator: Emulator) -> None:
    async with AsyncVideoClient(
        emulator.api_key, base_url=emulator.base_url, max_retries=0
    ) as client:
        emulator.configure_faults(error_rate=1.0)
        app = token_service.create_app(client)
        async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as http:
            response = await http.post("/rooms/standup/token")
            assert response.status == 502
            assert emulator.api_key not in await response.text()


async def test_configured_from_the_environment(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELNYX_API_KEY", emulator.api_key)
    monkeypatch.setenv("TELNYX_BASE_URL", emulator.base_url)
    app = token_service.create_app()
    async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as http:
        response = await http.post("/rooms/from-env/token")
        assert response.status == 200
        client = app[token_service.CLIENT]
    assert client.closed  # the service closed the client it made
