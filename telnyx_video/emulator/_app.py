"""The aiohttp application: the API under ``/v2``, the control API under ``/_emulator``."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from telnyx_video._converter import unstructure
from telnyx_video.emulator import _contract
from telnyx_video.emulator import _errors as errors
from telnyx_video.emulator._core import Core
from telnyx_video.emulator._errors import EmulatorError, error_body, error_entry
from telnyx_video.emulator._faults import FaultConfig, FaultPlan
from telnyx_video.emulator._listing import paginate
from telnyx_video.emulator._records import SessionRecord
from telnyx_video.emulator._validation import NO_BODY, Checked, ValidationFailed, check
from telnyx_video.models import JoinClientToken, RefreshedClientToken

__all__ = ["API_PREFIX", "CONTROL_PREFIX", "CORE", "MAX_JSON_DEPTH", "build_app"]

logger = logging.getLogger("telnyx_video.emulator")

API_PREFIX = "/v2"
CONTROL_PREFIX = "/_emulator/"
CORE = web.AppKey("core", Core)
#: How deeply a request body may nest arrays and objects (the top-level object is 1): the
#: API's deepest body is far shallower, and deeper ones only serve to exhaust the stack.
MAX_JSON_DEPTH = 64
_DUMPS = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

#: An API handler: it runs synchronously to its end (no ``await`` inside), so the records it
#: was given are still current when it changes the state.
ApiHandler = Callable[[Core, Checked, Any], Awaitable[web.Response]]


# -- responses ---------------------------------------------------------------------------


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON response (compact, UTF-8)."""
    return web.Response(body=_DUMPS(data).encode(), status=status, content_type="application/json")


def _data(value: Any, status: int = 200) -> web.Response:
    return json_response({"data": unstructure(value)}, status)


def _listing(items: list[Any], meta: Any) -> web.Response:
    return json_response({"data": [unstructure(item) for item in items], "meta": unstructure(meta)})


def _no_content() -> web.Response:
    return web.Response(status=204)


def error_response(exc: EmulatorError) -> web.Response:
    """The Telnyx-shaped response of an [`EmulatorError`][telnyx_video.emulator.EmulatorError]."""
    response = json_response(exc.body(), exc.status)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _http_error(exc: web.HTTPException) -> web.Response:
    if exc.status == 405:
        error = EmulatorError(
            405,
            errors.METHOD_NOT_ALLOWED,
            "Method not allowed",
            f"This route does not support {exc.method if hasattr(exc, 'method') else 'it'}.",
        )
    elif exc.status == 404:
        error = EmulatorError(
            404, errors.NOT_FOUND, "Route not found", "No such route in the Video API."
        )
    else:
        error = EmulatorError(exc.status, str(exc.status), exc.reason or "HTTP error")
    response = error_response(error)
    if exc.status == 405 and "Allow" in exc.headers:
        response.headers["Allow"] = exc.headers["Allow"]
    return response


# -- request plumbing ---------------------------------------------------------------------


def _authenticate(request: web.Request, core: Core) -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    given = token.strip().encode("utf-8", "replace")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, core.api_key_bytes):
        raise EmulatorError(
            401,
            errors.AUTHENTICATION_FAILED,
            "Authentication failed",
            "The request needs 'Authorization: Bearer <API key>' with a valid API key.",
        )


async def _read_json(request: web.Request) -> Any:
    """The decoded JSON body, or ``NO_BODY`` when there is none."""
    return _decode_json(request, await request.read())


def _decode_json(request: web.Request, raw: bytes) -> Any:
    """``raw`` (the request's body) decoded as JSON, or ``NO_BODY`` when it is blank."""
    if not raw.strip():
        return NO_BODY
    content_type = request.content_type
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise EmulatorError(
            415,
            errors.UNSUPPORTED_MEDIA_TYPE,
            "Unsupported media type",
            f"Send JSON with 'Content-Type: application/json', not {content_type[:60]!r}.",
        )
    try:
        body = json.loads(raw)
    except RecursionError:
        raise _too_deep() from None
    except ValueError:  # UnicodeError is a ValueError
        raise _invalid_json() from None
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _nested_deeper(body, MAX_JSON_DEPTH):
        raise _too_deep()
    if b"\\u" in raw:  # escapes can smuggle in lone surrogates, which no answer could encode
        try:
            _DUMPS(body).encode()
        except ValueError:
            raise _invalid_json() from None
    return body


