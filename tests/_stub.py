"""The suite's scriptable, recording aiohttp.web server on 127.0.0.1 (an ephemeral port).

Each request is recorded (method, raw path with query, headers, body) before it is answered.
A route scripted with [`on()`][StubServer.on] answers with its steps in order (the last one
repeats); any other request gets ``default``. A step is a [`Reply`][], [`DROP`][] (close the
connection without answering), a [`Hang`][] (wait on an event, then reply) or any
``async (request) -> StreamResponse`` callable.

The server also tracks the handlers still running and the connections it holds open, so a
test can check from the server side that a client closed what it opened; a handler is
cancelled when its client goes away (``handler_cancellation``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl

import attrs
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy


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
    """Step: wait until ``event`` is set (by default the server's ``released``, set on
    shutdown), then reply."""

    event: asyncio.Event | None = None
    then: Reply | None = None


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Step = Reply | _Drop | Hang | Handler

#: The default answer of [`serve_stub()`][]: an empty ``{"data": {}}``.
EMPTY_DATA = Reply(200, body=b'{"data": {}}', headers={"Content-Type": "application/json"})

#: A default that makes any unscripted request stand out (status 599).
UNSCRIPTED = Reply(599, {"errors": [{"code": "unscripted", "title": "unscripted request"}]})


class StubServer:
    """The scripted, recording server. Start it with [`serve_stub()`][]."""

    def __init__(self, default: Step = EMPTY_DATA) -> None:
        self.default: Step = default
        """What answers a request that no route scripts."""
        self.requests: list[Recorded] = []
        self.routes: dict[tuple[str, str], list[Step]] = {}
        self.released = asyncio.Event()
        self.arrived = asyncio.Event()
        self.in_flight = 0
        self._finished = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.root = ""

    @property
    def base_url(self) -> str:
        """The API base URL (``.../v2``) to give a client."""
        return f"{self.root}/v2"

    def on(self, method: str, path: str, *steps: Step) -> None:
        """Script ``method`` ``/v2{path}`` (raw path, no query): ``steps`` in order."""
        assert steps, "give at least one step"
        self.routes[(method.upper(), f"/v2{path}")] = list(steps)

    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """Answer every unscripted request with ``status`` and ``body`` (bytes, or str as
        UTF-8), as JSON unless ``headers`` say otherwise."""
        raw = body if isinstance(body, bytes) else str(body).encode()
        self.default = Reply(
            status, body=raw, headers={"Content-Type": "application/json", **(headers or {})}
        )

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        """The recorded requests, optionally only those of one method and ``/v2`` path."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (path is None or r.path == f"/v2{path}")
        ]

    async def hang(self, request: web.Request) -> web.StreamResponse:
        """A handler that answers ``{"data": {}}`` only once ``released`` is set."""
        await self.released.wait()
        return web.json_response({"data": {}})

    def open_connections(self) -> int:
        """How many client connections the server currently holds open."""
        assert self._runner is not None
        assert self._runner.server is not None
        return len(self._runner.server.connections)

    async def wait_idle(self) -> None:
        """Wait until no handler is running (cancelled clients' handlers included)."""
        async with self._finished:
            await self._finished.wait_for(lambda: self.in_flight == 0)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.requests.append(Recorded(request.method, request.raw_path, request.headers, body))
        self.in_flight += 1
        try:
            self.arrived.set()
            steps = self.routes.get((request.method, request.raw_path.partition("?")[0]))
            if not steps:
                return await self._run(self.default, request)
            step = steps.pop(0) if len(steps) > 1 else steps[0]
            return await self._run(step, request)
        finally:
            self.in_flight -= 1
            async with self._finished:
                self._finished.notify_all()

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
        # handler_cancellation: a handler is cancelled when its client goes away, so a hung
        # handler ends as soon as the client drops the connection.
        self._runner = web.AppRunner(
            app,
            handle_signals=False,
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=1.0,
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.root = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def close(self) -> None:
        self.released.set()
        if self._runner is not None:
            await self._runner.cleanup()


@asynccontextmanager
async def serve_stub(default: Step = EMPTY_DATA) -> AsyncIterator[StubServer]:
    """Run a [`StubServer`][] answering ``default`` to unscripted requests; closed on exit."""
    stub = StubServer(default)
    await stub.start()
    try:
        yield stub
    finally:
        await stub.close()
