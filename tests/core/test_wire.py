"""Every operation: the exact method, path, query and JSON body on the wire, and the result."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from _stub import Recorded, Reply, StubServer

from telnyx_video import (
    ActionResult,
    AsyncVideoClient,
    CompositionFormat,
    CompositionStatus,
    DateFilter,
    JoinClientToken,
    Page,
    RecordingStatus,
    RecordingType,
    RefreshedClientToken,
    Room,
    RoomComposition,
    RoomParticipant,
    RoomRecording,
    RoomSession,
    VideoRegion,
    __version__,
)
from telnyx_video.models import MAX_PAGE_SIZE

from .helpers import (
    API_KEY,
    TS,
    MakeClient,
    composition_json,
    data,
    page_json,
    participant_json,
    recording_json,
    room_json,
    session_json,
)

WHEN = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)


def only(server: StubServer) -> Recorded:
    assert len(server.requests) == 1, server.requests
    return server.requests[0]


# --- headers --------------------------------------------------------------------------------


async def test_headers_of_a_get(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms/r", Reply(200, data(room_json("r"))))
    await client.rooms.retrieve("r")
    req = only(server)
    assert req.headers["Authorization"] == f"Bearer {API_KEY}"
    assert req.headers["Accept"] == "application/json"
    assert req.headers["User-Agent"] == f"telnyx-video-python/{__version__}"
    assert "Content-Type" not in req.headers
    assert req.body == b""


async def test_headers_of_a_post_and_custom_user_agent(
    server: StubServer, make_client: MakeClient
) -> None:
    client = make_client(user_agent="myapp/1.2")
    server.on("POST", "/rooms", Reply(201, data(room_json())))
    await client.rooms.create(max_participants=5)
    req = only(server)
    assert req.headers["Content-Type"] == "application/json"
    assert req.headers["User-Agent"] == f"myapp/1.2 telnyx-video-python/{__version__}"


# --- rooms ----------------------------------------------------------------------------------


async def test_rooms_list_no_filters(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms", Reply(200, page_json([room_json("a"), room_json("b")])))
    page = await client.rooms.list()
    req = only(server)
    assert (req.method, req.path, req.query) == ("GET", "/v2/rooms", "page[number]=1")
    assert isinstance(page, Page)
    assert [r.id for r in page.items] == ["a", "b"]
    assert all(isinstance(r, Room) for r in page.items)
    assert page.meta is not None
    assert page.meta.total_results == 2


async def test_rooms_list_every_filter(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms", Reply(200, page_json([])))
    await client.rooms.list(
        unique_name="stand up/1",
        date_created_at=DateFilter(gte=date(2026, 1, 1), lte="2026-01-31"),
        date_updated_at="2026-02-01",
        include_sessions=True,
        page_size=50,
    )
    assert only(server).query == (
        "filter[unique_name]=stand%20up%2F1"
        "&filter[date_created_at][gte]=2026-01-01&filter[date_created_at][lte]=2026-01-31"
        "&filter[date_updated_at][eq]=2026-02-01"
        "&include_sessions=true&page[number]=1&page[size]=50"
    )


async def test_rooms_create_sends_only_given_fields(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("POST", "/rooms", Reply(201, data(room_json("new", unique_name=None))))
    room = await client.rooms.create(max_participants=7)
    req = only(server)
    assert (req.method, req.raw_path) == ("POST", "/v2/rooms")
    assert req.json == {"max_participants": 7}
    assert isinstance(room, Room)
    assert room.id == "new"
    assert room.unique_name is None


async def test_rooms_create_every_field(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("POST", "/rooms", Reply(201, data(room_json("new"))))
    room = await client.rooms.create(
        unique_name="standup",
        max_participants=10,
        enable_recording=False,
        webhook_event_url="https://example.com/hook",
        webhook_event_failover_url="https://example.com/fail",
        webhook_timeout_secs=0,
    )
    assert only(server).json == {
        "unique_name": "standup",
        "max_participants": 10,
        "enable_recording": False,
        "webhook_event_url": "https://example.com/hook",
        "webhook_event_failover_url": "https://example.com/fail",
        "webhook_timeout_secs": 0,
    }
    assert room.created_at == WHEN


async def test_rooms_create_empty_body(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("POST", "/rooms", Reply(201, data(room_json())))
    await client.rooms.create()
    assert only(server).json == {}


async def test_rooms_retrieve(server: StubServer, client: AsyncVideoClient) -> None:
    body = room_json(
        "r1",
        active_session_id="s1",
        sessions=[session_json("s1", participants=[participant_json("p1")])],
    )
    server.on("GET", "/rooms/r1", Reply(200, data(body)))
    room = await client.rooms.retrieve("r1", include_sessions=True)
    req = only(server)
    assert (req.method, req.path, req.query) == ("GET", "/v2/rooms/r1", "include_sessions=true")
    assert room.active_session_id == "s1"
    assert isinstance(room.sessions[0], RoomSession)
    assert isinstance(room.sessions[0].participants[0], RoomParticipant)
    assert room.sessions[0].participants[0].context == "Alice"


async def test_rooms_retrieve_without_query(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms/r1", Reply(200, data(room_json("r1"))))
    await client.rooms.retrieve("r1")
    assert only(server).raw_path == "/v2/rooms/r1"


async def test_rooms_update_sends_only_given_fields_and_explicit_nulls(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("PATCH", "/rooms/r1", Reply(200, data(room_json("r1", max_participants=20))))
    room = await client.rooms.update("r1", max_participants=20, webhook_event_url=None)
    req = only(server)
    assert (req.method, req.raw_path) == ("PATCH", "/v2/rooms/r1")
    assert req.json == {"max_participants": 20, "webhook_event_url": None}
    assert room.max_participants == 20


async def test_rooms_update_every_field(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("PATCH", "/rooms/r1", Reply(200, data(room_json("r1"))))
    await client.rooms.update(
        "r1",
        unique_name="renamed",
        max_participants=3,
        enable_recording=True,
        webhook_event_url="https://example.com/a",
        webhook_event_failover_url="https://example.com/b",
        webhook_timeout_secs=30,
    )
    assert only(server).json == {
        "unique_name": "renamed",
        "max_participants": 3,
        "enable_recording": True,
        "webhook_event_url": "https://example.com/a",
        "webhook_event_failover_url": "https://example.com/b",
        "webhook_timeout_secs": 30,
    }


async def test_rooms_delete(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("DELETE", "/rooms/r1", Reply(204))
    assert await client.rooms.delete("r1") is None  # type: ignore[func-returns-value]
    req = only(server)
    assert (req.method, req.raw_path, req.body) == ("DELETE", "/v2/rooms/r1", b"")


async def test_rooms_list_sessions(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms/r1/sessions", Reply(200, page_json([session_json()])))
    page = await client.rooms.list_sessions(
        "r1",
        active=False,
        date_created_at=DateFilter(eq=date(2026, 1, 5)),
        date_updated_at=DateFilter(gte="2026-01-01"),
        date_ended_at=DateFilter(lte=date(2026, 3, 1)),
        include_participants=False,
        page_size=2,
    )
    req = only(server)
    assert req.path == "/v2/rooms/r1/sessions"
    assert req.query == (
        "filter[active]=false&filter[date_created_at][eq]=2026-01-05"
        "&filter[date_updated_at][gte]=2026-01-01&filter[date_ended_at][lte]=2026-03-01"
        "&include_participants=false&page[number]=1&page[size]=2"
    )
    assert isinstance(page.items[0], RoomSession)
    assert page.items[0].active is True


async def test_rooms_generate_join_client_token(
    server: StubServer, client: AsyncVideoClient
) -> None:
    token = {
        "token": "tok",
        "token_expires_at": "2026-01-02T03:14:05.000000Z",
        "refresh_token": "ref",
        "refresh_token_expires_at": "2026-01-02T04:04:05Z",
    }
    path = "/rooms/r1/actions/generate_join_client_token"
    server.on("POST", path, Reply(201, data(token)))
    result = await client.rooms.generate_join_client_token(
        "r1", token_ttl_secs=600, refresh_token_ttl_secs=3600
    )
    req = only(server)
    assert (req.method, req.raw_path) == ("POST", f"/v2{path}")
    assert req.json == {"token_ttl_secs": 600, "refresh_token_ttl_secs": 3600}
    assert result == JoinClientToken(
        token="tok",
        token_expires_at=datetime(2026, 1, 2, 3, 14, 5, tzinfo=UTC),
        refresh_token="ref",
        refresh_token_expires_at=datetime(2026, 1, 2, 4, 4, 5, tzinfo=UTC),
    )


async def test_rooms_generate_join_client_token_defaults(
    server: StubServer, client: AsyncVideoClient
) -> None:
    token = {
        "token": "t",
        "token_expires_at": TS,
        "refresh_token": "r",
        "refresh_token_expires_at": TS,
    }
    server.on("POST", "/rooms/r1/actions/generate_join_client_token", Reply(201, data(token)))
    await client.rooms.generate_join_client_token("r1")
    assert only(server).json == {}


async def test_rooms_refresh_client_token(server: StubServer, client: AsyncVideoClient) -> None:
    path = "/rooms/r1/actions/refresh_client_token"
    server.on("POST", path, Reply(201, data({"token": "new", "token_expires_at": TS})))
    result = await client.rooms.refresh_client_token("r1", refresh_token="ref", token_ttl_secs=60)
    req = only(server)
    assert (req.method, req.raw_path) == ("POST", f"/v2{path}")
    assert req.json == {"refresh_token": "ref", "token_ttl_secs": 60}
    assert result == RefreshedClientToken(token="new", token_expires_at=WHEN)


async def test_rooms_refresh_client_token_requires_a_token(client: AsyncVideoClient) -> None:
    with pytest.raises(ValueError, match="refresh_token"):
        await client.rooms.refresh_client_token("r1", refresh_token="")


# --- room sessions --------------------------------------------------------------------------


async def test_room_sessions_list(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/room_sessions", Reply(200, page_json([session_json(ended_at=TS)])))
    page = await client.room_sessions.list(
        room_id="r1",
        active=True,
        date_created_at=date(2026, 1, 1),
        date_updated_at=DateFilter(gte="2026-01-01", lte="2026-01-02"),
        date_ended_at=DateFilter(eq="2026-01-03"),
        include_participants=True,
        page_size=MAX_PAGE_SIZE,
    )
    assert only(server).query == (
        "filter[room_id]=r1&filter[active]=true&filter[date_created_at][eq]=2026-01-01"
        "&filter[date_updated_at][gte]=2026-01-01&filter[date_updated_at][lte]=2026-01-02"
        "&filter[date_ended_at][eq]=2026-01-03&include_participants=true"
        f"&page[number]=1&page[size]={MAX_PAGE_SIZE}"
    )
    assert page.items[0].ended_at == WHEN


async def test_room_sessions_retrieve(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/room_sessions/s1", Reply(200, data(session_json("s1"))))
    session = await client.room_sessions.retrieve("s1", include_participants=True)
    req = only(server)
    assert (req.method, req.raw_path) == ("GET", "/v2/room_sessions/s1?include_participants=true")
    assert isinstance(session, RoomSession)
    assert session.id == "s1"


async def test_room_sessions_list_participants(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("GET", "/room_sessions/s1/participants", Reply(200, page_json([participant_json()])))
    page = await client.room_sessions.list_participants(
        "s1",
        context="Alice & Bob",
        date_joined_at=DateFilter(gte=date(2026, 1, 1)),
        date_left_at="2026-01-02",
        date_updated_at=DateFilter(lte=datetime(2026, 1, 3, 12, 0, tzinfo=UTC)),
        page_size=5,
    )
    req = only(server)
    assert req.path == "/v2/room_sessions/s1/participants"
    assert req.query == (
        "filter[context]=Alice%20%26%20Bob&filter[date_joined_at][gte]=2026-01-01"
        "&filter[date_left_at][eq]=2026-01-02&filter[date_updated_at][lte]=2026-01-03"
        "&page[number]=1&page[size]=5"
    )
    assert page.items == (
        RoomParticipant(
            id="part-1", session_id="sess-1", context="Alice", joined_at=WHEN, updated_at=WHEN
        ),
    )


async def test_room_sessions_end(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("POST", "/room_sessions/s1/actions/end", Reply(200, data({"result": "ok"})))
    result = await client.room_sessions.end("s1")
    req = only(server)
    assert (req.method, req.raw_path) == ("POST", "/v2/room_sessions/s1/actions/end")
    # The operation has no requestBody: a contract-validating server answers {} with 415.
    assert req.body == b""
    assert "Content-Type" not in req.headers
    assert result == ActionResult(result="ok")


@pytest.mark.parametrize("action", ["kick", "mute", "unmute"])
async def test_room_sessions_participant_actions_all(
    server: StubServer, client: AsyncVideoClient, action: str
) -> None:
    server.on("POST", f"/room_sessions/s1/actions/{action}", Reply(200, data({"result": "ok"})))
    result = await getattr(client.room_sessions, action)("s1", participants="all", exclude=["p2"])
    req = only(server)
    assert (req.method, req.raw_path) == ("POST", f"/v2/room_sessions/s1/actions/{action}")
    assert req.json == {"participants": "all", "exclude": ["p2"]}
    assert result == ActionResult(result="ok")


@pytest.mark.parametrize("action", ["kick", "mute", "unmute"])
async def test_room_sessions_participant_actions_ids(
    server: StubServer, client: AsyncVideoClient, action: str
) -> None:
    server.on("POST", f"/room_sessions/s1/actions/{action}", Reply(200, data({"result": "ok"})))
    await getattr(client.room_sessions, action)("s1", participants=("p1", "p2"))
    assert only(server).json == {"participants": ["p1", "p2"]}


@pytest.mark.parametrize("bad", ["p1", [""], [1], None, {"p1": 1}])
async def test_room_sessions_participants_are_validated(
    server: StubServer, client: AsyncVideoClient, bad: object
) -> None:
    with pytest.raises(TypeError, match="participants"):
        await client.room_sessions.kick("s1", participants=bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="exclude"):
        await client.room_sessions.mute("s1", participants="all", exclude="p1")
    assert server.requests == []


# --- room participants ----------------------------------------------------------------------


async def test_room_participants_list(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/room_participants", Reply(200, page_json([participant_json()])))
    page = await client.room_participants.list(
        session_id="s1",
        context="Alice",
        date_joined_at=DateFilter(eq="2026-01-01"),
        date_left_at=DateFilter(gte="2026-01-01"),
        date_updated_at=DateFilter(lte="2026-01-09"),
    )
    assert only(server).query == (
        "filter[session_id]=s1&filter[context]=Alice&filter[date_joined_at][eq]=2026-01-01"
        "&filter[date_left_at][gte]=2026-01-01&filter[date_updated_at][lte]=2026-01-09"
        "&page[number]=1"
    )
    assert isinstance(page.items[0], RoomParticipant)


async def test_room_participants_retrieve(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/room_participants/p1", Reply(200, data(participant_json("p1"))))
    participant = await client.room_participants.retrieve("p1")
    req = only(server)
    assert (req.method, req.raw_path) == ("GET", "/v2/room_participants/p1")
    assert participant.id == "p1"
    assert participant.joined_at == WHEN


# --- room recordings ------------------------------------------------------------------------


async def test_room_recordings_list(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/room_recordings", Reply(200, page_json([recording_json()])))
    page = await client.room_recordings.list(
        room_id="r1",
        session_id="s1",
        participant_id="p1",
        status=RecordingStatus.COMPLETED,
        type="video",
        duration_secs=30,
        date_started_at=DateFilter(gte="2026-01-01"),
        date_ended_at=DateFilter(lte="2026-01-31"),
        page_size=10,
    )
    req = only(server)
    assert req.path == "/v2/room_recordings"
    assert sorted(req.params) == sorted(
        [
            ("filter[room_id]", "r1"),
            ("filter[session_id]", "s1"),
            ("filter[participant_id]", "p1"),
            ("filter[status]", "completed"),
            ("filter[type]", "video"),
            ("filter[duration_secs]", "30"),
            ("filter[date_started_at][gte]", "2026-01-01"),
            ("filter[date_ended_at][lte]", "2026-01-31"),
            ("page[number]", "1"),
            ("page[size]", "10"),
        ]
    )
    rec = page.items[0]
    assert isinstance(rec, RoomRecording)
    assert rec.status is RecordingStatus.COMPLETED
    assert rec.type is RecordingType.AUDIO
    assert rec.size_mb == 5.6
    assert rec.duration_secs == 67


async def test_room_recordings_retrieve(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/room_recordings/rec1", Reply(200, data(recording_json("rec1"))))
    rec = await client.room_recordings.retrieve("rec1")
    assert only(server).raw_path == "/v2/room_recordings/rec1"
    assert rec.id == "rec1"
    assert rec.completed_at == WHEN


async def test_room_recordings_delete(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("DELETE", "/room_recordings/rec1", Reply(204))
    await client.room_recordings.delete("rec1")
    req = only(server)
    assert (req.method, req.raw_path) == ("DELETE", "/v2/room_recordings/rec1")


async def test_room_recordings_delete_many(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("DELETE", "/room_recordings", Reply(201, data({"room_recordings": 3})))
    count = await client.room_recordings.delete_many(
        room_id="r1", status="completed", date_ended_at=DateFilter(lte=date(2026, 1, 31))
    )
    req = only(server)
    assert req.method == "DELETE"
    assert sorted(req.params) == [
        ("filter[date_ended_at][lte]", "2026-01-31"),
        ("filter[room_id]", "r1"),
        ("filter[status]", "completed"),
    ]
    assert count == 3


async def test_room_recordings_delete_many_refuses_no_filter(
    server: StubServer, client: AsyncVideoClient
) -> None:
    with pytest.raises(ValueError, match="delete_all=True"):
        await client.room_recordings.delete_many()
    assert server.requests == []
    server.on("DELETE", "/room_recordings", Reply(201, data({"room_recordings": 0})))
    assert await client.room_recordings.delete_many(delete_all=True) == 0
    assert only(server).raw_path == "/v2/room_recordings"


# --- room compositions ----------------------------------------------------------------------


async def test_room_compositions_list(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/room_compositions", Reply(200, page_json([composition_json()])))
    page = await client.room_compositions.list(
        session_id="s1",
        status=CompositionStatus.PROCESSING,
        date_created_at=DateFilter(gte="2026-01-01"),
        page_size=3,
    )
    req = only(server)
    assert sorted(req.params) == [
        ("filter[date_created_at][gte]", "2026-01-01"),
        ("filter[session_id]", "s1"),
        ("filter[status]", "processing"),
        ("page[number]", "1"),
        ("page[size]", "3"),
    ]
    comp = page.items[0]
    assert comp.status is CompositionStatus.ENQUEUED
    assert comp.format is CompositionFormat.MP4
    assert comp.video_layout == {
        "first": VideoRegion(
            x_pos=0, y_pos=0, z_pos=0, height=720, width=1280, video_sources=("part-1",)
        )
    }


async def test_room_compositions_create(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("POST", "/room_compositions", Reply(202, data(composition_json("c9"))))
    comp = await client.room_compositions.create(
        session_id="s1",
        format="mp4",
        resolution="800x600",
        video_layout={
            "main": VideoRegion(x_pos=0, y_pos=0, width=640, height=480, video_sources=["p1"]),
            "grid": VideoRegion(max_columns=2, max_rows=2, z_pos=-1),
        },
        webhook_event_url="https://example.com/hook",
        webhook_event_failover_url="https://example.com/fail",
        webhook_timeout_secs=5,
    )
    req = only(server)
    assert (req.method, req.raw_path) == ("POST", "/v2/room_compositions")
    assert req.json == {
        "session_id": "s1",
        "format": "mp4",
        "resolution": "800x600",
        "video_layout": {
            "main": {"x_pos": 0, "y_pos": 0, "width": 640, "height": 480, "video_sources": ["p1"]},
            "grid": {"max_columns": 2, "max_rows": 2, "z_pos": -1},
        },
        "webhook_event_url": "https://example.com/hook",
        "webhook_event_failover_url": "https://example.com/fail",
        "webhook_timeout_secs": 5,
    }
    assert isinstance(comp, RoomComposition)
    assert comp.id == "c9"


async def test_room_compositions_create_minimal(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("POST", "/room_compositions", Reply(202, data(composition_json())))
    await client.room_compositions.create(session_id="s1")
    assert only(server).json == {"session_id": "s1"}


async def test_room_compositions_create_refuses_non_region(
    server: StubServer, client: AsyncVideoClient
) -> None:
    with pytest.raises(TypeError, match="VideoRegion"):
        await client.room_compositions.create(
            session_id="s1",
            video_layout={"main": {"x_pos": 0}},  # type: ignore[dict-item]
        )
    assert server.requests == []


async def test_room_compositions_retrieve(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/room_compositions/c1", Reply(200, data(composition_json("c1"))))
    comp = await client.room_compositions.retrieve("c1")
    assert only(server).raw_path == "/v2/room_compositions/c1"
    assert comp.id == "c1"


async def test_room_compositions_delete(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("DELETE", "/room_compositions/c1", Reply(204))
    await client.room_compositions.delete("c1")
    req = only(server)
    assert (req.method, req.raw_path) == ("DELETE", "/v2/room_compositions/c1")


# --- path ids -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("room_id", "raw"),
    [
        ("a/b", "a%2Fb"),
        ("..", "%2E%2E"),
        ("a b?c#d", "a%20b%3Fc%23d"),
        ("é", "%C3%A9"),
        ("x%2Fy", "x%252Fy"),
    ],
)
async def test_path_ids_are_percent_encoded(
    server: StubServer, client: AsyncVideoClient, room_id: str, raw: str
) -> None:
    server.on("GET", f"/rooms/{raw}", Reply(200, data(room_json(room_id))))
    room = await client.rooms.retrieve(room_id)
    assert only(server).raw_path == f"/v2/rooms/{raw}"
    assert room.id == room_id


@pytest.mark.parametrize("bad", ["", "   "])
async def test_empty_path_ids_are_refused(
    server: StubServer, client: AsyncVideoClient, bad: str
) -> None:
    with pytest.raises(ValueError, match="room_id"):
        await client.rooms.retrieve(bad)
    with pytest.raises(ValueError, match="room_session_id"):
        await client.room_sessions.end(bad)
    with pytest.raises(ValueError, match="room_participant_id"):
        await client.room_participants.retrieve(bad)
    with pytest.raises(ValueError, match="room_recording_id"):
        await client.room_recordings.delete(bad)
    with pytest.raises(ValueError, match="room_composition_id"):
        await client.room_compositions.delete(bad)
    with pytest.raises(ValueError, match="room_id"):
        client.rooms.list_sessions(bad)
    assert server.requests == []


async def test_non_string_ids_are_refused(client: AsyncVideoClient) -> None:
    with pytest.raises(TypeError, match="room_id"):
        await client.rooms.retrieve(123)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="room_id"):
        await client.rooms.retrieve(None)  # type: ignore[arg-type]
