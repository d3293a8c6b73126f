"""A tiny, scriptable aiohttp.web server on 127.0.0.1 for reliability tests.

Each test tells it what to answer (status, raw body, headers) or installs its own handler;
the server records the requests it saw and tracks the connections it holds open, so a test
can check from the server side that the client closed what it opened.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import attrs
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@attrs.define
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    raw_path: str
    query: str
    headers: dict[str, str]
    body: bytes


@attrs.define(eq=False)
class StubServer:
    """What the server answers, and what it saw."""

    root: str = ""
    status: int = 200
    body: bytes = b'{"data": {}}'
    headers: dict[str, str] = attrs.Factory(lambda: {"Content-Type": "application/json"})
    handler: Handler | None = None
    seen: list[Seen] = attrs.Factory(list)
    arrived: asyncio.Event = attrs.Factory(asyncio.Event)
    release: asyncio.Event = attrs.Factory(asyncio.Event)
    in_flight: int = 0
    finished: asyncio.Condition = attrs.Factory(asyncio.Condition)
    runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """The API base URL (``.../v2``) to give a client."""
        return f"{self.root}/v2"

    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """Answer every request with ``status`` and ``body`` (bytes, or str as UTF-8)."""
        self.status = status
        self.body = body if isinstance(body, bytes) else str(body).encode()
        self.headers = {"Content-Type": "application/json", **(headers or {})}
        self.handler = None

    def open_connections(self) -> int:
        """How many client connections the server currently holds open."""
        assert self.runner is not None
        assert self.runner.server is not None
        return len(self.runner.server.connections)

    async def wait_idle(self) -> None:
        """Wait until no handler is running (cancelled clients' handlers included)."""
        async with self.finished:
            await self.finished.wait_for(lambda: self.in_flight == 0)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(
            Seen(
                method=request.method,
                path=request.path,
                raw_path=request.raw_path,
                query=request.query_string,
                headers=dict(request.headers),
                body=await request.read(),
            )
        )
        self.in_flight += 1
        try:
            self.arrived.set()
            if self.handler is not None:
                return await self.handler(request)
            return web.Response(status=self.status, body=self.body, headers=self.headers)
        finally:
            self.in_flight -= 1
            async with self.finished:
                self.finished.notify_all()

    async def hang(self, request: web.Request) -> web.StreamResponse:
        """A handler that never answers until :attr:`release` is set."""
        await self.release.wait()
        return web.json_response({"data": {}})


@asynccontextmanager
async def serve_stub() -> AsyncIterator[StubServer]:
    """Run a :class:`StubServer` on 127.0.0.1 with an ephemeral port."""
    stub = StubServer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", stub._dispatch)
    # handler_cancellation: a handler is cancelled when its client goes away, so a hung
    # handler ends as soon as the client drops the connection.
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    stub.runner = runner
    server = site._server
    assert isinstance(server, asyncio.base_events.Server)
    host, port = server.sockets[0].getsockname()[:2]
    stub.root = f"http://{host}:{port}"
    try:
        yield stub
    finally:
        stub.release.set()
        await runner.cleanup()
