"""The emulator answers as the described contract and the live API do (issue 12), over HTTP.

Each test names the rule it checks; the rules come from the contract's descriptions
(``shared/spec/telnyx-video-openapi-described.yaml``) and from what the live API answers.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import zlib
from typing import Any

import aiohttp
import pytest

from telnyx_video import AsyncVideoClient
from telnyx_video._converter import converter
from telnyx_video.emulator import Emulator
from telnyx_video.errors import ErrorCode
from telnyx_video.models import Room, RoomComposition, RoomParticipant, RoomRecording, RoomSession

from .support import API_KEY, START

AUTH = {"Authorization": f"Bearer {API_KEY}"}
CATALOG = {code.value for code in ErrorCode}


async def _call(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> tuple[int, Any]:
    async with http.request(method, url, headers=headers or {}, **kwargs) as resp:
        text = await resp.text()
        return resp.status, json.loads(text) if text else None


async def _session(
    emu: Emulator, client: AsyncVideoClient, *names: str, recording: bool = False
) -> tuple[str, str, list[str]]:
    """A room with ``names`` joined: (room id, session id, participant ids)."""
    room = await client.rooms.create(enable_recording=recording)
    tokens = await client.rooms.generate_join_client_token(room.id)
    joined = [await emu.join(room.id, tokens.token, context=name) for name in names]
    return room.id, joined[0].session_id, [p.id for p in joined]


def _claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return claims


# -- 1. security: [] -------------------------------------------------------------------------


async def test_refresh_needs_no_api_key_the_refresh_token_authenticates(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    room = await client.rooms.create()
    tokens = await client.rooms.generate_join_client_token(room.id)
    url = f"{emu.base_url}/rooms/{room.id}/actions/refresh_client_token"
    status, body = await _call(http, "POST", url, json={"refresh_token": tokens.refresh_token})
    assert status == 201, body
    await emu.join(room.id, body["data"]["token"])  # the refreshed token joins
    status, body = await _call(http, "POST", url, json={"refresh_token": tokens.token})
    assert status == 403  # without a valid refresh token, nothing
    assert body["errors"][0]["code"] == "10010"
    # Operations that do need the key still refuse requests without it.
    assert (await _call(http, "GET", f"{emu.base_url}/rooms/{room.id}"))[0] == 401


@pytest.mark.parametrize("action", ["kick", "mute", "unmute", "end"])
@pytest.mark.parametrize("key", [None, API_KEY, "some-other-key"])
async def test_session_actions_work_with_or_without_the_key(
    emu: Emulator,
    client: AsyncVideoClient,
    http: aiohttp.ClientSession,
    action: str,
    key: str | None,
) -> None:
    _, session_id, _ = await _session(emu, client, "Alice", "Bob")
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    url = f"{emu.base_url}/room_sessions/{session_id}/actions/{action}"
    body = {} if action == "end" else {"participants": "all"}
    status, answer = await _call(http, "POST", url, headers=headers, json=body)
    assert (status, answer) == (200, {"data": {"result": "ok"}})
    session = await client.room_sessions.retrieve(session_id)
    assert session.active is (action in ("mute", "unmute"))


# -- 2. filter[duration_secs] is "greater or equal" ------------------------------------------


async def test_duration_filter_means_at_least_in_listing_and_bulk_delete(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    for seconds in (10, 20, 30):
        _, _, (participant,) = await _session(emu, client, f"p{seconds}", recording=True)
        await emu.advance(seconds)
        await emu.leave(participant)
    await emu.advance(5)  # all six recordings complete: durations 10, 10, 20, 20, 30, 30
    listing = f"{emu.base_url}/room_recordings"
    status, body = await _call(
        http, "GET", listing, headers=AUTH, params={"filter[duration_secs]": "20"}
    )
    assert status == 200
    assert sorted(r["duration_secs"] for r in body["data"]) == [20, 20, 30, 30]
    status, body = await _call(
        http, "DELETE", listing, headers=AUTH, params={"filter[duration_secs]": "30"}
    )
    assert (status, body) == (201, {"data": {"room_recordings": 2}})
    status, body = await _call(http, "GET", listing, headers=AUTH)
    assert sorted(r["duration_secs"] for r in body["data"]) == [10, 10, 20, 20]


# -- 3, 4, 5. compositions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resolution", "ok"),
    [
        ("1280x720", True),
        ("720x1280", True),
        ("960x960", True),
        ("16x16", True),
        ("1281x100", False),
        ("100x1281", False),
        ("1920x1080", False),
        ("1280x721", False),
        ("15x100", False),
    ],
)
async def test_composition_resolution_limits(
    emu: Emulator,
    client: AsyncVideoClient,
    http: aiohttp.ClientSession,
    resolution: str,
    ok: bool,
) -> None:
    _, session_id, (alice,) = await _session(emu, client, "Alice")
    await emu.leave(alice)
    status, body = await _call(
        http,
        "POST",
        emu.base_url + "/room_compositions",
        headers=AUTH,
        json={"session_id": session_id, "resolution": resolution},
    )
    if ok:
        assert status == 202, body
        assert body["data"]["resolution"] == resolution
    else:
        assert status == 422
        (error,) = body["errors"]
        assert (error["code"], error["source"]) == ("10015", {"pointer": "/resolution"})


async def test_video_layout_regions_and_sources(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    _, session_id, (alice, bob) = await _session(emu, client, "Alice", "Bob", recording=True)
    _, other_session, (carol,) = await _session(emu, client, "Carol", recording=True)
    for participant in (alice, bob, carol):
        await emu.leave(participant)
    recordings = (await client.room_recordings.list()).items
    video = [r.id for r in recordings if r.type == "video" and r.session_id == session_id]
    audio = [r.id for r in recordings if r.type == "audio" and r.session_id == session_id]
    foreign = [r.id for r in recordings if r.type == "video" and r.session_id == other_session]
    url = emu.base_url + "/room_compositions"

    async def create(layout: dict[str, Any], **extra: Any) -> tuple[int, Any]:
        body = {"session_id": session_id, "video_layout": layout, **extra}
        return await _call(http, "POST", url, headers=AUTH, json=body)

    status, body = await create(
        {"left": {"video_sources": [video[0]]}, "right": {"video_sources": ["*"]}},
        audio_sources=["*"],  # what Telnyx's own code sends: accepted
    )
    assert status == 202, body
    assert body["data"]["video_layout"]["right"]["video_sources"] == ["*"]
    status, body = await create({"a": {}, "b": {}, "c": {}})
    assert status == 422
    assert body["errors"][0]["source"] == {"pointer": "/video_layout"}
    for wrong in (audio[0], foreign[0]):  # not a video recording of this session
        status, body = await create({"main": {"video_sources": ["*", wrong]}})
        assert status == 422
        assert body["errors"][0]["source"] == {"pointer": "/video_layout/main/video_sources/1"}
    assert len((await client.room_compositions.list()).items) == 1


# -- 6. join tokens --------------------------------------------------------------------------


async def test_tokens_name_one_subject_and_refresh_keeps_the_grants(
    emu: Emulator, client: AsyncVideoClient
) -> None:
    rooms = [await client.rooms.create() for _ in range(2)]
    issued = [await client.rooms.generate_join_client_token(room.id) for room in rooms]
    subjects = set()
    for tokens in issued:
        access, refresh = _claims(tokens.token), _claims(tokens.refresh_token)
        assert (access["typ"], refresh["typ"]) == ("access", "refresh")
        assert access["grants"] == refresh["grants"]
        (grant,) = access["grants"]
        subjects.update(grant["subjects"])
    (subject,) = subjects  # one stable subject for the emulated account
    assert subject.startswith("telnyx:users:")
    refreshed = await client.rooms.refresh_client_token(
        rooms[0].id, refresh_token=issued[0].refresh_token
    )
    assert _claims(refreshed.token)["grants"] == _claims(issued[0].token)["grants"]


# -- 7. end on an ended session --------------------------------------------------------------


async def test_ending_an_ended_session_is_what_the_live_api_answers(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    _, session_id, _ = await _session(emu, client, "Alice")
    url = f"{emu.base_url}/room_sessions/{session_id}/actions/end"
    assert (await _call(http, "POST", url))[0] == 200
    status, body = await _call(http, "POST", url)
    assert status == 422
    (error,) = body["errors"]
    assert error["detail"] == "No private_ip for room"
    assert error["code"] in CATALOG


# -- 8. error codes of the catalog -----------------------------------------------------------


async def test_every_error_code_is_the_catalog_s(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    room = await client.rooms.create(unique_name="taken")
    base, json_headers = emu.base_url, {**AUTH, "Content-Type": "application/json"}
    cases: list[tuple[str, str, dict[str, Any], int, str]] = [
        ("POST", "/rooms", {"data": b"{", "headers": json_headers}, 400, "10023"),
        ("POST", "/rooms", {"data": b"{}", "headers": {**AUTH}}, 415, "10014"),
        ("POST", "/rooms", {"json": {"max_participants": 1}, "headers": AUTH}, 422, "10015"),
        ("POST", "/rooms", {"json": {"webhook_event_url": "x"}, "headers": AUTH}, 422, "10003"),
        ("POST", "/rooms", {"json": {"unique_name": "taken"}, "headers": AUTH}, 422, "10012"),
        ("POST", f"/rooms/{room.id}/actions/refresh_client_token", {"json": {}}, 422, "10004"),
        (
            "POST",
            "/room_compositions",
            {"json": {"session_id": "x"}, "headers": AUTH},
            422,
            "10006",
        ),
        ("GET", f"/rooms/{START.date()}", {"headers": AUTH}, 404, "10005"),
        ("GET", "/rooms", {}, 401, "10009"),
        ("PUT", "/rooms", {"headers": AUTH}, 405, "10015"),
    ]
    for method, path, kwargs, status, code in cases:
        found, body = await _call(http, method, base + path, **kwargs)
        assert (found, body["errors"][0]["code"]) == (status, code), (method, path, body)
        assert body["errors"][0]["title"] == ErrorCode(code).catalog_title
    emu.configure_faults(rate_limit_rate=1.0, max_faults=1)
    status, body = await _call(http, "GET", base + "/rooms", headers=AUTH)
    assert (status, body["errors"][0]["code"]) == (429, "10011")
    emu.configure_faults(error_rate=1.0, max_faults=1)
    status, body = await _call(http, "GET", base + "/rooms", headers=AUTH)
    assert body["errors"][0]["code"] == "10007"


# -- 9. JSON Schema semantics and unknown filters --------------------------------------------


async def test_a_whole_float_is_an_integer(emu: Emulator, http: aiohttp.ClientSession) -> None:
    raw = b'{"max_participants": 38.0, "webhook_timeout_secs": 5.0}'
    headers = {**AUTH, "Content-Type": "application/json"}
    async with http.post(emu.base_url + "/rooms", data=raw, headers=headers) as resp:
        assert resp.status == 201
        text = await resp.text()
    assert '"max_participants":38,' in text  # an integer, as the API would answer
    assert json.loads(text)["data"]["webhook_timeout_secs"] == 5


async def test_an_empty_filter_member_is_not_an_unknown_parameter(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    await client.rooms.create()
    for params in ({"filter[date_created_at]": ""}, {"filter": ""}):
        status, body = await _call(
            http, "GET", emu.base_url + "/rooms", headers=AUTH, params=params
        )
        assert status == 200, body  # even in strict mode
        assert len(body["data"]) == 1


async def test_unknown_filters_are_ignored_and_logged_unless_strict(
    client: AsyncVideoClient, caplog: pytest.LogCaptureFixture
) -> None:
    params = {"filter[unique_nam]": "nope"}
    async with (
        Emulator(api_key=API_KEY) as lenient,
        Emulator(api_key=API_KEY, strict=True) as strict,
        aiohttp.ClientSession() as http,
    ):
        for emu in (lenient, strict):
            await _call(http, "POST", emu.base_url + "/rooms", headers=AUTH, json={})
        with caplog.at_level(logging.WARNING, logger="telnyx_video.emulator"):
            status, body = await _call(
                http, "GET", lenient.base_url + "/rooms", headers=AUTH, params=params
            )
        assert (status, len(body["data"])) == (200, 1)  # like the real API: ignored
        assert "ignored filter[unique_nam], not a filter of ListRooms" in caplog.text
        status, body = await _call(
            http, "GET", strict.base_url + "/rooms", headers=AUTH, params=params
        )
        assert status == 422
        (error,) = body["errors"]
        assert (error["code"], error["source"]) == ("10015", {"parameter": "filter[unique_nam]"})


# -- 10. null where there is no value --------------------------------------------------------


async def test_absent_values_are_sent_as_null(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    room_id, session_id, (alice,) = await _session(emu, client, "Alice", recording=True)
    await emu.leave(alice)
    status, body = await _call(
        http,
        "POST",
        emu.base_url + "/room_compositions",
        headers=AUTH,
        json={"session_id": session_id},
    )
    composition = body["data"]
    assert composition["status"] == "enqueued"
    for field in ("download_url", "started_at", "ended_at", "completed_at", "duration_secs"):
        assert field in composition
        assert composition[field] is None, field
    status, body = await _call(http, "GET", f"{emu.base_url}/rooms/{room_id}", headers=AUTH)
    room = body["data"]
    assert ("active_session_id", None) in room.items()  # idle: the session ended
    assert ("unique_name", None) in room.items()
    status, body = await _call(http, "GET", emu.base_url + "/room_recordings", headers=AUTH)
    assert status == 200
    assert all(r["download_url"] is None and "completed_at" in r for r in body["data"])


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/rooms", Room),
        ("/room_sessions", RoomSession),
        ("/room_participants", RoomParticipant),
        ("/room_recordings", RoomRecording),
        ("/room_compositions", RoomComposition),
    ],
)
async def test_the_models_parse_null_and_missing_alike(
    emu: Emulator,
    client: AsyncVideoClient,
    http: aiohttp.ClientSession,
    path: str,
    model: type[Any],
) -> None:
    _, session_id, (alice,) = await _session(emu, client, "Alice", recording=True)
    await emu.leave(alice)
    await client.room_compositions.create(session_id=session_id)
    await _session(emu, client, "Bob")  # still in an active session: left_at, ended_at null
    status, body = await _call(http, "GET", emu.base_url + path, headers=AUTH)
    assert status == 200
    record = next(r for r in body["data"] if None in r.values())
    without_nulls = {k: v for k, v in record.items() if v is not None}
    assert converter.structure(record, model) == converter.structure(without_nulls, model)


# -- issue 17 item 10: DNS rebinding and content encodings -----------------------------------


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:80", "127.0.0.1.nip.io", "10.0.0.1"]
)
async def test_only_loopback_host_names_are_answered(
    emu: Emulator, http: aiohttp.ClientSession, host: str
) -> None:
    for url in (emu.base_url + "/rooms", emu.root_url + "/_emulator/webhooks"):
        status, body = await _call(http, "GET", url, headers={**AUTH, "Host": host})
        assert status == 403, url
        assert body["errors"][0]["code"] == "10010"
        assert "loopback host names only" in body["errors"][0]["detail"]
    assert emu.webhook_deliveries == []


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST.", "app.localhost", "127.0.0.1", "[::1]"])
async def test_loopback_host_names_are_answered(
    emu: Emulator, http: aiohttp.ClientSession, host: str
) -> None:
    port = emu.root_url.rsplit(":", 1)[1]
    status, _ = await _call(
        http, "GET", emu.base_url + "/rooms", headers={**AUTH, "Host": f"{host}:{port}"}
    )
    assert status == 200


async def test_a_request_without_host_is_answered(emu: Emulator) -> None:
    """HTTP/1.0 tools may send no ``Host``; browsers always do, so there is nothing to check."""
    port = int(emu.root_url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET /v2/rooms HTTP/1.0\r\nAuthorization: Bearer {API_KEY}\r\n\r\n".encode())
        await writer.drain()
        status_line = await reader.readline()
    finally:
        writer.close()
        await writer.wait_closed()
    assert status_line.split()[1] == b"200"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/v2/rooms"), ("GET", "/v2/rooms"), ("POST", "/_emulator/clock/advance")],
)
async def test_a_bad_content_encoding_is_a_400(
    emu: Emulator, client: AsyncVideoClient, encoding: str, method: str, path: str
) -> None:
    headers = {**AUTH, "Content-Type": "application/json", "Content-Encoding": encoding}
    async with (
        aiohttp.ClientSession(auto_decompress=False) as http,
        http.request(
            method, emu.root_url + path, headers=headers, data=b"{not compressed}"
        ) as resp,
    ):
        assert resp.status == 400
        if resp.content_type == "application/json":  # found by the emulator (else by aiohttp's
            (error,) = (await resp.json())["errors"]  # parser, before any handler runs)
            assert error["code"] == "10015"
            assert "cannot be read" in error["detail"]
    assert (await client.rooms.list()).items == ()  # nothing created, still serving
    assert emu.now() == START


async def test_a_good_content_encoding_is_read(emu: Emulator, http: aiohttp.ClientSession) -> None:
    raw = zlib.compress(b'{"unique_name": "compressed"}')
    headers = {**AUTH, "Content-Type": "application/json", "Content-Encoding": "deflate"}
    status, body = await _call(http, "POST", emu.base_url + "/rooms", headers=headers, data=raw)
    assert (status, body["data"]["unique_name"]) == (201, "compressed")


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
