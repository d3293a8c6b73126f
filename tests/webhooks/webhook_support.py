"""Helpers of the webhook tests: a Telnyx-like signer, delivery bodies, loopback servers for
the framework adapters, and recording dedupe stores."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

import aiohttp
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class Signer:
    """Signs deliveries the way Telnyx does, with its own key pair."""

    def __init__(self) -> None:
        self.private_key = Ed25519PrivateKey.generate()
        self.public_key_object = self.private_key.public_key()
        self.public_key_raw = self.public_key_object.public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.public_key = base64.b64encode(self.public_key_raw).decode()
        self.public_key_pem = self.public_key_object.public_bytes(
            Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def sign(self, body: bytes, timestamp: str) -> str:
        return base64.b64encode(self.private_key.sign(timestamp.encode() + b"|" + body)).decode()

    def headers(self, body: bytes, timestamp: int | str | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "telnyx-signature-ed25519": self.sign(body, ts),
            "telnyx-timestamp": ts,
            "content-type": "application/json",
        }


def event_body(
    event_type: str = "video.room.session.started",
    payload: dict[str, Any] | None = None,
    *,
    attempt: int = 1,
    delivered_to: str = "https://example.com/webhooks",
    event_id: str | None = None,
    occurred_at: str = "2026-01-01T00:00:00.000000Z",
) -> bytes:
    """A delivery body in the wire format: {"data": event, "meta": {...}}."""
    if payload is None:
        payload = {"room_id": str(uuid.uuid4()), "session_id": str(uuid.uuid4())}
    event = {
        "record_type": "event",
        "id": str(uuid.uuid4()) if event_id is None else event_id,
        "event_type": event_type,
        "occurred_at": occurred_at,
        "payload": payload,
    }
    return json.dumps(
        {"data": event, "meta": {"attempt": attempt, "delivered_to": delivered_to}}
    ).encode()


def spec_examples() -> dict[str, dict[str, Any]]:
    """The example of each event schema, keyed by event type (fixing the examples whose
    event_type was copied from another schema)."""
    contract = resources.files("telnyx_video.webhooks").joinpath("events.json")
    schemas = json.loads(contract.read_text(encoding="utf-8"))["components"]["schemas"]
    examples = {}
    for schema in schemas.values():
        event_type = schema["properties"]["event_type"]["enum"][0]
        examples[event_type] = {**schema["example"], "event_type": event_type}
    return examples


@contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a loopback port, in a thread; yields its URL.

    The socket listens before the server starts, so requests made at once wait in its backlog
    (no readiness polling needed).
    """
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
    assert not thread.is_alive()


@contextmanager
def serve_wsgi(app: Any) -> Iterator[str]:
    """Serve a WSGI app (Flask, Django) with werkzeug on a loopback port, in a thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(30)
    assert not thread.is_alive()


class RecordingStore:
    """A custom sync dedupe store (a set) that records how it is used."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.calls: list[tuple[str, str]] = []

    def add(self, event_id: str) -> bool:
        self.calls.append(("add", event_id))
        if event_id in self.ids:
            return False
        self.ids.add(event_id)
        return True

    def discard(self, event_id: str) -> None:
        self.calls.append(("discard", event_id))
        self.ids.discard(event_id)


class AsyncRecordingStore:
    """The async flavour of RecordingStore."""

    def __init__(self) -> None:
        self.sync = RecordingStore()

    @property
    def calls(self) -> list[tuple[str, str]]:
        return self.sync.calls

    async def add(self, event_id: str) -> bool:
        await asyncio.sleep(0)
        return self.sync.add(event_id)

    async def discard(self, event_id: str) -> None:
        await asyncio.sleep(0)
        self.sync.discard(event_id)


def raw_request(
    path: str, headers: dict[str, str], body: bytes, *, content_length: int | None = None
) -> bytes:
    """An HTTP/1.1 POST as bytes; ``content_length`` defaults to the body's length."""
    length = len(body) if content_length is None else content_length
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}Content-Length: {length}\r\n\r\n"
    ).encode() + body


async def raw_exchange(url: str, request: bytes, *, half_close: bool = False) -> bytes:
    """Send raw bytes over a loopback socket in one write; the answer's head and body (b"" if
    the server closed without one). The socket stays open, as a stalled client's would."""
    host, port = url.removeprefix("http://").split("/")[0].split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(request)
        await writer.drain()
        if half_close:
            writer.write_eof()
        async with asyncio.timeout(30):  # a hang is a failure, not a slow pass
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as exc:
                return exc.partial
            length = re.search(rb"(?i)content-length: (\d+)", head)
            return head + await reader.readexactly(int(length[1]) if length else 0)
    finally:
        writer.close()
        await writer.wait_closed()


def status_line(answer: bytes) -> bytes:
    """The first line of a raw HTTP answer."""
    return answer.split(b"\r\n", 1)[0]


class Server:
    """An aiohttp app served on an ephemeral loopback port, with a client session."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.runner = web.AppRunner(app)
        self.url = ""
        self.session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        self.session = aiohttp.ClientSession()

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
        await self.runner.cleanup()

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        assert self.session is not None
        data = io.BytesIO(body)  # aiohttp warns about large raw bytes bodies
        async with self.session.post(self.url + path, data=data, headers=headers) as resp:
            return resp.status, await resp.text()