def _invalid_json() -> EmulatorError:
    return EmulatorError(
        400, errors.INVALID_JSON, "Invalid JSON", "The request body is not valid JSON."
    )


def _too_deep() -> EmulatorError:
    return EmulatorError(
        400,
        errors.INVALID_JSON,
        "Invalid JSON",
        f"The request body is nested too deeply (more than {MAX_JSON_DEPTH} levels).",
    )


def _nested_deeper(value: Any, limit: int) -> bool:
    """Whether ``value`` nests arrays and objects more than ``limit`` levels (no recursion)."""
    if not isinstance(value, dict | list):
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, dict | list):
                if depth >= limit:
                    return True
                stack.append((child, depth + 1))
    return False


def _lookup(core: Core, name: str, value: str) -> Any:
    state = core.state
    if name == "room_id":
        return state.room(value)
    if name == "room_session_id":
        return state.session(value)
    if name == "room_participant_id":
        return state.participant(value)
    if name == "room_recording_id":
        return state.recording(value)
    return state.composition(value)


def _operation(
    operation_id: str, handler: ApiHandler
) -> Callable[[web.Request], Awaitable[web.Response]]:
    has_body = _contract.operation(operation_id).body_schema is not None

    async def handle(request: web.Request) -> web.Response:
        core = request.app[CORE]
        # The body arrives first: from the lookup of the path's records to the state change,
        # nothing is awaited, so no concurrent request (a DELETE, a reset) can slip in between
        # and leave the handler acting on a record that is gone.
        raw = await request.read() if has_body else b""
        core.sync()
        record = None
        match_info = request.match_info
        for name, value in match_info.items():
            record = _lookup(core, name, value)
        body = _decode_json(request, raw) if has_body else NO_BODY
        checked = check(operation_id, path=match_info, query=request.query, body=body)
        return await handler(core, checked, record)

    handle.__name__ = operation_id
    handle.operation_id = operation_id  # type: ignore[attr-defined]
    return handle


# -- rooms --------------------------------------------------------------------------------


def _session_model(core: Core, session: SessionRecord, with_participants: bool) -> Any:
    participants = (
        tuple(core.state.participants[pid].to_model() for pid in session.participant_ids)
        if with_participants
        else ()
    )
    return session.to_model(participants)


def _room_model(core: Core, room: Any, with_sessions: bool) -> Any:
    sessions = (
        tuple(
            _session_model(core, core.state.sessions[sid], True)
            for sid in reversed(room.session_ids)
        )
        if with_sessions
        else ()
    )
    return room.to_model(sessions)


async def list_rooms(core: Core, checked: Checked, _: Any) -> web.Response:
    query = checked.query
    rooms, meta = paginate(
        core.state.newest_first(core.state.rooms), query.get("filter", {}), query["page"]
    )
    with_sessions = bool(query.get("include_sessions"))
    return _listing([_room_model(core, room, with_sessions) for room in rooms], meta)


async def create_room(core: Core, checked: Checked, _: Any) -> web.Response:
    room = core.state.create_room(checked.body, core.clock.now())
    return _data(room.to_model(), 201)


async def view_room(core: Core, checked: Checked, room: Any) -> web.Response:
    return _data(_room_model(core, room, bool(checked.query.get("include_sessions"))))


async def update_room(core: Core, checked: Checked, room: Any) -> web.Response:
    core.state.update_room(room, checked.body, core.clock.now())
    return _data(room.to_model())


async def delete_room(core: Core, checked: Checked, room: Any) -> web.Response:
    core.state.delete_room(room, core.clock.now())
    return _no_content()


async def list_room_sessions(core: Core, checked: Checked, room: Any) -> web.Response:
    query = checked.query
    sessions = [core.state.sessions[sid] for sid in reversed(room.session_ids)]
    found, meta = paginate(sessions, query.get("filter", {}), query["page"])
    with_participants = bool(query.get("include_participants"))
    return _listing([_session_model(core, s, with_participants) for s in found], meta)


