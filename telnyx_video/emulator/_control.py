"""The control API under ``/_emulator/``: what a test of any language needs beside the API.

Join and leave (what the front-end SDKs do), the clock, reset, faults, the webhook log and its
public key, a snapshot of everything, and media downloads. It answers loopback peers only (see
``_http``); every route but media downloads also refuses web pages, takes JSON bodies only and,
when the emulator has a control token, requires it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from telnyx_video._converter import format_datetime
from telnyx_video.emulator._core import Core
from telnyx_video.emulator._errors import EmulatorError, bad_request
from telnyx_video.emulator._faults import FaultConfig
from telnyx_video.emulator._http import (
    API_PREFIX,
    CORE,
    check_bearer,
    decode_json,
    json_response,
    refuse_web_pages,
)
from telnyx_video.emulator._media import MEDIA_KINDS, serve_media
from telnyx_video.emulator._records import COMPOSITIONS, PARTICIPANTS, RECORDINGS, ROOMS, SESSIONS
from telnyx_video.emulator._validation import NO_BODY
from telnyx_video.errors import ErrorCode

__all__ = ["add_routes"]

ControlHandler = Callable[[Core, dict[str, Any], web.Request], Awaitable[web.Response]]
_ROUTES: list[tuple[str, str, ControlHandler]] = []


def _route(method: str, path: str) -> Callable[[ControlHandler], ControlHandler]:
    def register(handler: ControlHandler) -> ControlHandler:
        _ROUTES.append((method, path, handler))
        return handler

    return register


def _guarded(handler: ControlHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        core = request.app[CORE]
        refuse_web_pages(request)
        if core.control_token_bytes is not None:
            check_bearer(request, core.control_token_bytes, "control token")
        body = decode_json(request, await request.read()) if request.method == "POST" else {}
        if body is NO_BODY:
            body = {}
        if not isinstance(body, dict):
            raise bad_request("The body must be a JSON object.", pointer="/")
        return await handler(core, body, request)

    return handle


def _data(data: Any, status: int = 200) -> web.Response:
    return json_response({"data": data}, status)


@_route("POST", "/rooms/{room_id}/join")
async def _join(core: Core, body: dict[str, Any], request: web.Request) -> web.Response:
    room_id = request.match_info["room_id"]
    participant = core.join(room_id, body.get("token"), body.get("context"))
    return _data(PARTICIPANTS.json(participant), 201)


@_route("POST", "/participants/{participant_id}/leave")
async def _leave(core: Core, body: dict[str, Any], request: web.Request) -> web.Response:
    return _data(PARTICIPANTS.json(core.leave(request.match_info["participant_id"])))


@_route("POST", "/clock/advance")
async def _advance(core: Core, body: dict[str, Any], request: web.Request) -> web.Response:
    seconds = body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds < 1e9:
        raise bad_request("seconds must be a non-negative number.", pointer="/seconds")
    try:
        now = core.advance(float(seconds))
    except ValueError as exc:  # beyond the end of the calendar
        raise bad_request(str(exc), pointer="/seconds") from None
    return _data({"now": format_datetime(now)})


@_route("GET", "/clock")
async def _clock(core: Core, body: dict[str, Any], request: web.Request) -> web.Response:
    return _data({"now": format_datetime(core.sync())})


@_route("POST", "/reset")
async def _reset(core: Core, body: dict[str, Any], request: web.Request) -> web.Response:
    await core.reset()
    return _data({"result": "ok"})


@_route("GET", "/info")
async def _info(core: Core, body: dict[str, Any], request: web.Request) -> web.Response:
    """How to call the emulator's API: its base URL and key, and the webhook public key (what
    the dashboard, or a test in another language, needs to start)."""
    response = _data(
        {
            "base_url": core.media.root + API_PREFIX,
            "api_key": core.settings.api_key,
            "webhook_public_key": core.webhooks.public_key,
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@_route("GET", "/webhook_public_key")
async def _public_key(core: Core, body: dict[str, Any], request: web.Request) -> web.Response:
    return _data({"public_key": core.webhooks.public_key})


@_route("GET", "/webhooks")
async def _webhooks(core: Core, body: dict[str, Any], request: web.Request) -> web.Response:
    return _data([delivery.to_json() for delivery in core.webhooks.log])


def _faults_json(core: Core) -> dict[str, Any]:
    config = core.faults.config
    return {
        "config": config.to_json(),
        "active": config.changed(),
        "stats": core.faults.stats.to_json(),
    }


@_route("GET", "/faults")
async def _get_faults(core: Core, body: dict[str, Any], request: web.Request) -> web.Response:
    return _data(_faults_json(core))


@_route("POST", "/faults")
async def _set_faults(core: Core, body: dict[str, Any], request: web.Request) -> web.Response:
    try:
        config = FaultConfig.from_json(body)
    except (TypeError, ValueError) as exc:
        raise bad_request(str(exc)) from None
    core.faults.configure(config)
    return _data(_faults_json(core))


def _count_parameter(request: web.Request, name: str) -> int | None:
    """The ``?<name>=N`` query parameter (a non-negative integer), if given."""
    text = request.query.get(name)
    if text is None:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise EmulatorError(
            400,
            ErrorCode.BAD_REQUEST,
            f"{name} must be a non-negative integer.",
            parameter=name,
        )
    return int(text)


@_route("GET", "/snapshot")
async def _snapshot(core: Core, body: dict[str, Any], request: web.Request) -> web.Response:
    """Everything at once, oldest first: the dashboard's view of the emulator.

    Participants also say whether they are ``muted`` and why they left (``left_reason``),
    which the API does not show. ``?webhooks=N`` keeps the latest ``N`` deliveries of the log;
    ``webhooks_total`` counts every attempt since the start or the last reset.
    """
    state = core.state
    log = core.webhooks.log
    keep = _count_parameter(request, "webhooks")
    if keep is not None:
        log = log[len(log) - keep :] if keep else []
    now = core.sync()
    for kind in MEDIA_KINDS:  # links that work when clicked, as the API would show them
        for record in getattr(state, kind).values():
            core.media.refresh(record, kind, now)
    return _data(
        {
            "now": format_datetime(now),
            "rooms": [ROOMS.json(r) for r in state.rooms.values()],
            "sessions": [SESSIONS.json(s) for s in state.sessions.values()],
            "participants": [
                PARTICIPANTS.json(p, muted=p.muted, left_reason=p.left_reason)
                for p in state.participants.values()
            ],
            "recordings": [RECORDINGS.json(r) for r in state.recordings.values()],
            "compositions": [COMPOSITIONS.json(c) for c in state.compositions.values()],
            "webhooks": [delivery.to_json() for delivery in log],
            "webhooks_total": core.webhooks.count(),
            "faults": _faults_json(core),
        }
    )


async def _media(request: web.Request) -> web.StreamResponse:
    """A completed recording's or composition's file, behind its signed, expiring link (no
    token, any page: like the pre-signed storage URLs it stands for)."""
    core = request.app[CORE]
    core.sync()
    kind = request.match_info["kind"]
    records: Any = core.state.recordings if kind == "recordings" else core.state.compositions
    record = records.get(request.match_info["media_id"])
    return await serve_media(request, core.media, record, core.clock.now())


def add_routes(router: web.UrlDispatcher, prefix: str) -> None:
    """Route the control API under ``prefix``."""
    for method, path, handler in _ROUTES:
        router.add_route(method, prefix + path.replace("}", ":[^/]+}"), _guarded(handler))
    kinds = "|".join(MEDIA_KINDS)
    router.add_get(prefix + f"/media/{{kind:{kinds}}}/{{media_id:[^/]+}}", _media)
