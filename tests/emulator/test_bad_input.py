"""Bad input over HTTP: every endpoint answers 422 with Telnyx error bodies, and no state moves.

Raw aiohttp requests against a running :class:`Emulator`: each case sends one invalid
request, checks the status, the error body shape (against the contract's ``video_Errors``
schema), the codes and ``source`` of every error, and then that a snapshot of the whole
emulator state (every list, every room) is exactly what it was before.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import attrs
import jsonschema
import pytest

from telnyx_video.emulator import Emulator, _contract
from telnyx_video.errors import ErrorCode
from telnyx_video.models import MAX_PAGE_SIZE

CODE_INVALID_VALUE = ErrorCode.BAD_REQUEST.value
CODE_MISSING_REQUIRED = ErrorCode.MISSING_REQUIRED_PARAMETER.value
CODE_INVALID_URL = ErrorCode.INVALID_URL.value
CODE_INVALID_ID = ErrorCode.INVALID_ID.value
#: Unknown filters are refused in strict mode (on in these tests), as invalid values.
CODE_UNKNOWN_PARAMETER = ErrorCode.BAD_REQUEST.value

ERRORS_SCHEMA = _contract.component_schema("video_Errors")
UUID = "7b61621f-62e0-4aad-ab11-9fd19e272e73"
NOT_SENT = object()


@attrs.frozen
class World:
    """Ids of the records every case can point at."""

    room_id: str
    room_name: str
    session_id: str
    participant_id: str
    refresh_token: str


@pytest.fixture
async def http(emu: Emulator) -> AsyncIterator[aiohttp.ClientSession]:
    headers = {"Authorization": f"Bearer {emu.api_key}", "Accept": "application/json"}
    async with aiohttp.ClientSession(headers=headers) as session:
        yield session


async def call(
    http: aiohttp.ClientSession,
    emu: Emulator,
    method: str,
    path: str,
    *,
    params: Any = None,
    body: Any = NOT_SENT,
) -> tuple[int, Any]:
    kwargs: dict[str, Any] = {"params": params}
    if body is not NOT_SENT:  # serialized by hand so that a JSON ``null`` body is sent too
        kwargs["data"] = json.dumps(body).encode()
        kwargs["headers"] = {"Content-Type": "application/json"}
    async with http.request(method, emu.base_url + path, **kwargs) as response:
        text = await response.text()
        return response.status, (await response.json(content_type=None)) if text else None


async def ok(http: aiohttp.ClientSession, emu: Emulator, method: str, path: str, **kw: Any) -> Any:
    status, body = await call(http, emu, method, path, **kw)
    assert status < 300, (method, path, status, body)
    return body["data"] if isinstance(body, dict) and "data" in body else body


@pytest.fixture
async def world(emu: Emulator, http: aiohttp.ClientSession) -> World:
    """A recording room with an active session, one participant and its recordings."""
    room = await ok(
        http,
        emu,
        "POST",
        "/rooms",
        body={"unique_name": "bad-input", "max_participants": 5, "enable_recording": True},
    )
    tokens = await ok(
        http, emu, "POST", f"/rooms/{room['id']}/actions/generate_join_client_token", body={}
    )
    participant = await emu.join(room["id"], tokens["token"], context="Alice")
    room = await ok(http, emu, "GET", f"/rooms/{room['id']}")
    assert room["active_session_id"]
    return World(
        room_id=room["id"],
        room_name=room["unique_name"],
        session_id=room["active_session_id"],
        participant_id=participant.id,
        refresh_token=tokens["refresh_token"],
    )


LISTS = (
    "/rooms",
    "/room_sessions",
    "/room_participants",
    "/room_recordings",
    "/room_compositions",
)


async def snapshot(http: aiohttp.ClientSession, emu: Emulator) -> dict[str, Any]:
    """Everything a client can see: every list, and each room with its sessions."""
    seen: dict[str, Any] = {}
    for path in LISTS:
        seen[path] = await ok(http, emu, "GET", path, params={"page[size]": str(MAX_PAGE_SIZE)})
    for room in seen["/rooms"]:
        seen[room["id"]] = await ok(
            http, emu, "GET", f"/rooms/{room['id']}", params={"include_sessions": "true"}
        )
    return seen


def assert_unprocessable(status: int, body: Any, expected: list[tuple[str, str]]) -> None:
    """422 with an ``errors`` list whose (code, pointer-or-parameter) pairs are ``expected``."""
    assert status == 422, body
    jsonschema.validate(body, ERRORS_SCHEMA)
    found = []
    for error in body["errors"]:
        assert error["title"]
        assert error["detail"].endswith(".")
        source = error["source"]
        assert len(source) == 1
        found.append((error["code"], source.get("pointer", source.get("parameter"))))
    assert sorted(found) == sorted(expected)


# Each case: method, path template (filled from the World), query, body, expected errors.
# "{room}", "{session}", "{participant}" and "{refresh}" are replaced with live ids.
BODY_CASES: list[Any] = [
    # POST /rooms
    ("POST", "/rooms", {"max_participants": 51}, [(CODE_INVALID_VALUE, "/max_participants")]),
    ("POST", "/rooms", {"max_participants": 1}, [(CODE_INVALID_VALUE, "/max_participants")]),
    ("POST", "/rooms", {"max_participants": True}, [(CODE_INVALID_VALUE, "/max_participants")]),
    ("POST", "/rooms", {"max_participants": "5"}, [(CODE_INVALID_VALUE, "/max_participants")]),
    ("POST", "/rooms", {"enable_recording": 1}, [(CODE_INVALID_VALUE, "/enable_recording")]),
    ("POST", "/rooms", {"unique_name": None}, [(CODE_INVALID_VALUE, "/unique_name")]),
    ("POST", "/rooms", {"unique_name": 7}, [(CODE_INVALID_VALUE, "/unique_name")]),
    (
        "POST",
        "/rooms",
        {"webhook_event_url": "example.com"},
        [(CODE_INVALID_URL, "/webhook_event_url")],
    ),
    (
        "POST",
        "/rooms",
        {"webhook_event_failover_url": "/hooks"},
        [(CODE_INVALID_URL, "/webhook_event_failover_url")],
    ),
    (
        "POST",
        "/rooms",
        {"webhook_timeout_secs": 31},
        [(CODE_INVALID_VALUE, "/webhook_timeout_secs")],
    ),
    (
        "POST",
        "/rooms",
        {"webhook_timeout_secs": -1},
        [(CODE_INVALID_VALUE, "/webhook_timeout_secs")],
    ),
    ("POST", "/rooms", [], [(CODE_INVALID_VALUE, "/")]),
    ("POST", "/rooms", "room", [(CODE_INVALID_VALUE, "/")]),
    ("POST", "/rooms", None, [(CODE_INVALID_VALUE, "/")]),
    (
        "POST",
        "/rooms",
        {
            "unique_name": "new",
            "max_participants": 0,
            "enable_recording": "no",
            "webhook_timeout_secs": 99,
        },
        [
            (CODE_INVALID_VALUE, "/max_participants"),
            (CODE_INVALID_VALUE, "/enable_recording"),
            (CODE_INVALID_VALUE, "/webhook_timeout_secs"),
        ],
    ),
    # PATCH /rooms/{id}
    (
        "PATCH",
        "/rooms/{room}",
        {"max_participants": None},
        [(CODE_INVALID_VALUE, "/max_participants")],
    ),
    (
        "PATCH",
        "/rooms/{room}",
        {"max_participants": 51},
        [(CODE_INVALID_VALUE, "/max_participants")],
    ),
    (
        "PATCH",
        "/rooms/{room}",
        {"enable_recording": None},
        [(CODE_INVALID_VALUE, "/enable_recording")],
    ),
    (
        "PATCH",
        "/rooms/{room}",
        {"enable_recording": "yes"},
        [(CODE_INVALID_VALUE, "/enable_recording")],
    ),
    (
        "PATCH",
        "/rooms/{room}",
        {"webhook_event_url": "nowhere"},
        [(CODE_INVALID_URL, "/webhook_event_url")],
    ),
    (
        "PATCH",
        "/rooms/{room}",
        {"webhook_timeout_secs": 31},
        [(CODE_INVALID_VALUE, "/webhook_timeout_secs")],
    ),
    (
        "PATCH",
        "/rooms/{room}",
        {"unique_name": "renamed", "max_participants": 60},
        [(CODE_INVALID_VALUE, "/max_participants")],
    ),
    ("PATCH", "/rooms/{room}", [1, 2], [(CODE_INVALID_VALUE, "/")]),
    # client tokens
    (
        "POST",
        "/rooms/{room}/actions/generate_join_client_token",
        {"token_ttl_secs": 9},
        [(CODE_INVALID_VALUE, "/token_ttl_secs")],
    ),
    (
        "POST",
        "/rooms/{room}/actions/generate_join_client_token",
        {"token_ttl_secs": 3601, "refresh_token_ttl_secs": 59},
        [(CODE_INVALID_VALUE, "/token_ttl_secs"), (CODE_INVALID_VALUE, "/refresh_token_ttl_secs")],
    ),
    (
        "POST",
        "/rooms/{room}/actions/generate_join_client_token",
        {"refresh_token_ttl_secs": 86401},
        [(CODE_INVALID_VALUE, "/refresh_token_ttl_secs")],
    ),
    ("POST", "/rooms/{room}/actions/generate_join_client_token", [], [(CODE_INVALID_VALUE, "/")]),
    (
        "POST",
        "/rooms/{room}/actions/refresh_client_token",
        {},
        [(CODE_MISSING_REQUIRED, "/refresh_token")],
    ),
    (
        "POST",
        "/rooms/{room}/actions/refresh_client_token",
        {"refresh_token": 5},
        [(CODE_INVALID_VALUE, "/refresh_token")],
    ),
    (
        "POST",
        "/rooms/{room}/actions/refresh_client_token",
        {"refresh_token": "{refresh}", "token_ttl_secs": 3601},
        [(CODE_INVALID_VALUE, "/token_ttl_secs")],
    ),
    # compositions
    (
        "POST",
        "/room_compositions",
        {"session_id": "{session}", "resolution": "1920x1920"},
        [(CODE_INVALID_VALUE, "/resolution")],
    ),
    (
        "POST",
        "/room_compositions",
        {"session_id": "{session}", "resolution": "10x10"},
        [(CODE_INVALID_VALUE, "/resolution")],
    ),
    (
        "POST",
        "/room_compositions",
        {"session_id": "{session}", "resolution": "hd"},
        [(CODE_INVALID_VALUE, "/resolution")],
    ),
    (
        "POST",
        "/room_compositions",
        {"session_id": "{session}", "format": "webm"},
        [(CODE_INVALID_VALUE, "/format")],
    ),
    ("POST", "/room_compositions", {"session_id": "nope"}, [(CODE_INVALID_ID, "/session_id")]),
    (
        "POST",
        "/room_compositions",
        {"session_id": "{session}", "video_layout": {"main": {"z_pos": 100}}},
        [(CODE_INVALID_VALUE, "/video_layout/main/z_pos")],
    ),
    (
        "POST",
        "/room_compositions",
        {
            "session_id": "{session}",
            "video_layout": {"main": {"video_sources": ["{participant}", "x"]}},
        },
        [(CODE_INVALID_ID, "/video_layout/main/video_sources/1")],
    ),
    (
        "POST",
        "/room_compositions",
        {"session_id": "{session}", "video_layout": {"main": 3}},
        [(CODE_INVALID_VALUE, "/video_layout/main")],
    ),
    (
        "POST",
        "/room_compositions",
        {"session_id": "{session}", "webhook_event_url": "ftp:"},
        [(CODE_INVALID_URL, "/webhook_event_url")],
    ),
]

for _action in ("kick", "mute", "unmute"):
    _path = f"/room_sessions/{{session}}/actions/{_action}"
    BODY_CASES += [
        ("POST", _path, {"participants": "some"}, [(CODE_INVALID_VALUE, "/participants")]),
        ("POST", _path, {"participants": 1}, [(CODE_INVALID_VALUE, "/participants")]),
        (
            "POST",
            _path,
            {"participants": ["{participant}", "x"]},
            [(CODE_INVALID_ID, "/participants/1")],
        ),
        (
            "POST",
            _path,
            {"participants": "all", "exclude": "all"},
            [(CODE_INVALID_VALUE, "/exclude")],
        ),
        (
            "POST",
            _path,
            {"participants": "all", "exclude": ["{participant}", 3]},
            [(CODE_INVALID_VALUE, "/exclude/1")],
        ),
        ("POST", _path, ["{participant}"], [(CODE_INVALID_VALUE, "/")]),
    ]

QUERY_CASES: list[Any] = [
    ("GET", "/rooms", {"page[size]": str(MAX_PAGE_SIZE + 1)}, [(CODE_INVALID_VALUE, "page[size]")]),
    ("GET", "/rooms", {"page[number]": "0"}, [(CODE_INVALID_VALUE, "page[number]")]),
    ("GET", "/rooms", {"page[size]": "ten"}, [(CODE_INVALID_VALUE, "page[size]")]),
    ("GET", "/rooms", {"include_sessions": "yes"}, [(CODE_INVALID_VALUE, "include_sessions")]),
    (
        "GET",
        "/rooms",
        {"filter[date_created_at][gte]": "2026-13-01"},
        [(CODE_INVALID_VALUE, "filter[date_created_at][gte]")],
    ),
    ("GET", "/rooms", {"filter[uniq_name]": "x"}, [(CODE_UNKNOWN_PARAMETER, "filter[uniq_name]")]),
    (
        "GET",
        "/rooms",
        {"filter[date_created_at]": "2026-01-01", "page[size]": "0"},
        # a known member given a value instead of members: not an object
        [(CODE_INVALID_VALUE, "filter[date_created_at]"), (CODE_INVALID_VALUE, "page[size]")],
    ),
    ("GET", "/rooms/{room}", {"include_sessions": "1"}, [(CODE_INVALID_VALUE, "include_sessions")]),
    (
        "GET",
        "/rooms/{room}/sessions",
        {"filter[active]": "maybe"},
        [(CODE_INVALID_VALUE, "filter[active]")],
    ),
    ("GET", "/room_sessions", {"filter[active]": "1"}, [(CODE_INVALID_VALUE, "filter[active]")]),
    (
        "GET",
        "/room_sessions",
        {"filter[date_ended_at][lte]": "yesterday"},
        [(CODE_INVALID_VALUE, "filter[date_ended_at][lte]")],
    ),
    (
        "GET",
        "/room_sessions/{session}",
        {"include_participants": "True"},
        [(CODE_INVALID_VALUE, "include_participants")],
    ),
    (
        "GET",
        "/room_sessions/{session}/participants",
        {"page[number]": "-1"},
        [(CODE_INVALID_VALUE, "page[number]")],
    ),
    (
        "GET",
        "/room_participants",
        {"filter[date_joined_at][eq]": "2026-02-30"},
        [(CODE_INVALID_VALUE, "filter[date_joined_at][eq]")],
    ),
    (
        "GET",
        "/room_participants",
        {"filter[room_id]": UUID},
        [(CODE_UNKNOWN_PARAMETER, "filter[room_id]")],
    ),
    (
        "GET",
        "/room_recordings",
        {"filter[session_id]": "nope"},
        [(CODE_INVALID_ID, "filter[session_id]")],
    ),
    (
        "GET",
        "/room_recordings",
        {"filter[duration_secs]": "1.5"},
        [(CODE_INVALID_VALUE, "filter[duration_secs]")],
    ),
    (
        "GET",
        "/room_compositions",
        {"filter[status]": "done"},
        [(CODE_INVALID_VALUE, "filter[status]")],
    ),
    # bulk delete: a typo or a bad value must not delete anything
    (
        "DELETE",
        "/room_recordings",
        {"filter[room_idd]": "{room}"},
        [(CODE_UNKNOWN_PARAMETER, "filter[room_idd]")],
    ),
    (
        "DELETE",
        "/room_recordings",
        {"filter[room_id]": "room"},
        [(CODE_INVALID_ID, "filter[room_id]")],
    ),
    (
        "DELETE",
        "/room_recordings",
        {"filter[date_started_at][gte]": "2026-1-1"},
        [(CODE_INVALID_VALUE, "filter[date_started_at][gte]")],
    ),
    ("DELETE", "/room_recordings", {"filter": "all"}, [(CODE_INVALID_VALUE, "filter")]),
]


def fill(value: Any, world: World) -> Any:
    """``value`` with the ``{room}``-style placeholders replaced by live ids."""
    if isinstance(value, str):
        return (
            value.replace("{room}", world.room_id)
            .replace("{session}", world.session_id)
            .replace("{participant}", world.participant_id)
            .replace("{refresh}", world.refresh_token)
        )
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    if isinstance(value, dict):
        return {fill(k, world): fill(v, world) for k, v in value.items()}
    return value


def case_id(case: Any) -> str:
    method, path, data, _ = case
    return f"{method} {path} {data!r:.70}"


@pytest.mark.parametrize("case", BODY_CASES, ids=[case_id(c) for c in BODY_CASES])
async def test_bad_body(
    emu: Emulator, http: aiohttp.ClientSession, world: World, case: Any
) -> None:
    method, path, body, expected = case
    before = await snapshot(http, emu)
    status, answer = await call(http, emu, method, fill(path, world), body=fill(body, world))
    assert_unprocessable(status, answer, expected)
    assert await snapshot(http, emu) == before


@pytest.mark.parametrize("case", QUERY_CASES, ids=[case_id(c) for c in QUERY_CASES])
async def test_bad_query(
    emu: Emulator, http: aiohttp.ClientSession, world: World, case: Any
) -> None:
    method, path, query, expected = case
    before = await snapshot(http, emu)
    status, answer = await call(http, emu, method, fill(path, world), params=fill(query, world))
    assert_unprocessable(status, answer, expected)
    assert await snapshot(http, emu) == before


async def test_bad_bulk_delete_keeps_the_recordings(
    emu: Emulator, http: aiohttp.ClientSession, world: World
) -> None:
    recordings = await ok(http, emu, "GET", "/room_recordings")
    assert recordings, "a recording room with a participant has recordings"
    status, _ = await call(
        http, emu, "DELETE", "/room_recordings", params={"filter[roomid]": world.room_id}
    )
    assert status == 422
    assert await ok(http, emu, "GET", "/room_recordings") == recordings


async def test_rejected_update_leaves_the_room_as_it_was(
    emu: Emulator, http: aiohttp.ClientSession, world: World
) -> None:
    before = await ok(http, emu, "GET", f"/rooms/{world.room_id}")
    status, answer = await call(
        http,
        emu,
        "PATCH",
        f"/rooms/{world.room_id}",
        body={
            "unique_name": "renamed",
            "webhook_event_url": "https://example.com",
            "max_participants": None,
        },
    )
    assert_unprocessable(status, answer, [(CODE_INVALID_VALUE, "/max_participants")])
    assert await ok(http, emu, "GET", f"/rooms/{world.room_id}") == before


async def test_rejected_kick_keeps_the_participant(
    emu: Emulator, http: aiohttp.ClientSession, world: World
) -> None:
    path = f"/room_sessions/{world.session_id}/participants"
    before = await ok(http, emu, "GET", path)
    assert [p["id"] for p in before] == [world.participant_id]
    status, _ = await call(
        http,
        emu,
        "POST",
        f"/room_sessions/{world.session_id}/actions/kick",
        body={"participants": "all", "exclude": ["not-an-id"]},
    )
    assert status == 422
    assert await ok(http, emu, "GET", path) == before


async def test_valid_counterparts_are_accepted(
    emu: Emulator, http: aiohttp.ClientSession, world: World
) -> None:
    """The same endpoints accept the valid values next to the rejected ones."""
    room = await ok(
        http,
        emu,
        "PATCH",
        f"/rooms/{world.room_id}",
        body={"webhook_event_url": None, "webhook_timeout_secs": None, "max_participants": 50},
    )
    assert room["max_participants"] == 50
    listing = await ok(
        http,
        emu,
        "GET",
        "/rooms",
        params={
            "page[size]": str(MAX_PAGE_SIZE),
            "filter[date_created_at][gte]": "2000-01-01",
            "include_sessions": "false",
        },
    )
    assert [r["id"] for r in listing] == [world.room_id]
    # unknown parameters other than filters are ignored
    assert await ok(http, emu, "GET", "/rooms", params={"sort": "name"}) == await ok(
        http, emu, "GET", "/rooms"
    )