async def generate_token(core: Core, checked: Checked, room: Any) -> web.Response:
    body = checked.body
    tokens = core.state.issue_tokens(
        room,
        body.get("token_ttl_secs") or 600,
        body.get("refresh_token_ttl_secs") or 3600,
        core.clock.now(),
    )
    return _data(JoinClientToken(**tokens), 201)


async def refresh_token(core: Core, checked: Checked, room: Any) -> web.Response:
    body = checked.body
    token = core.state.refresh_token(
        room, body["refresh_token"], body.get("token_ttl_secs") or 600, core.clock.now()
    )
    return _data(RefreshedClientToken(**token), 201)


# -- sessions and participants ------------------------------------------------------------


async def list_sessions(core: Core, checked: Checked, _: Any) -> web.Response:
    query = checked.query
    found, meta = paginate(
        core.state.newest_first(core.state.sessions), query.get("filter", {}), query["page"]
    )
    with_participants = bool(query.get("include_participants"))
    return _listing([_session_model(core, s, with_participants) for s in found], meta)


async def view_session(core: Core, checked: Checked, session: Any) -> web.Response:
    with_participants = bool(checked.query.get("include_participants"))
    return _data(_session_model(core, session, with_participants))


def _action(action: str) -> ApiHandler:
    async def act(core: Core, checked: Checked, session: Any) -> web.Response:
        now = core.clock.now()
        if action == "end":
            core.state.end_session(session, now)
        else:
            body = checked.body
            core.state.act(
                session, action, body.get("participants", "all"), body.get("exclude") or (), now
            )
        return json_response({"data": {"result": "ok"}})

    return act


async def list_session_participants(core: Core, checked: Checked, session: Any) -> web.Response:
    query = checked.query
    participants = [core.state.participants[pid] for pid in reversed(session.participant_ids)]
    found, meta = paginate(participants, query.get("filter", {}), query["page"])
    return _listing([p.to_model() for p in found], meta)


async def list_participants(core: Core, checked: Checked, _: Any) -> web.Response:
    query = checked.query
    found, meta = paginate(
        core.state.newest_first(core.state.participants), query.get("filter", {}), query["page"]
    )
    return _listing([p.to_model() for p in found], meta)


async def view_participant(core: Core, checked: Checked, participant: Any) -> web.Response:
    return _data(participant.to_model())


# -- recordings and compositions ----------------------------------------------------------


async def list_recordings(core: Core, checked: Checked, _: Any) -> web.Response:
    query = checked.query
    found, meta = paginate(
        core.state.newest_first(core.state.recordings), query.get("filter", {}), query["page"]
    )
    return _listing([r.to_model() for r in found], meta)


async def delete_recordings(core: Core, checked: Checked, _: Any) -> web.Response:
    matching, _meta = paginate(
        core.state.newest_first(core.state.recordings),
        checked.query.get("filter", {}),
        {"number": 1, "size": max(1, len(core.state.recordings))},
    )
    count = core.state.delete_recordings(matching)
    return json_response({"data": {"room_recordings": count}}, 201)


async def view_recording(core: Core, checked: Checked, recording: Any) -> web.Response:
    return _data(recording.to_model())


async def delete_recording(core: Core, checked: Checked, recording: Any) -> web.Response:
    core.state.delete_recordings([recording])
    return _no_content()


async def list_compositions(core: Core, checked: Checked, _: Any) -> web.Response:
    query = checked.query
    found, meta = paginate(
        core.state.newest_first(core.state.compositions), query.get("filter", {}), query["page"]
    )
    return _listing([c.to_model() for c in found], meta)


async def create_composition(core: Core, checked: Checked, _: Any) -> web.Response:
    composition = core.state.create_composition(checked.body, core.clock.now())
    return _data(composition.to_model(), 202)


async def view_composition(core: Core, checked: Checked, composition: Any) -> web.Response:
    return _data(composition.to_model())


async def delete_composition(core: Core, checked: Checked, composition: Any) -> web.Response:
    del core.state.compositions[composition.id]
    return _no_content()


