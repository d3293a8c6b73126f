"""A scriptable, recording aiohttp.web server for the core tests, and JSON factories.

The server binds 127.0.0.1 on an ephemeral port. Each request is recorded (method, raw path
with query, headers, body) before its route's next scripted step runs. A step is a
:class:`Reply`, :data:`DROP` (close the connection without answering), a :class:`Hang`
(wait on an event, then optionally reply) or any ``async (request) -> StreamResponse``
callable. A route's steps are used in order; the last one repeats.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl

import attrs
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from telnyx_video import AsyncVideoClient

API_KEY = "KEY-super-secret-0123456789"
TS = "2026-01-02T03:04:05.123456Z"


@attrs.frozen
class Recorded:
    """One request as the server saw it."""

    method: str
    raw_path: str
    headers: CIMultiDictProxy[str]
    body: bytes

    @property
    def path(self) -> str:
        """The raw path, without the query string."""
        return self.raw_path.partition("?")[0]

    @property
    def query(self) -> str:
        """The raw query string (still percent-encoded)."""
        return self.raw_path.partition("?")[2]

    @property
    def params(self) -> list[tuple[str, str]]:
        """The decoded query pairs, in order."""
        return parse_qsl(self.query, keep_blank_values=True)

    @property
    def json(self) -> Any:
        """The decoded JSON body (``None`` when there was no body)."""
        return json.loads(self.body) if self.body else None


@attrs.frozen
class Reply:
    """A canned response."""

    status: int = 200
    json: Any = None
    body: bytes | str | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)

    def build(self) -> web.Response:
        headers = CIMultiDict(self.headers)
        if self.body is not None:
            raw = self.body.encode() if isinstance(self.body, str) else self.body
            return web.Response(status=self.status, body=raw, headers=headers)
        if self.json is None:
            return web.Response(status=self.status, headers=headers)
        headers.setdefault("Content-Type", "application/json")
        return web.Response(status=self.status, text=json.dumps(self.json), headers=headers)


class _Drop:
    def __repr__(self) -> str:
        return "DROP"


DROP = _Drop()
"""Step: close the connection without sending any response."""


@attrs.frozen
class Hang:
    """Step: wait until ``event`` is set (the server sets its own on shutdown), then reply."""

    event: asyncio.Event | None = None
    then: Reply | None = None


MakeClient = Callable[..., AsyncVideoClient]
"""The ``make_client`` fixture: builds a client for the test server."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Step = Reply | _Drop | Hang | Handler


class TestServer:
    """The scripted, recording server. Use through the ``server`` fixture."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.routes: dict[tuple[str, str], list[Step]] = {}
        self.released = asyncio.Event()
        self.arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v2"

    def on(self, method: str, path: str, *steps: Step) -> None:
        """Script ``method`` ``/v2{path}`` (raw path, no query): ``steps`` in order."""
        assert steps, "give at least one step"
        self.routes[(method.upper(), f"/v2{path}")] = list(steps)

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        """The recorded requests, optionally only those of one method and ``/v2`` path."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (path is None or r.path == f"/v2{path}")
        ]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.requests.append(Recorded(request.method, request.raw_path, request.headers, body))
        self.arrived.set()
        steps = self.routes.get((request.method, request.raw_path.partition("?")[0]))
        if not steps:
            return web.json_response(
                {"errors": [{"code": "unscripted", "title": "unscripted request"}]}, status=599
            )
        step = steps.pop(0) if len(steps) > 1 else steps[0]
        return await self._run(step, request)

    async def _run(self, step: Step, request: web.Request) -> web.StreamResponse:
        if isinstance(step, Reply):
            return step.build()
        if isinstance(step, _Drop):
            assert request.transport is not None
            request.transport.close()
            raise asyncio.CancelledError  # nothing more to send on a closed connection
        if isinstance(step, Hang):
            await (step.event or self.released).wait()
            return (step.then or Reply(204)).build()
        return await step(request)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self.released.set()
        if self._runner is not None:
            await self._runner.cleanup()


@contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound (so nobody takes it), not listening."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
    finally:
        sock.close()


# --- JSON factories (what the API sends) ---------------------------------------------------


def room_json(id: Any = "room-1", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "record_type": "room",
        "unique_name": "standup",
        "max_participants": 10,
        "enable_recording": False,
        "active_session_id": None,
        "webhook_event_url": None,
        "webhook_event_failover_url": "",
        "webhook_timeout_secs": None,
        "created_at": TS,
        "updated_at": TS,
        "sessions": [],
    }
    data.update(overrides)
    return data


def session_json(id: str = "sess-1", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "record_type": "room_session",
        "room_id": "room-1",
        "active": True,
        "created_at": TS,
        "updated_at": TS,
        "ended_at": None,
        "participants": [],
    }
    data.update(overrides)
    return data


def participant_json(id: str = "part-1", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "record_type": "room_participant",
        "session_id": "sess-1",
        "context": "Alice",
        "joined_at": TS,
        "left_at": None,
        "updated_at": TS,
    }
    data.update(overrides)
    return data


def recording_json(id: str = "rec-1", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "record_type": "room_recording",
        "room_id": "room-1",
        "session_id": "sess-1",
        "participant_id": "part-1",
        "status": "completed",
        "type": "audio",
        "codec": "opus",
        "download_url": "https://example.com/rec-1",
        "duration_secs": 67,
        "size_mb": 5.6,
        "started_at": TS,
        "ended_at": TS,
        "completed_at": TS,
        "created_at": TS,
        "updated_at": TS,
    }
    data.update(overrides)
    return data


def composition_json(id: str = "comp-1", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "record_type": "composition",
        "room_id": "room-1",
        "session_id": "sess-1",
        "user_id": "user-1",
        "status": "enqueued",
        "format": "mp4",
        "resolution": "1280x720",
        "video_layout": {
            "first": {
                "x_pos": 0,
                "y_pos": 0,
                "z_pos": 0,
                "height": 720,
                "width": 1280,
                "video_sources": ["part-1"],
            }
        },
        "download_url": None,
        "duration_secs": None,
        "size_mb": None,
        "started_at": None,
        "ended_at": None,
        "completed_at": None,
        "created_at": TS,
        "updated_at": TS,
        "webhook_event_url": "https://example.com/hook",
        "webhook_event_failover_url": None,
        "webhook_timeout_secs": 25,
    }
    data.update(overrides)
    return data


def page_json(
    items: Sequence[Any],
    *,
    number: int = 1,
    size: int = 20,
    total_pages: int = 1,
    total_results: int | None = None,
) -> dict[str, Any]:
    """A list response: ``{"data": items, "meta": {...}}``."""
    return {
        "data": list(items),
        "meta": {
            "page_number": number,
            "page_size": size,
            "total_pages": total_pages,
            "total_results": (
                total_results
                if total_results is not None
                else len(items)
                if total_pages <= 1
                else size * total_pages
            ),
        },
    }


def data(obj: Any) -> dict[str, Any]:
    """A single-object response envelope."""
    return {"data": obj}
