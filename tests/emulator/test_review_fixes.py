"""Regressions of review findings: races with slow bodies, webhooks of deleted rooms,
hostile tokens and JSON, clock resets, control API hardening and the bounded delivery log."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import aiohttp
import pytest

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import Clock, Emulator, EmulatorError
from telnyx_video.emulator._http import MAX_JSON_DEPTH
from telnyx_video.emulator._settings import DEFAULT_WEBHOOK_LOG_SIZE, Settings
from telnyx_video.emulator._validation import ValidationFailed, check
from telnyx_video.errors import APIStatusError

from .support import API_KEY, START, Receiver

# -- a request whose body arrives late ----------------------------------------------------


class _SlowRequest:
    """A raw HTTP/1.1 request whose JSON body arrives in two halves.

    :meth:`begin` sends the headers and the first half once the server has started handling
    the request; :meth:`finish` sends the rest and reads the answer. ``Expect:
    100-continue`` is the synchronisation: aiohttp answers ``100 Continue`` right before its
    handler chain runs, and the handler then runs on the same event loop until its first real
    wait, so by the time the test has read that line the handler is parked on the body.
    """

    def __init__(self, emu: Emulator, method: str, path: str, body: dict[str, object]) -> None:
        self._url = urlsplit(emu.base_url)
        self._head = (
            f"{method} {self._url.path}{path} HTTP/1.1\r\nHost: {self._url.netloc}\r\n"
            f"Authorization: Bearer {API_KEY}\r\nContent-Type: application/json\r\n"
        )
        self._raw = json.dumps(body).encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def begin(self) -> None:
        reader, writer = self._reader, self._writer = await asyncio.open_connection(
            self._url.hostname, self._url.port
        )
        writer.write(
            f"{self._head}Content-Length: {len(self._raw)}\r\nExpect: 100-continue\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        await writer.drain()
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 100")
        writer.write(self._raw[: len(self._raw) // 2])
        await writer.drain()

    async def finish(self) -> tuple[int, dict[str, object]]:
        assert self._reader is not None
        assert self._writer is not None
        self._writer.write(self._raw[len(self._raw) // 2 :])
        await self._writer.drain()
        status_line = await self._reader.readuntil(b"\r\n")
        head = await self._reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        body = await self._reader.readexactly(length)
        return int(status_line.split()[1]), json.loads(body) if body else {}

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()


@asynccontextmanager
async def _slow_request(
    emu: Emulator, method: str, path: str, body: dict[str, object]
) -> AsyncIterator[_SlowRequest]:
    request = _SlowRequest(emu, method, path, body)
    try:
        await request.begin()
        yield request
    finally:
        await request.close()


async def test_patch_racing_a_delete_answers_404_and_frees_the_name(
    emu: Emulator, client: AsyncVideoClient
) -> None:
    room = await client.rooms.create(unique_name="old-name")
    async with _slow_request(emu, "PATCH", f"/rooms/{room.id}", {"unique_name": "new-name"}) as r:
        await client.rooms.delete(room.id)
        status, body = await r.finish()
    assert status == 404, body
    # Neither name stays reserved by the deleted room.
    assert (await client.rooms.create(unique_name="new-name")).unique_name == "new-name"
    assert (await client.rooms.create(unique_name="old-name")).unique_name == "old-name"


async def test_kick_racing_a_reset_answers_404(emu: Emulator, client: AsyncVideoClient) -> None:
    room = await client.rooms.create()
    tokens = await client.rooms.generate_join_client_token(room.id)
    participant = await emu.join(room.id, tokens.token)
    path = f"/room_sessions/{participant.session_id}/actions/kick"
    async with _slow_request(emu, "POST", path, {"participants": "all"}) as r:
        await emu.reset()
        status, body = await r.finish()
    assert status == 404, body


# -- webhooks of rooms that are gone -------------------------------------------------------


async def test_recordings_of_a_deleted_room_still_report_completion(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    room = await client.rooms.create(
        enable_recording=True,
        webhook_event_url=receiver.url("/gone"),
        webhook_event_failover_url=receiver.url("/gone-failover"),
        webhook_timeout_secs=7,
    )
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)
    await client.rooms.delete(room.id)  # ends the session: participant.left, session.ended
    await emu.advance(60)  # the recordings complete after their room is gone
    deliveries = await emu.wait_for_webhooks(8)
    types = [d.event_type for d in deliveries]
    assert types[:4] == [
        "video.room.session.started",
        "video.room.participant.joined",
        "video.room.recording.started",
        "video.room.recording.started",
    ]
    assert sorted(types[4:]) == sorted(
        [
            "video.room.participant.left",
            "video.room.session.ended",
            "video.room.recording.completed",
            "video.room.recording.completed",
        ]
    )
    assert {d.url for d in deliveries} == {receiver.url("/gone")}


async def test_recording_completion_falls_back_to_the_captured_failover_url(
    receiver: Receiver,
) -> None:
    receiver.statuses["/primary"] = 500
    async with (
        Emulator(api_key=API_KEY, clock=Clock(START), webhook_retry_delays=(0, 0)) as emu,
        AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        await _fall_back_after_deletion(emu, client, receiver)


async def _fall_back_after_deletion(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    room = await client.rooms.create(
        enable_recording=True,
        webhook_event_url=receiver.url("/primary"),
        webhook_event_failover_url=receiver.url("/failover"),
    )
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)
    await client.rooms.delete(room.id)
    await emu.advance(60)
    deliveries = await emu.wait_for_webhooks(8)
    completed = [d for d in deliveries if d.event_type == "video.room.recording.completed"]
    assert [d.url for d in completed] == [receiver.url("/failover")] * 2
    # 3 attempts on the primary URL, then the failover URL: the 4th attempt
    assert [d.payload["meta"]["attempt"] for d in completed] == [4, 4]


# -- hostile tokens ------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


AUTH = {"Authorization": f"Bearer {API_KEY}"}
_DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("deep_part", [0, 1])
async def test_deeply_nested_token_segments_are_a_403(
    emu: Emulator,
    client: AsyncVideoClient,
    http: aiohttp.ClientSession,
    auth: dict[str, str],
    deep_part: int,
) -> None:
    room = await client.rooms.create()
    tokens = await client.rooms.generate_join_client_token(room.id)
    parts = tokens.refresh_token.split(".")
    parts[deep_part] = _b64(_DEEP)
    forged = ".".join(parts)
    url = f"{emu.base_url}/rooms/{room.id}/actions/refresh_client_token"
    async with http.post(url, json={"refresh_token": forged}, headers=auth) as resp:
        assert resp.status == 403, await resp.text()
        assert (await resp.json())["errors"][0]["detail"] == "the token signature is invalid"
    with pytest.raises(EmulatorError) as caught:
        await emu.join(room.id, forged)
    assert caught.value.status == 403


async def test_a_refresh_token_cannot_join_and_says_why(
    emu: Emulator, client: AsyncVideoClient
) -> None:
    room = await client.rooms.create()
    tokens = await client.rooms.generate_join_client_token(room.id)
    with pytest.raises(EmulatorError, match="the token is not an access token"):
        await emu.join(room.id, tokens.refresh_token)
    with pytest.raises(APIStatusError, match="the token is not a refresh token") as caught:
        await client.rooms.refresh_client_token(room.id, refresh_token=tokens.token)
    assert caught.value.status == 403


# -- deeply nested and oversized input ----------------------------------------------------


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


@pytest.mark.parametrize("depth", [100, 5_000])
def test_problems_show_deeply_nested_values_without_failing(depth: int) -> None:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    with pytest.raises(ValidationFailed) as caught:
        check("CreateRoom", body={"unique_name": value})
    (problem,) = caught.value.problems
    assert problem.detail.startswith("unique_name must be a string, got ")
    assert len(problem.detail) < 120


@pytest.mark.parametrize("raw", ["9" * 5000, "-" + "1" * 4301, "1" + "0" * 18])
async def test_huge_query_integers_are_a_422(
    emu: Emulator, http: aiohttp.ClientSession, raw: str
) -> None:
    async with http.get(emu.base_url + "/rooms", params={"page[size]": raw}, headers=AUTH) as resp:
        assert resp.status == 422, await resp.text()
        (error,) = (await resp.json())["errors"]
    assert error["source"] == {"parameter": "page[size]"}
    assert error["detail"].startswith("page[size] must be between 1 and 250, got ")
    assert len(error["detail"]) < 120


def test_long_but_small_query_integers_still_parse() -> None:
    checked = check("ListRooms", query={"page[size]": "0" * 30 + "7"})
    assert checked.query["page"]["size"] == 7


# -- reset rewinds the clock ---------------------------------------------------------------


def test_clock_reset_returns_a_frozen_clock_to_its_start() -> None:
    clock = Clock(START)
    clock.advance(3600)
    clock.reset()
    assert clock.now() == START
    clock.advance(5)
    assert clock.now() == START + timedelta(seconds=5)


def test_clock_reset_returns_a_real_time_clock_to_real_time() -> None:
    clock = Clock()
    clock.advance(3600)
    clock.reset()
    assert clock.now() <= datetime.now(UTC)


async def test_emulator_reset_rewinds_the_clock(emu: Emulator, client: AsyncVideoClient) -> None:
    await emu.advance(7200)
    await emu.reset()
    assert emu.now() == START
    room = await client.rooms.create()
    assert room.created_at == START


# -- the control API and browsers ----------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:3000", "Content-Type": "application/json"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
@pytest.mark.parametrize("data", [None, b"x", b"{}"])
async def test_control_api_refuses_web_pages(
    emu: Emulator,
    client: AsyncVideoClient,
    http: aiohttp.ClientSession,
    headers: dict[str, str],
    data: bytes | None,
) -> None:
    room = await client.rooms.create()
    async with http.post(emu.root_url + "/_emulator/reset", data=data, headers=headers) as resp:
        assert resp.status == 403, await resp.text()
        (error,) = (await resp.json())["errors"]
    assert "web page" in error["detail"]
    assert (await client.rooms.retrieve(room.id)).id == room.id  # nothing was reset
    async with http.get(emu.root_url + "/_emulator/webhooks", headers=headers) as resp:
        assert resp.status == 403


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("reset", "text/plain"),
        ("reset", "application/x-www-form-urlencoded"),
        ("reset", "multipart/form-data; boundary=x"),
        ("participants/{pid}/leave", "text/plain"),
        ("clock/advance", "text/plain"),
    ],
)
async def test_control_posts_with_a_body_must_be_json(
    emu: Emulator,
    client: AsyncVideoClient,
    http: aiohttp.ClientSession,
    path: str,
    content_type: str,
) -> None:
    room = await client.rooms.create()
    tokens = await client.rooms.generate_join_client_token(room.id)
    participant = await emu.join(room.id, tokens.token)
    url = emu.root_url + "/_emulator/" + path.format(pid=participant.id)
    body = b'{"seconds": 60}'
    async with http.post(url, data=body, headers={"Content-Type": content_type}) as resp:
        assert resp.status == 415, await resp.text()
    assert emu.now() == START
    (still,) = [p async for p in client.room_participants.list()]
    assert still.left_at is None


async def test_control_api_still_serves_tools_and_media(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    root = emu.root_url + "/_emulator/"
    room = await client.rooms.create(enable_recording=True)
    tokens = await client.rooms.generate_join_client_token(room.id)
    async with http.post(
        root + f"rooms/{room.id}/join",
        json={"token": tokens.token},
        headers={"Sec-Fetch-Site": "none"},
    ) as resp:
        assert resp.status == 201
        participant = (await resp.json())["data"]
    async with http.post(root + f"participants/{participant['id']}/leave") as resp:  # no body
        assert resp.status == 200
    async with http.post(root + "clock/advance", json={"seconds": 60}) as resp:
        assert resp.status == 200
    (recording, _) = [r async for r in client.room_recordings.list()]
    # A page may embed a media download_url: those stay open, like pre-signed URLs.
    headers = {"Origin": "http://127.0.0.1:3000", "Sec-Fetch-Site": "cross-site"}
    async with http.get(recording.download_url, headers=headers) as resp:
        assert resp.status == 200
    async with http.post(root + "reset") as resp:  # curl -X POST, no body
        assert resp.status == 200
    assert [r async for r in client.rooms.list()] == []


# -- the bounded delivery log --------------------------------------------------------------


async def _skipped_events(emu: Emulator, client: AsyncVideoClient) -> None:
    """Six webhook attempts, all skipped (not loopback): session.started, participant.joined,
    2 x recording.started, then participant.left and session.ended."""
    room = await client.rooms.create(
        enable_recording=True, webhook_event_url="https://example.com/hooks"
    )
    tokens = await client.rooms.generate_join_client_token(room.id)
    participant = await emu.join(room.id, tokens.token)
    await emu.leave(participant.id)


async def test_delivery_log_keeps_the_latest_records_and_counts_them_all() -> None:
    async with (
        Emulator(api_key=API_KEY, clock=Clock(START), webhook_log_size=3) as emu,
        AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        await _skipped_events(emu, client)
        everything = await emu.wait_for_webhooks(6, outcome=None)
        assert [d.event_type for d in everything] == [
            "video.room.recording.started",
            "video.room.participant.left",
            "video.room.session.ended",
        ]
        assert emu.webhook_deliveries == everything
        skipped = await emu.wait_for_webhooks(6, outcome="skipped")
        assert skipped == everything
        # The first two attempts counted, but the log no longer holds them.
        assert await emu.wait_for_webhooks(2, outcome=None) == []
        assert await emu.wait_for_webhooks(5, outcome=None) == everything[:2]

        await emu.reset()  # counting starts over
        assert emu.webhook_deliveries == []
        await _skipped_events(emu, client)
        again = await emu.wait_for_webhooks(6, outcome=None)  # not satisfied by old counts
        assert [d.event_type for d in again] == [d.event_type for d in everything]
        assert again[0].event_id != everything[0].event_id


async def test_waiting_counts_from_the_reset_not_the_retained_window(
    emu: Emulator, client: AsyncVideoClient
) -> None:
    await _skipped_events(emu, client)
    assert len(await emu.wait_for_webhooks(6, outcome=None)) == 6
    await emu.reset()
    room = await client.rooms.create(webhook_event_url="https://example.com/hooks")
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)
    after = await emu.wait_for_webhooks(2, outcome=None)
    assert [d.event_type for d in after] == [
        "video.room.session.started",
        "video.room.participant.joined",
    ]
    with pytest.raises(TimeoutError, match="got 2"):
        await emu.wait_for_webhooks(3, timeout=0.01, outcome=None)


def test_the_default_log_size_is_ten_thousand() -> None:
    assert Settings().webhook_log_size == DEFAULT_WEBHOOK_LOG_SIZE == 10_000


@pytest.mark.parametrize("size", [0, -1, 1.5, True, "10"])
def test_webhook_log_size_must_be_a_positive_integer(size: object) -> None:
    with pytest.raises(ValueError, match="webhook_log_size"):
        Emulator(webhook_log_size=size)  # type: ignore[arg-type]


# -- odds and ends -------------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["later", ["after"], 1, None])
async def test_a_bad_fault_phase_gets_a_clean_message(
    emu: Emulator, http: aiohttp.ClientSession, phase: object
) -> None:
    async with http.post(emu.root_url + "/_emulator/faults", json={"phase": phase}) as resp:
        assert resp.status == 422
        (error,) = (await resp.json())["errors"]
    assert error["detail"] == f"phase must be 'before', 'after' or 'random', got {phase!r}"


@pytest.mark.parametrize("field", ["max_participants", "enable_recording"])
async def test_settings_without_a_null_cannot_be_cleared(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession, field: str
) -> None:
    room = await client.rooms.create(max_participants=5, enable_recording=True)
    url = f"{emu.base_url}/rooms/{room.id}"
    async with http.patch(url, json={field: None}, headers=AUTH) as resp:
        assert resp.status == 422
        (error,) = (await resp.json())["errors"]
    assert error["source"] == {"pointer": f"/{field}"}
    again = await client.rooms.retrieve(room.id)
    assert (again.max_participants, again.enable_recording) == (5, True)