ROUTES: tuple[tuple[str, str, str, ApiHandler], ...] = (
    ("GET", "/rooms", "ListRooms", list_rooms),
    ("POST", "/rooms", "CreateRoom", create_room),
    ("GET", "/rooms/{room_id}", "ViewRoom", view_room),
    ("PATCH", "/rooms/{room_id}", "UpdateRoom", update_room),
    ("DELETE", "/rooms/{room_id}", "DeleteRoom", delete_room),
    ("GET", "/rooms/{room_id}/sessions", "RetrieveListRoomSessions", list_room_sessions),
    (
        "POST",
        "/rooms/{room_id}/actions/generate_join_client_token",
        "CreateRoomClientToken",
        generate_token,
    ),
    (
        "POST",
        "/rooms/{room_id}/actions/refresh_client_token",
        "RefreshRoomClientToken",
        refresh_token,
    ),
    ("GET", "/room_sessions", "ListRoomSessions", list_sessions),
    ("GET", "/room_sessions/{room_session_id}", "ViewRoomSession", view_session),
    ("POST", "/room_sessions/{room_session_id}/actions/end", "EndSession", _action("end")),
    (
        "POST",
        "/room_sessions/{room_session_id}/actions/kick",
        "KickParticipantInSession",
        _action("kick"),
    ),
    (
        "POST",
        "/room_sessions/{room_session_id}/actions/mute",
        "MuteParticipantInSession",
        _action("mute"),
    ),
    (
        "POST",
        "/room_sessions/{room_session_id}/actions/unmute",
        "UnmuteParticipantInSession",
        _action("unmute"),
    ),
    (
        "GET",
        "/room_sessions/{room_session_id}/participants",
        "RetrieveListRoomParticipants",
        list_session_participants,
    ),
    ("GET", "/room_participants", "ListRoomParticipants", list_participants),
    ("GET", "/room_participants/{room_participant_id}", "ViewRoomParticipant", view_participant),
    ("GET", "/room_recordings", "ListRoomRecordings", list_recordings),
    ("DELETE", "/room_recordings", "DeleteRoomRecordings", delete_recordings),
    ("GET", "/room_recordings/{room_recording_id}", "ViewRoomRecording", view_recording),
    ("DELETE", "/room_recordings/{room_recording_id}", "DeleteRoomRecording", delete_recording),
    ("GET", "/room_compositions", "ListRoomCompositions", list_compositions),
    ("POST", "/room_compositions", "CreateRoomComposition", create_composition),
    (
        "GET",
        "/room_compositions/{room_composition_id}",
        "ViewRoomComposition",
        view_composition,
    ),
    (
        "DELETE",
        "/room_compositions/{room_composition_id}",
        "DeleteRoomComposition",
        delete_composition,
    ),
)


# -- control API --------------------------------------------------------------------------


async def _control_body(request: web.Request) -> dict[str, Any]:
    body = await _read_json(request)
    if body is NO_BODY:
        return {}
    if not isinstance(body, dict):
        raise EmulatorError(
            422, errors.MISSING_OR_INVALID, "Invalid body", "The body must be a JSON object."
        )
    return body


async def control_join(request: web.Request) -> web.Response:
    core = request.app[CORE]
    body = await _control_body(request)
    participant = core.join(request.match_info["room_id"], body.get("token"), body.get("context"))
    return _data(participant.to_model(), 201)


async def control_leave(request: web.Request) -> web.Response:
    core = request.app[CORE]
    participant = core.leave(request.match_info["participant_id"])
    return _data(participant.to_model())


async def control_advance(request: web.Request) -> web.Response:
    core = request.app[CORE]
    body = await _control_body(request)
    seconds = body.get("seconds")
    if (
        not isinstance(seconds, int | float)
        or isinstance(seconds, bool)
        or not 0 <= seconds < 10**9
    ):
        raise EmulatorError(
            422,
            errors.MISSING_OR_INVALID,
            "Invalid value",
            "seconds must be a non-negative number.",
            pointer="/seconds",
        )
    try:
        now = core.advance(float(seconds))
    except ValueError as exc:  # beyond the end of the calendar
        raise EmulatorError(
            422, errors.MISSING_OR_INVALID, "Invalid value", str(exc), pointer="/seconds"
        ) from None
    return json_response({"data": {"now": unstructure(now)}})


async def control_clock(request: web.Request) -> web.Response:
    core = request.app[CORE]
    return json_response({"data": {"now": unstructure(core.sync())}})


async def control_reset(request: web.Request) -> web.Response:
    await request.app[CORE].reset()
    return json_response({"data": {"result": "ok"}})


