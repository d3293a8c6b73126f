"""Models and the converter: strict hooks, open enums, timestamps, request bodies."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from _stub import Reply, StubServer

from telnyx_video import (
    APIResponseValidationError,
    AsyncVideoClient,
    CompositionFormat,
    CompositionStatus,
    DateFilter,
    Page,
    PaginationMeta,
    RecordingStatus,
    RecordingType,
    Room,
    RoomComposition,
    RoomRecording,
    RoomSession,
    VideoRegion,
)
from telnyx_video import models as models_module
from telnyx_video._converter import format_datetime, parse_datetime, structure, unstructure

from .helpers import composition_json, data, page_json, recording_json, room_json

MODEL_CLASSES = [
    getattr(models_module, name)
    for name in models_module.__all__
    if attrs.has(getattr(models_module, name))
]


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda c: c.__name__)
def test_every_model_is_frozen_slotted_and_keyword_only(cls: type) -> None:
    assert "__slots__" in cls.__dict__
    fields = attrs.fields(cls)
    assert all(f.kw_only for f in fields)
    kwargs: dict[str, Any] = {f.name: _sample(f.type) for f in fields if f.default is attrs.NOTHING}
    instance = cls(**kwargs)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(instance, fields[0].name, None)
    with pytest.raises((AttributeError, TypeError)):
        instance.not_a_field = 1  # slotted: no new attributes
    with pytest.raises(TypeError):
        cls(*[_sample(f.type) for f in fields])  # keyword-only


def _sample(tp: Any) -> Any:
    text = str(tp)
    if "datetime" in text:
        return datetime(2026, 1, 1, tzinfo=UTC)
    if text.startswith("tuple"):
        return ()
    if "bool" in text:
        return True
    if "int" in text:
        return 1
    return "x"


# --- strict primitives ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("enable_recording", "false", "expected a boolean, got str 'false'"),
        ("enable_recording", 0, "expected a boolean, got int 0"),
        ("enable_recording", None, "expected a boolean, got NoneType None"),
        ("id", None, "expected a string, got NoneType None"),
        ("id", 42, "expected a string, got int 42"),
        ("unique_name", 5, "expected a string, got int 5"),
        ("max_participants", "10", "expected an integer, got str '10'"),
        ("max_participants", True, "expected an integer, got bool True"),
        ("max_participants", 10.5, "expected an integer, got float 10.5"),
        ("created_at", "yesterday", "expected an ISO 8601 timestamp, got str 'yesterday'"),
        ("created_at", 1700000000, "expected an ISO 8601 timestamp, got int 1700000000"),
        ("sessions", "none", "sessions"),
    ],
)
def test_strict_hooks_refuse_coercion(field: str, value: Any, expected: str) -> None:
    with pytest.raises(APIResponseValidationError) as info:
        structure(room_json(**{field: value}), Room, status=200, request_id="rid")
    message = str(info.value)
    assert expected in message
    assert f"Room.{field}" in message
    assert info.value.status == 200
    assert info.value.request_id == "rid"
    assert info.value.body["id"] == room_json(**{field: value})["id"]


def test_missing_required_field_is_named() -> None:
    body = room_json()
    del body["created_at"]
    with pytest.raises(
        APIResponseValidationError, match=r"required field missing @ Room\.created_at"
    ):
        structure(body, Room)


def test_nested_errors_have_a_path() -> None:
    body = room_json(sessions=[{"id": "s", "room_id": "r", "active": "yes"}])
    with pytest.raises(APIResponseValidationError, match=r"Room\.sessions\[0\]\.active"):
        structure(body, Room)


def test_a_non_object_is_refused() -> None:
    with pytest.raises(APIResponseValidationError, match="expected a JSON object, got list"):
        structure([room_json()], Room)


def test_float_fields_accept_integers_but_not_strings() -> None:
    assert structure(recording_json(size_mb=6), RoomRecording).size_mb == 6.0
    assert isinstance(structure(recording_json(size_mb=6), RoomRecording).size_mb, float)
    with pytest.raises(APIResponseValidationError, match="expected a number"):
        structure(recording_json(size_mb="6"), RoomRecording)
    with pytest.raises(APIResponseValidationError, match="expected a number"):
        structure(recording_json(size_mb=False), RoomRecording)


def test_optional_fields_take_null_and_absence() -> None:
    body = room_json(unique_name=None)
    del body["active_session_id"], body["sessions"], body["webhook_timeout_secs"]
    room = structure(body, Room)
    assert room.unique_name is None
    assert room.active_session_id is None
    assert room.sessions == ()


# --- growth of the API ----------------------------------------------------------------------


def test_unknown_fields_are_ignored() -> None:
    room = structure(room_json(brand_new_field={"x": 1}, another=[1, 2]), Room)
    assert room.id == "room-1"
    assert not hasattr(room, "brand_new_field")


def test_unknown_enum_values_are_kept_as_strings() -> None:
    rec = structure(recording_json(status="archived", type="screen"), RoomRecording)
    assert rec.status == "archived"
    assert not isinstance(rec.status, RecordingStatus)
    assert rec.type == "screen"
    comp = structure(composition_json(status="failed", format="webm"), RoomComposition)
    assert (comp.status, comp.format) == ("failed", "webm")


def test_known_enum_values_become_members() -> None:
    rec = structure(recording_json(status="processing", type="video"), RoomRecording)
    assert rec.status is RecordingStatus.PROCESSING
    assert rec.type is RecordingType.VIDEO
    comp = structure(composition_json(status="completed", format="mp4"), RoomComposition)
    assert comp.status is CompositionStatus.COMPLETED
    assert comp.format is CompositionFormat.MP4
    assert structure(composition_json(format=None), RoomComposition).format is None


def test_enum_fields_stay_strict_about_types() -> None:
    with pytest.raises(APIResponseValidationError, match=r"RoomRecording\.status"):
        structure(recording_json(status=None), RoomRecording)
    with pytest.raises(APIResponseValidationError, match=r"RoomComposition\.status"):
        structure(composition_json(status=3), RoomComposition)


# --- timestamps -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-04-16T09:46:20.954863Z", datetime(2021, 4, 16, 9, 46, 20, 954863, tzinfo=UTC)),
        ("2021-04-16T09:46:20.9548637Z", datetime(2021, 4, 16, 9, 46, 20, 954863, tzinfo=UTC)),
        ("2021-04-16 09:46:20.954863Z", datetime(2021, 4, 16, 9, 46, 20, 954863, tzinfo=UTC)),
        ("2021-04-16 09:46:20.9548637Z", datetime(2021, 4, 16, 9, 46, 20, 954863, tzinfo=UTC)),
        ("2021-04-16T09:46:20Z", datetime(2021, 4, 16, 9, 46, 20, tzinfo=UTC)),
        ("2021-04-16T09:46:20.5Z", datetime(2021, 4, 16, 9, 46, 20, 500000, tzinfo=UTC)),
        ("2021-04-16T09:46:20.954863", datetime(2021, 4, 16, 9, 46, 20, 954863, tzinfo=UTC)),
        ("2021-04-16T09:46:20.9548637+00:00", datetime(2021, 4, 16, 9, 46, 20, 954863, tzinfo=UTC)),
        (
            "2021-04-16T11:46:20.9548637+02:00",
            datetime(2021, 4, 16, 9, 46, 20, 954863, tzinfo=UTC),
        ),
    ],
)
def test_timestamps_parse_as_aware_datetimes(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed.tzinfo is not None
    assert parsed == expected
    room = structure(room_json(created_at=text), Room)
    assert room.created_at == expected
    assert room.created_at.utcoffset() is not None


def test_offsets_are_kept() -> None:
    parsed = parse_datetime("2021-04-16T11:46:20+02:00")
    assert parsed.utcoffset() == timedelta(hours=2)


def test_format_datetime_is_utc_with_z() -> None:
    east = timezone(timedelta(hours=2))
    assert format_datetime(datetime(2026, 1, 2, 5, 4, 5, 123456, tzinfo=east)) == (
        "2026-01-02T03:04:05.123456Z"
    )
    assert format_datetime(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05Z"


def test_round_trip_through_unstructure() -> None:
    room = structure(room_json(active_session_id="s1", sessions=[]), Room)
    raw = unstructure(room)
    assert raw["created_at"] == "2026-01-02T03:04:05.123456Z"
    assert "unique_name" in raw
    assert "webhook_event_url" not in raw  # None optional fields are left out
    assert structure(raw, Room) == room


# --- pages ----------------------------------------------------------------------------------


def test_page_helpers() -> None:
    meta = PaginationMeta(page_number=1, page_size=2, total_pages=3, total_results=5)
    page = Page(items=(1, 2), meta=meta)
    assert len(page) == 2
    assert list(page) == [1, 2]
    assert page.has_next
    assert not Page(items=(1,), meta=attrs.evolve(meta, page_number=3)).has_next
    assert not Page(items=(), meta=meta).has_next
    assert not Page(items=(1,)).has_next


# --- request bodies -------------------------------------------------------------------------


def test_video_region_accepts_lists_and_refuses_a_single_string() -> None:
    region = VideoRegion(video_sources=["a", "b"])
    assert region.video_sources == ("a", "b")
    assert VideoRegion().video_sources is None
    with pytest.raises(TypeError, match="video_sources"):
        VideoRegion(video_sources="abc")


def test_video_region_body_leaves_out_unset_fields() -> None:
    assert unstructure(VideoRegion(x_pos=0, z_pos=-2, video_sources=["p"])) == {
        "x_pos": 0,
        "z_pos": -2,
        "video_sources": ["p"],
    }
    assert unstructure(VideoRegion()) == {}


def test_date_filter_is_frozen_keyword_only() -> None:
    f = DateFilter(gte=date(2026, 1, 1), lte="2026-01-31")
    assert (f.eq, f.gte, f.lte) == (None, date(2026, 1, 1), "2026-01-31")
    with pytest.raises(TypeError):
        DateFilter(date(2026, 1, 1))  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("kwargs", "body"),
    [
        ({}, {}),
        ({"unique_name": None}, {"unique_name": None}),
        ({"webhook_event_url": None}, {"webhook_event_url": None}),
        ({"webhook_timeout_secs": None}, {"webhook_timeout_secs": None}),
        ({"webhook_event_failover_url": None}, {"webhook_event_failover_url": None}),
        ({"enable_recording": False}, {"enable_recording": False}),
        ({"max_participants": 2, "unique_name": "x"}, {"max_participants": 2, "unique_name": "x"}),
    ],
)
async def test_patch_tells_not_given_from_explicit_null(
    server: StubServer, client: AsyncVideoClient, kwargs: dict[str, Any], body: dict[str, Any]
) -> None:
    server.on("PATCH", "/rooms/r1", Reply(200, data(room_json("r1"))))
    await client.rooms.update("r1", **kwargs)
    assert server.requests[0].json == body


async def test_create_omits_what_was_not_passed(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("POST", "/rooms", Reply(201, data(room_json())))
    await client.rooms.create(enable_recording=False, webhook_event_url=None)
    assert server.requests[0].json == {"enable_recording": False}


# --- over the wire --------------------------------------------------------------------------


async def test_bad_response_raises_validation_error_with_request_id(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on(
        "GET",
        "/rooms/r1",
        Reply(200, data(room_json("r1", enable_recording="false")), headers={"x-request-id": "q"}),
    )
    with pytest.raises(APIResponseValidationError) as info:
        await client.rooms.retrieve("r1")
    assert info.value.status == 200
    assert info.value.request_id == "q"
    assert "Room.enable_recording" in str(info.value)


@pytest.mark.parametrize(
    "body",
    [
        {"room": room_json()},  # no data member
        [room_json()],
        "just text",
        {"data": [room_json()]},  # a list where an object is expected
        {"data": None},
    ],
)
async def test_wrong_envelopes_are_refused(
    server: StubServer, client: AsyncVideoClient, body: Any
) -> None:
    server.on("GET", "/rooms/r1", Reply(200, body))
    with pytest.raises(APIResponseValidationError):
        await client.rooms.retrieve("r1")


async def test_non_json_success_body(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms/r1", Reply(200, body=b"<html>proxy</html>"))
    with pytest.raises(APIResponseValidationError, match="not JSON"):
        await client.rooms.retrieve("r1")


async def test_bad_list_item_is_named(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms", Reply(200, page_json([room_json("a"), room_json(7)])))
    with pytest.raises(APIResponseValidationError, match=r"Room\.id"):
        await client.rooms.list()


async def test_list_data_must_be_a_list(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms", Reply(200, {"data": room_json(), "meta": None}))
    with pytest.raises(APIResponseValidationError, match="expected a list of Room"):
        await client.rooms.list()


async def test_session_embedded_in_room(server: StubServer, client: AsyncVideoClient) -> None:
    session = {
        "id": "s1",
        "room_id": "room-1",
        "active": False,
        "created_at": "2021-04-16T09:46:20.9548637Z",
        "updated_at": "2021-04-16 10:24:55.962200Z",
        "ended_at": "2021-04-16T10:24:55.962200Z",
    }
    server.on("GET", "/rooms/room-1", Reply(200, data(room_json(sessions=[session]))))
    room = await client.rooms.retrieve("room-1")
    assert room.sessions == (
        RoomSession(
            id="s1",
            room_id="room-1",
            active=False,
            created_at=datetime(2021, 4, 16, 9, 46, 20, 954863, tzinfo=UTC),
            updated_at=datetime(2021, 4, 16, 10, 24, 55, 962200, tzinfo=UTC),
            ended_at=datetime(2021, 4, 16, 10, 24, 55, 962200, tzinfo=UTC),
        ),
    )


def test_fast_and_slow_timestamp_paths_agree() -> None:
    from telnyx_video._converter import parse_datetime

    fast = parse_datetime("2021-04-16T09:46:20.954863Z")
    assert fast == parse_datetime(" 2021-04-16T09:46:20.9548631Z ")  # slow path: trims
    assert fast.tzinfo is not None
    assert parse_datetime("2021-04-16T09:46:20").tzinfo is not None  # naive means UTC
