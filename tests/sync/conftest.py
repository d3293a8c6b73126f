"""A small Telnyx-like API on a background thread, for the mechanics of the sync facade.

It runs its own event loop on its own thread, so a sync client can be used from the main
thread (even inside a running event loop), from worker threads and from a forked child.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from telnyx_video.sync import VideoClient

API_KEY = "sync-test-key"


def room_json(room_id: str, name: str | None) -> dict[str, Any]:
    return {
        "id": room_id,
        "record_type": "room",
        "unique_name": name,
        "max_participants": 10,
        "enable_recording": False,
        "created_at": "2026-01-02T03:04:05.000000Z",
        "updated_at": "2026-01-02T03:04:05.000000Z",
    }


def not_found(detail: str) -> web.Response:
    body = {"errors": [{"code": "10005", "title": "Resource not found", "detail": detail}]}
    return web.json_response(body, status=404)


class FakeAPI:
    """The server's state, shared with the tests (thread-safe where the tests need it)."""

    def __init__(self) -> None:
        self.base_url = ""
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.rooms: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.slow_received = threading.Event()
        self.slow_aborted = threading.Event()

    def reset(self) -> None:
        with self._lock:
            self.rooms.clear()
            self.requests.clear()
        self.slow_received.clear()
        self.slow_aborted.clear()

    def add_room(self, name: str | None = None) -> str:
        with self._lock:
            room_id = f"room-{next(self._ids):04d}"
            self.rooms[room_id] = room_json(room_id, name)
        return room_id

    def seen(self, method: str | None = None) -> list[str]:
        """The ``path?query`` of the requests received so far (of one method)."""
        with self._lock:
            return [path for m, path in self.requests if method is None or m == method]

    # ------------------------------------------------------------------ handlers

    @web.middleware
    async def middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        with self._lock:
            self.requests.append((request.method, request.path_qs))
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            return web.json_response(
                {"errors": [{"code": "10009", "title": "Authentication failed"}]}, status=401
            )
        response: web.StreamResponse = await handler(request)
        return response

    async def list_rooms(self, request: web.Request) -> web.Response:
        number = int(request.query.get("page[number]", "1"))
        size = int(request.query.get("page[size]", "20"))
        name = request.query.get("filter[unique_name]")
        with self._lock:
            rooms = [r for r in self.rooms.values() if name is None or r["unique_name"] == name]
        total_pages = max(1, -(-len(rooms) // size))
        chunk = rooms[(number - 1) * size : number * size]
        meta = {
            "page_number": number,
            "page_size": size,
            "total_pages": total_pages,
            "total_results": len(rooms),
        }
        return web.json_response({"data": chunk, "meta": meta})

    async def create_room(self, request: web.Request) -> web.Response:
        body = await request.json()
        room_id = self.add_room(body.get("unique_name"))
        return web.json_response({"data": self.rooms[room_id]}, status=201)

    async def retrieve_room(self, request: web.Request) -> web.Response:
        room_id = request.match_info["room_id"]
        if room_id == "slow":
            # Answers never: the tests cancel it (Ctrl-C) and watch for the abort.
            self.slow_received.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.slow_aborted.set()
                raise
        room = self.rooms.get(room_id)
        if room is None:
            return not_found(f"no room {room_id}")
        return web.json_response({"data": room})

    async def delete_room(self, request: web.Request) -> web.Response:
        with self._lock:
            room = self.rooms.pop(request.match_info["room_id"], None)
        if room is None:
            return not_found("no such room")
        return web.Response(status=204)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self.middleware])
        app.router.add_get("/v2/rooms", self.list_rooms)
        app.router.add_post("/v2/rooms", self.create_room)
        app.router.add_get("/v2/rooms/{room_id}", self.retrieve_room)
        app.router.add_delete("/v2/rooms/{room_id}", self.delete_room)
        return app


@pytest.fixture(scope="session")
def _server() -> Iterator[FakeAPI]:
    api = FakeAPI()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="sync-test-server", daemon=True)
    thread.start()
    # handler_cancellation: a handler is cancelled when its client goes away, which is how
    # the tests see that Ctrl-C aborted a request.
    runner = web.AppRunner(api.app(), handler_cancellation=True)

    async def start() -> str:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        return f"http://{host}:{port}/v2"

    api.base_url = asyncio.run_coroutine_threadsafe(start(), loop).result()
    try:
        yield api
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


@pytest.fixture
def api(_server: FakeAPI) -> FakeAPI:
    """The fake API, emptied for this test."""
    _server.reset()
    return _server


@pytest.fixture
def client(api: FakeAPI) -> Iterator[VideoClient]:
    """A sync client of the fake API, closed after the test."""
    with VideoClient(API_KEY, base_url=api.base_url, max_retries=0) as video:
        yield video