async def control_public_key(request: web.Request) -> web.Response:
    return json_response({"data": {"public_key": request.app[CORE].webhooks.public_key}})


async def control_webhooks(request: web.Request) -> web.Response:
    log = request.app[CORE].webhooks.log
    return json_response({"data": [d.to_json() for d in log]})


def _faults_json(core: Core) -> web.Response:
    return json_response(
        {"data": {"config": core.faults.config.to_json(), "stats": core.faults.stats.to_json()}}
    )


async def control_get_faults(request: web.Request) -> web.Response:
    return _faults_json(request.app[CORE])


async def control_set_faults(request: web.Request) -> web.Response:
    core = request.app[CORE]
    body = await _control_body(request)
    try:
        config = FaultConfig.from_json(body)
    except (TypeError, ValueError) as exc:
        raise EmulatorError(
            422, errors.MISSING_OR_INVALID, "Invalid fault settings", str(exc)
        ) from None
    core.faults.configure(config)
    return _faults_json(core)


_MEDIA_TYPES = {"opus": "audio/ogg", "vp8": "video/webm", "h264": "video/mp4"}


async def control_media(request: web.Request) -> web.Response:
    core = request.app[CORE]
    core.sync()
    kind, ident = request.match_info["kind"], request.match_info["media_id"]
    record: Any
    if kind == "recordings":
        record = core.state.recordings.get(ident)
        media_type = _MEDIA_TYPES.get(getattr(record, "codec", ""), "application/octet-stream")
    else:
        record = core.state.compositions.get(ident)
        media_type = "video/mp4"
    if record is None or record.status != "completed":
        raise errors.not_found(f"completed {kind[:-1]}", ident)
    payload = f"telnyx-video emulator media {kind[:-1]} {ident}\n".encode() * 64
    return web.Response(body=payload, content_type=media_type)


CONTROL_ROUTES: tuple[tuple[str, str, Callable[[web.Request], Awaitable[web.Response]]], ...] = (
    ("POST", "rooms/{room_id}/join", control_join),
    ("POST", "participants/{participant_id}/leave", control_leave),
    ("POST", "clock/advance", control_advance),
    ("GET", "clock", control_clock),
    ("POST", "reset", control_reset),
    ("GET", "webhook_public_key", control_public_key),
    ("GET", "webhooks", control_webhooks),
    ("GET", "faults", control_get_faults),
    ("POST", "faults", control_set_faults),
    ("GET", "media/{kind:recordings|compositions}/{media_id}", control_media),
)


# -- middleware ---------------------------------------------------------------------------


def _fault_response(request: web.Request, plan: FaultPlan, core: Core) -> web.Response:
    if plan.kind == "drop":
        transport = request.transport
        if transport is not None:
            transport.close()
        return web.Response(status=500)
    if plan.kind == "rate_limit":
        error = EmulatorError(
            429, errors.RATE_LIMITED, "Too many requests", "Slow down (injected fault)."
        )
        response = error_response(error)
        retry_after = core.faults.config.retry_after
        response.headers["Retry-After"] = (
            str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
        )
        return response
    code = errors.UNAVAILABLE if plan.status == 503 else errors.UNEXPECTED
    title = "Service unavailable" if plan.status == 503 else "Internal server error"
    return error_response(EmulatorError(plan.status, code, title, "Injected fault."))


