"""Response parsing under arbitrary input: only typed errors ever escape.

Whatever JSON value (or non-JSON bytes) a server sends where a model is expected, the SDK
either returns a model of the documented type or raises a :class:`TelnyxVideoError`
subclass; never a ``KeyError``, ``TypeError``, ``RecursionError``...
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from _stub import StubServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telnyx_video import (
    ActionResult,
    APIResponseValidationError,
    APIStatusError,
    AsyncVideoClient,
    JoinClientToken,
    Page,
    PaginationMeta,
    RateLimitError,
    RefreshedClientToken,
    Room,
    RoomComposition,
    RoomParticipant,
    RoomRecording,
    RoomSession,
    TelnyxVideoError,
    VideoRegion,
)
from telnyx_video._converter import structure
from telnyx_video._retry import parse_retry_after
from telnyx_video.errors import make_status_error, parse_error_details

TS = "2026-01-02T03:04:05.123456Z"

#: A valid JSON object for each model, as the API would send it.
VALID: dict[type[Any], dict[str, Any]] = {
    Room: {
        "id": "r1",
        "record_type": "room",
        "created_at": TS,
        "updated_at": TS,
        "max_participants": 10,
        "enable_recording": False,
        "unique_name": "n",
        "active_session_id": None,
        "webhook_event_url": "https://example.com/hook",
        "webhook_timeout_secs": 5,
        "sessions": [],
    },
    RoomSession: {
        "id": "s1",
        "room_id": "r1",
        "active": True,
        "created_at": TS,
        "updated_at": TS,
        "ended_at": None,
        "participants": [{"id": "p1", "session_id": "s1", "context": "Alice"}],
    },
    RoomParticipant: {
        "id": "p1",
        "session_id": "s1",
        "context": "Alice",
        "joined_at": TS,
        "left_at": None,
        "updated_at": TS,
    },
    RoomRecording: {
        "id": "rec1",
        "room_id": "r1",
        "session_id": "s1",
        "participant_id": "p1",
        "status": "completed",
        "type": "audio",
        "codec": "opus",
        "duration_secs": 12,
        "size_mb": 1.5,
        "started_at": TS,
    },
    RoomComposition: {
        "id": "c1",
        "status": "enqueued",
        "format": "mp4",
        "resolution": "1280x720",
        "video_layout": {"first": {"x_pos": 0, "video_sources": ["*"]}},
        "size_mb": 2,
    },
    VideoRegion: {"x_pos": 1, "height": 2, "video_sources": ["a", "b"]},
    JoinClientToken: {
        "token": "t",
        "token_expires_at": TS,
        "refresh_token": "rt",
        "refresh_token_expires_at": TS,
    },
    RefreshedClientToken: {"token": "t", "token_expires_at": TS},
    ActionResult: {"result": "ok"},
    PaginationMeta: {"page_number": 1, "page_size": 20, "total_pages": 1, "total_results": 1},
}

MODELS = list(VALID)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and infinities included: Python's json accepts them
    | st.text(max_size=30)
    | st.sampled_from([TS, "2026-13-45T99:99:99Z", "", "Z", "T", "completed", "1e400"])
)

json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@st.composite
def near_valid(draw: st.DrawFn, model: type[Any]) -> dict[str, Any]:
    """A valid object of ``model`` with a few fields replaced, dropped or added."""
    obj = dict(VALID[model])
    keys = sorted(obj)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "replace":
            obj[draw(st.sampled_from(keys))] = draw(json_values)
        elif action == "drop":
            obj.pop(draw(st.sampled_from(keys)), None)
        else:
            obj[draw(st.text(max_size=8))] = draw(json_values)
    return obj


def any_for(model: type[Any]) -> st.SearchStrategy[Any]:
    """Anything a server could send where ``model`` is expected."""
    return json_values | near_valid(model) | st.just(VALID[model])


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_structure_returns_model_or_typed_error(model: type[Any], data: st.DataObject) -> None:
    value = data.draw(any_for(model))
    result: Any
    try:
        result = structure(value, model, status=200)
    except APIResponseValidationError as exc:
        result = exc
    if isinstance(result, APIResponseValidationError):
        assert result.status == 200
        assert model.__name__ in str(result)
        repr(result)
    else:
        assert isinstance(result, model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_valid_examples_parse(model: type[Any]) -> None:
    assert isinstance(structure(VALID[model], model), model)


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_error_bodies_always_give_a_status_error(body: bytes) -> None:
    for status in (400, 404, 422, 429, 500, 503, 599):
        error = make_status_error(
            status=status,
            raw_body=body,
            headers={"retry-after": "x"},
            method="GET",
            url="/rooms",
        )
        assert isinstance(error, APIStatusError)
        assert error.status == status
        assert str(error).startswith(f"HTTP {status}")
        repr(error)
        for detail in error.errors:
            detail.describe()
        if isinstance(error, RateLimitError):
            assert error.retry_after is None


@given(body=json_values)
def test_parse_error_details_never_raises(body: Any) -> None:
    details = parse_error_details(body)
    assert isinstance(details, tuple)


@settings(max_examples=300)
@given(
    value=st.none()
    | st.text()
    | st.from_regex(r"\A[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{1,5} \d\d:\d\d:\d\d GMT\Z")
    | st.floats().map(str)
    | st.integers().map(str)
)
def test_retry_after_parses_to_seconds_or_none(value: str | None) -> None:
    seconds = parse_retry_after(value)
    assert seconds is None or (isinstance(seconds, float) and 0 <= seconds < float("inf"))


# --- the same through the client, over HTTP ------------------------------------------------

Operation = Callable[[AsyncVideoClient], Awaitable[Any]]


async def _walk_rooms(client: AsyncVideoClient) -> list[Room]:
    return [room async for room in client.rooms.list(page_size=5)]


#: name -> (call, what a success must return)
OPERATIONS: dict[str, tuple[Operation, type[Any] | None]] = {
    "rooms.retrieve": (lambda c: c.rooms.retrieve("r1"), Room),
    "rooms.create": (lambda c: c.rooms.create(unique_name="n"), Room),
    "rooms.update": (lambda c: c.rooms.update("r1", max_participants=3), Room),
    "rooms.delete": (lambda c: c.rooms.delete("r1"), type(None)),
    "rooms.list first page": (lambda c: c.rooms.list(page_size=5).first_page(), Page),
    "rooms.list walk": (_walk_rooms, list),
    "rooms.token": (lambda c: c.rooms.generate_join_client_token("r1"), JoinClientToken),
    "rooms.refresh": (
        lambda c: c.rooms.refresh_client_token("r1", refresh_token="rt"),
        RefreshedClientToken,
    ),
    "sessions.retrieve": (lambda c: c.room_sessions.retrieve("s1"), RoomSession),
    "sessions.kick": (lambda c: c.room_sessions.kick("s1", participants="all"), ActionResult),
    "participants.list": (lambda c: c.room_participants.list().first_page(), Page),
    "recordings.retrieve": (lambda c: c.room_recordings.retrieve("rec1"), RoomRecording),
    "recordings.delete_many": (lambda c: c.room_recordings.delete_many(room_id="r1"), int),
    "compositions.retrieve": (lambda c: c.room_compositions.retrieve("c1"), RoomComposition),
}

envelopes = st.one_of(
    json_values,
    st.builds(lambda v: {"data": v}, json_values),
    st.builds(lambda v, m: {"data": v, "meta": m}, json_values, json_values),
    st.builds(
        lambda items, m: {"data": items, "meta": m},
        st.lists(near_valid(Room) | st.just(VALID[Room]), max_size=3),
        near_valid(PaginationMeta) | st.just(VALID[PaginationMeta]),
    ),
    st.sampled_from([VALID[m] for m in MODELS]).map(lambda v: {"data": v}),
    st.just({"data": {"room_recordings": 3}}),
)

raw_bodies = envelopes.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=64)

statuses = st.sampled_from([200, 201, 202, 204, 200, 200, 400, 401, 404, 409, 422, 429, 500])


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=st.sampled_from(sorted(OPERATIONS)), status=statuses, body=raw_bodies)
async def test_client_raises_only_typed_errors(
    stub: StubServer, client: AsyncVideoClient, name: str, status: int, body: bytes
) -> None:
    stub.answer(status, body)
    call, expected = OPERATIONS[name]
    result: Any
    try:
        async with asyncio.timeout(10):
            result = await call(client)
    except TelnyxVideoError as exc:
        result = exc
    if isinstance(result, TelnyxVideoError):
        str(result)
        repr(result)
        if status >= 400:
            assert isinstance(result, APIStatusError)
            assert result.status == status
    else:
        assert status < 400
        assert expected is not None
        assert isinstance(result, expected)


DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"data":' * 50_000 + b"1" + b"}" * 50_000


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
async def test_deeply_nested_success_body_is_a_typed_error(
    stub: StubServer, client: AsyncVideoClient, body: bytes
) -> None:
    stub.answer(200, body)
    with pytest.raises(APIResponseValidationError):
        await client.rooms.retrieve("r1")


async def test_deeply_nested_error_body_is_a_status_error(
    stub: StubServer, client: AsyncVideoClient
) -> None:
    stub.answer(404, DEEP)
    with pytest.raises(APIStatusError):
        await client.rooms.retrieve("r1")
