"""The Video API: one handler per ``operationId``, routed by the contract's method and path.

A handler runs synchronously to its end (no ``await`` inside), so the records it was given
are still current when it changes the state.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from telnyx_video._converter import unstructure
from telnyx_video.emulator import _contract
from telnyx_video.emulator._core import Core
from telnyx_video.emulator._http import CORE, decode_json, json_response
from telnyx_video.emulator._listing import Records, paginate
from telnyx_video.emulator._media import MEDIA_KINDS
from telnyx_video.emulator._records import (
    COMPOSITIONS,
    PARTICIPANTS,
    RECORDINGS,
    ROOMS,
    SESSIONS,
    RoomRecord,
    SessionRecord,
    View,
    dumps,
)
from telnyx_video.emulator._validation import NO_BODY, Checked, check
from telnyx_video.models import JoinClientToken, RefreshedClientToken

__all__ = ["add_routes"]

ApiHandler = Callable[[Core, Checked, Any], web.Response]
_HANDLERS: dict[str, ApiHandler] = {}
_OK = {"data": {"result": "ok"}}


def _operation(operation_id: str) -> Callable[[ApiHandler], ApiHandler]:
    def register(handler: ApiHandler) -> ApiHandler:
        _HANDLERS[operation_id] = handler
        return handler

    return register


def _data(data: Any, status: int = 200) -> web.Response:
    return json_response({"data": data}, status)


def _no_content() -> web.Response:
    return web.Response(status=204)


def _listing(
    checked: Checked,
    records: Records[Any],
    render: Callable[[Any], dict[str, Any]] | View[Any],
    touch: Callable[[Any], None] | None = None,
) -> web.Response:
    """A page of ``records``: rendered by a view (its records' JSON kept encoded) or a
    function (for embedded resources); ``touch`` first brings each one up to date."""
    found, meta = paginate(records, checked.query.get("filter", {}), checked.query["page"])
    if touch is not None:
        for record in found:
            touch(record)
    if isinstance(render, View):
        data = b"[" + b",".join(render.encoded(r) for r in found) + b"]"
    else:
        data = dumps([render(r) for r in found])
    body = b'{"data":' + data + b',"meta":' + dumps(unstructure(meta)) + b"}"
    return web.Response(body=body, content_type="application/json")


def _session_json(core: Core, session: SessionRecord, with_participants: bool) -> dict[str, Any]:
    participants = core.state.participants
    embedded = (
        [PARTICIPANTS.json(participants[p]) for p in session.participant_ids]
        if with_participants
        else []
    )
    return SESSIONS.json(session, participants=embedded)


def _room_json(core: Core, room: RoomRecord, with_sessions: bool) -> dict[str, Any]:
    sessions = core.state.sessions
    embedded = (
        [_session_json(core, sessions[s], True) for s in reversed(room.session_ids)]
        if with_sessions
        else []
    )
    return ROOMS.json(room, sessions=embedded)


# -- rooms ----------------------------------------------------------------------------------


@_operation("ListRooms")
def _list_rooms(core: Core, checked: Checked, _: None) -> web.Response:
    if checked.query.get("include_sessions"):
        return _listing(checked, core.state.rooms.values(), lambda r: _room_json(core, r, True))
    return _listing(checked, core.state.rooms.values(), ROOMS)


@_operation("CreateRoom")
def _create_room(core: Core, checked: Checked, _: None) -> web.Response:
    body = checked.body_with_defaults()
    return _data(ROOMS.json(core.state.create_room(body, core.clock.now())), 201)


@_operation("ViewRoom")
def _view_room(core: Core, checked: Checked, room: RoomRecord) -> web.Response:
    return _data(_room_json(core, room, bool(checked.query.get("include_sessions"))))


@_operation("UpdateRoom")
def _update_room(core: Core, checked: Checked, room: RoomRecord) -> web.Response:
    core.state.update_room(room, checked.body, core.clock.now())
    return _data(ROOMS.json(room))


@_operation("DeleteRoom")
def _delete_room(core: Core, checked: Checked, room: RoomRecord) -> web.Response:
    core.state.delete_room(room, core.clock.now())
    return _no_content()


@_operation("RetrieveListRoomSessions")
def _list_room_sessions(core: Core, checked: Checked, room: RoomRecord) -> web.Response:
    sessions = [core.state.sessions[s] for s in room.session_ids]
    return _sessions(core, checked, sessions)


@_operation("CreateRoomClientToken")
def _generate_token(core: Core, checked: Checked, room: RoomRecord) -> web.Response:
    body = checked.body_with_defaults()
    tokens = core.state.issue_tokens(
        room, body["token_ttl_secs"], body["refresh_token_ttl_secs"], core.clock.now()
    )
    return _data(unstructure(JoinClientToken(**tokens)), 201)


@_operation("RefreshRoomClientToken")
def _refresh_token(core: Core, checked: Checked, room: RoomRecord) -> web.Response:
    body = checked.body_with_defaults()
    token = core.state.refresh_token(
        room, body["refresh_token"], body["token_ttl_secs"], core.clock.now()
    )
    return _data(unstructure(RefreshedClientToken(**token)), 201)


# -- sessions and participants --------------------------------------------------------------


def _sessions(core: Core, checked: Checked, sessions: Records[SessionRecord]) -> web.Response:
    if checked.query.get("include_participants"):
        return _listing(checked, sessions, lambda s: _session_json(core, s, True))
    return _listing(checked, sessions, SESSIONS)


@_operation("ListRoomSessions")
def _list_sessions(core: Core, checked: Checked, _: None) -> web.Response:
    return _sessions(core, checked, core.state.sessions.values())


@_operation("ViewRoomSession")
def _view_session(core: Core, checked: Checked, session: SessionRecord) -> web.Response:
    return _data(_session_json(core, session, bool(checked.query.get("include_participants"))))


@_operation("EndSession")
def _end_session(core: Core, checked: Checked, session: SessionRecord) -> web.Response:
    core.state.end_session(session, core.clock.now())
    return json_response(_OK)


def _action(action: str) -> ApiHandler:
    def act(core: Core, checked: Checked, session: SessionRecord) -> web.Response:
        body = checked.body
        participants, exclude = body.get("participants", "all"), body.get("exclude") or ()
        core.state.act(session, action, participants, exclude, core.clock.now())
        return json_response(_OK)

    return act


for _name in ("Kick", "Mute", "Unmute"):
    _operation(f"{_name}ParticipantInSession")(_action(_name.lower()))


@_operation("RetrieveListRoomParticipants")
def _list_session_participants(
    core: Core, checked: Checked, session: SessionRecord
) -> web.Response:
    participants = [core.state.participants[p] for p in session.participant_ids]
    return _listing(checked, participants, PARTICIPANTS)


# -- recordings and compositions ------------------------------------------------------------


@_operation("DeleteRoomRecordings")
def _delete_recordings(core: Core, checked: Checked, _: None) -> web.Response:
    recordings = core.state.recordings
    everything = {"number": 1, "size": max(1, len(recordings))}
    matching, _meta = paginate(recordings.values(), checked.query.get("filter", {}), everything)
    for recording in matching:
        del recordings[recording.id]
    return json_response({"data": {"room_recordings": len(matching)}}, 201)


@_operation("CreateRoomComposition")
def _create_composition(core: Core, checked: Checked, _: None) -> web.Response:
    body = checked.body_with_defaults()
    composition = core.state.create_composition(body, core.clock.now())
    return _data(COMPOSITIONS.json(composition), 202)


# -- the plain ones: list everything, view one, delete one ------------------------------------


def _media_links(core: Core, collection: str) -> Callable[[Any], None] | None:
    """For media records: re-mint a ``download_url`` past half its life before showing it."""
    if collection not in MEDIA_KINDS:
        return None
    now = core.clock.now()
    return lambda record: core.media.refresh(record, collection, now)


def _list_all(collection: str, view: View[Any]) -> ApiHandler:
    return lambda core, checked, _: _listing(
        checked, getattr(core.state, collection).values(), view, _media_links(core, collection)
    )


def _view(collection: str, view: View[Any]) -> ApiHandler:
    def show(core: Core, checked: Checked, record: Any) -> web.Response:
        touch = _media_links(core, collection)
        if touch is not None:
            touch(record)
        return _data(view.json(record))

    return show


def _delete(collection: str) -> ApiHandler:
    def delete(core: Core, checked: Checked, record: Any) -> web.Response:
        del getattr(core.state, collection)[record.id]
        return _no_content()

    return delete


for _noun, _collection, _records in (
    ("Participant", "participants", PARTICIPANTS),
    ("Recording", "recordings", RECORDINGS),
    ("Composition", "compositions", COMPOSITIONS),
):
    _operation(f"ListRoom{_noun}s")(_list_all(_collection, _records))
    _operation(f"ViewRoom{_noun}")(_view(_collection, _records))
    if _noun != "Participant":
        _operation(f"DeleteRoom{_noun}")(_delete(_collection))


# -- routing --------------------------------------------------------------------------------


def _endpoint(operation: _contract.Operation, handler: ApiHandler) -> Callable[[web.Request], Any]:
    has_body = operation.body_schema is not None

    async def handle(request: web.Request) -> web.Response:
        core = request.app[CORE]
        # The body arrives first: from the lookup of the path's records to the state change,
        # nothing is awaited, so no concurrent request (a DELETE, a reset) can slip in between
        # and leave the handler acting on a record that is gone.
        raw = await request.read() if has_body else b""
        core.sync()
        record = None
        for name, value in request.match_info.items():
            record = core.state.find(name, value)
        body = decode_json(request, raw) if has_body else NO_BODY
        checked = check(
            operation.operation_id,
            path=request.match_info,
            query=request.query,
            body=body,
            strict=core.settings.strict,
        )
        return handler(core, checked, record)

    handle.operation = operation  # type: ignore[attr-defined]
    return handle


def add_routes(router: web.UrlDispatcher, prefix: str) -> None:
    """Route every operation of the contract to its handler, under ``prefix``.

    A path parameter matches any one segment (aiohttp's default refuses ``{`` and ``}``,
    which would answer "route not found" instead of "no room with id ...").
    """
    operations = _contract.operations()
    if set(operations) != set(_HANDLERS):
        raise RuntimeError(f"handlers and contract disagree: {set(operations) ^ set(_HANDLERS)}")
    for operation in operations.values():
        path = re.sub(r"\{(\w+)\}", r"{\1:[^/]+}", operation.path)
        handler = _endpoint(operation, _HANDLERS[operation.operation_id])
        router.add_route(operation.method, prefix + path, handler)