def _is_loopback_peer(request: web.Request) -> bool:
    """Whether the peer is 127.0.0.0/8 or ::1 (also as an IPv4-mapped IPv6 address)."""
    remote = request.remote
    if not remote:
        return False
    try:
        address = ipaddress.ip_address(remote.split("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _refuse_web_pages(request: web.Request) -> None:
    """Refuse requests a browser sends on behalf of a web page.

    Any page a local browser shows could otherwise POST to ``/_emulator/reset`` (a "simple"
    cross-origin request needs no preflight): browsers mark such requests with ``Origin``
    (every POST) or ``Sec-Fetch-Site`` (``cross-site``/``same-site``), which tools such as
    curl or the SDK never send.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site", "").strip().lower()
    if "Origin" in request.headers or fetch_site in ("cross-site", "same-site"):
        raise EmulatorError(
            403,
            errors.FORBIDDEN,
            "Forbidden",
            "The control API refuses requests made by web pages (Origin or cross-site "
            "Sec-Fetch-Site header).",
        )


def _check_control_token(request: web.Request, expected: bytes) -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    given = token.strip().encode("utf-8", "replace")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, expected):
        raise EmulatorError(
            401,
            errors.AUTHENTICATION_FAILED,
            "Authentication failed",
            "The control API needs 'Authorization: Bearer <control token>'.",
        )


async def _handle_api(request: web.Request, handler: Any, core: Core) -> web.StreamResponse:
    faults = core.faults
    if faults.config.latency_ms:
        await asyncio.sleep(faults.latency)  # the injected latency itself
    plan = faults.plan(request.method, request.path)
    if plan is not None and not plan.after:
        return _fault_response(request, plan, core)
    response: web.StreamResponse
    try:
        _authenticate(request, core)
        response = await handler(request)
    except EmulatorError as exc:
        response = error_response(exc)
    except ValidationFailed as exc:
        response = json_response(exc.to_json(), 422)
    except web.HTTPException as exc:
        response = _http_error(exc)
    finally:
        core.flush()
    if plan is not None:
        return _fault_response(request, plan, core)
    checker = core.checker
    if checker is not None and isinstance(response, web.Response):
        operation_id = getattr(request.match_info.handler, "operation_id", None)
        if operation_id is not None:
            body = response.body
            checker.check(operation_id, response.status, body if isinstance(body, bytes) else None)
    return response


async def _handle_control(request: web.Request, handler: Any, core: Core) -> web.StreamResponse:
    if not _is_loopback_peer(request):
        raise EmulatorError(
            403, errors.FORBIDDEN, "Forbidden", "The control API answers loopback clients only."
        )
    if handler is not control_media:
        _refuse_web_pages(request)
        expected = core.control_token_bytes
        if expected is not None:
            _check_control_token(request, expected)
        if request.method == "POST" and request.body_exists:
            _decode_json(request, await request.read())  # 415 unless JSON, 400 unless valid
    try:
        response: web.StreamResponse = await handler(request)
    finally:
        core.flush()
    return response


@web.middleware
async def _middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    core = request.app[CORE]
    response: web.StreamResponse
    try:
        if request.path.startswith(CONTROL_PREFIX):
            response = await _handle_control(request, handler, core)
        else:
            response = await _handle_api(request, handler, core)
    except EmulatorError as exc:
        response = error_response(exc)
    except web.HTTPException as exc:
        response = _http_error(exc)
    except Exception:
        logger.exception("emulator: unexpected error handling %s %s", request.method, request.path)
        response = json_response(
            error_body(
                [
                    error_entry(
                        errors.UNEXPECTED,
                        "Internal server error",
                        "The emulator failed unexpectedly; see its log.",
                    )
                ]
            ),
            500,
        )
    response.headers["x-request-id"] = str(uuid.uuid4())
    return response


async def _on_startup(app: web.Application) -> None:
    core = app[CORE]
    core.webhooks.open()
    core.attach(asyncio.get_running_loop())


async def _on_cleanup(app: web.Application) -> None:
    core = app[CORE]
    core.detach()
    await core.webhooks.close()


def _any_segment(path: str) -> str:
    """Let ``{name}`` match any one path segment: aiohttp's default refuses ``{`` and ``}``,
    which would answer "route not found" instead of "no room with id ..."."""
    return re.sub(r"\{(\w+)\}", r"{\1:[^/]+}", path)


def build_app(core: Core) -> web.Application:
    """The emulator's aiohttp application around ``core``.

    Starting the app starts the timer of timed transitions (on a real-time clock) and
    webhook delivery; cleaning it up stops both.
    """
    app = web.Application(middlewares=[_middleware], client_max_size=1024**2)
    app[CORE] = core
    app.on_startup.append(_on_startup)
    app.on_cleanup.append(_on_cleanup)
    router = app.router
    for method, path, operation_id, handler in ROUTES:
        router.add_route(method, API_PREFIX + _any_segment(path), _operation(operation_id, handler))
    for method, path, control in CONTROL_ROUTES:
        router.add_route(method, CONTROL_PREFIX + _any_segment(path), control)
    return app
