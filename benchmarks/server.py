"""A fast canned-JSON HTTP/1.1 server for the benchmarks.

It is a bare ``asyncio.Protocol`` (no framework), so that it costs far less per request than
any client under test. Run it as its own process::

    python -m benchmarks.server [--rooms N]

It binds 127.0.0.1 on an ephemeral port, prints ``PORT <n>`` on stdout, and serves until its
stdin is closed (so it dies with the benchmark runner) or it receives SIGTERM.

Routes (anything else answers 404 with a Telnyx-style error body):

* ``GET /v2/rooms/<id>``: one canned room;
* ``GET /v2/rooms?page[number]=N&page[size]=S``: page ``N`` of a listing of ``--rooms``
  rooms (10,000 by default), each with its own id, and a correct ``meta``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import threading
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["make_room", "room_page", "serve"]

_CREATED = "2021-04-16T09:46:20.954863Z"
_UPDATED = "2021-04-16T10:24:55.962200Z"


def make_room(index: int) -> dict[str, Any]:
    """A realistic room object, as the API returns it, with a unique id."""
    return {
        "id": f"7b61621f-62e0-4aad-ab11-{index:012d}",
        "record_type": "room",
        "unique_name": f"room-{index}",
        "max_participants": 50,
        "enable_recording": True,
        "active_session_id": "7b61621f-62e0-4aad-ab11-9fd19e272e74",
        "webhook_event_url": "https://www.example.com/hooks",
        "webhook_event_failover_url": "https://failover.example.com/hooks",
        "webhook_timeout_secs": 25,
        "created_at": _CREATED,
        "updated_at": _UPDATED,
    }


def room_page(number: int, size: int, total: int) -> dict[str, Any]:
    """The body of page ``number`` (1-based) of a listing of ``total`` rooms."""
    pages = max(1, -(-total // size))
    start = (number - 1) * size
    data = [make_room(i) for i in range(start, min(start + size, total))] if start >= 0 else []
    return {
        "data": data,
        "meta": {
            "page_number": number,
            "page_size": size,
            "total_pages": pages,
            "total_results": total,
        },
    }


def _response(status: int, reason: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "x-request-id: bench\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body


class _Canned:
    """Pre-rendered responses, and page bodies cached as they are first asked for."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.room = _response(200, "OK", json.dumps({"data": make_room(0)}).encode())
        self.not_found = _response(
            404,
            "Not Found",
            json.dumps(
                {"errors": [{"code": "10005", "title": "Resource not found", "detail": "nope"}]}
            ).encode(),
        )
        self._pages: dict[tuple[int, int], bytes] = {}

    def page(self, number: int, size: int) -> bytes:
        key = (number, size)
        cached = self._pages.get(key)
        if cached is None:
            body = json.dumps(room_page(number, size, self.total)).encode()
            cached = self._pages[key] = _response(200, "OK", body)
        return cached

    def answer(self, target: str) -> bytes:
        if target.startswith("/v2/rooms/"):
            return self.room
        split = urlsplit(target)
        if split.path == "/v2/rooms":
            params = dict(parse_qsl(split.query))
            try:
                number = int(params.get("page[number]", "1"))
                size = int(params.get("page[size]", "20"))
            except ValueError:
                return self.not_found
            if number < 1 or not 1 <= size <= 250:
                return self.not_found
            return self.page(number, size)
        return self.not_found


class _HTTPProtocol(asyncio.Protocol):
    """Keep-alive HTTP/1.1: reads request heads (and any body), writes canned answers."""

    def __init__(self, canned: _Canned) -> None:
        self._canned = canned
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data
        out: list[bytes] = []
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end]
            length = 0
            lower = head.lower()
            marker = lower.find(b"\r\ncontent-length:")
            if marker >= 0:
                line_end = lower.find(b"\r\n", marker + 2)
                value = lower[marker + 17 : line_end if line_end >= 0 else len(lower)]
                length = int(value.strip())
            total = end + 4 + length
            if len(buffer) < total:
                break
            request_line = head[: head.find(b"\r\n")] if b"\r\n" in head else head
            parts = request_line.split(b" ")
            target = parts[1].decode("latin-1") if len(parts) > 1 else "/"
            out.append(self._canned.answer(target))
            buffer = buffer[total:]
        self._buffer = buffer
        if out and self._transport is not None:
            self._transport.write(b"".join(out))


async def serve(total: int) -> None:
    """Serve until stdin closes or SIGTERM arrives; print ``PORT <n>`` once listening."""
    loop = asyncio.get_running_loop()
    canned = _Canned(total)
    server = await loop.create_server(
        lambda: _HTTPProtocol(canned), host="127.0.0.1", port=0, backlog=1024
    )
    port = server.sockets[0].getsockname()[1]
    stop = loop.create_future()

    def finish() -> None:
        if not stop.done():
            stop.set_result(None)

    loop.add_signal_handler(signal.SIGTERM, finish)
    loop.add_signal_handler(signal.SIGINT, finish)

    def watch_stdin() -> None:
        # EOF on stdin (the runner closed it or went away) stops the server.
        sys.stdin.buffer.read()
        loop.call_soon_threadsafe(finish)

    threading.Thread(target=watch_stdin, name="stdin-watcher", daemon=True).start()
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    try:
        await stop
    finally:
        server.close()
        await server.wait_closed()


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=10_000, help="rooms in the listing")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.rooms))


if __name__ == "__main__":
    main()
