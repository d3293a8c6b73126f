"""The suite's webhook receiver: an endpoint on 127.0.0.1 that records what it receives, and a
direct Ed25519 check of a delivery's signature."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def verify_signature(public_key_b64: str, headers: Any, body: bytes) -> None:
    """Check a delivery's Ed25519 signature with ``cryptography`` directly (raises if bad)."""
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
    timestamp = headers["telnyx-timestamp"]
    signature = base64.b64decode(headers["telnyx-signature-ed25519"])
    key.verify(signature, timestamp.encode() + b"|" + body)


class Receiver:
    """A webhook endpoint on 127.0.0.1 that records what it receives.

    ``statuses[path]`` sets the status answered on a path (default 200); a path in
    ``hang`` never answers (until the receiver closes), to exercise timeouts.
    """

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.statuses: dict[str, int] = {}
        self.hang: set[str] = set()
        self._changed = asyncio.Condition()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.root = ""

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.root = f"http://127.0.0.1:{port}"
        return self

    def url(self, path: str = "/hooks") -> str:
        return self.root + path

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        path = request.path
        async with self._changed:
            self.received.append((path, dict(request.headers), body))
            self._changed.notify_all()
        if path in self.hang:
            await self._closing.wait()
        return web.Response(status=self.statuses.get(path, 200))

    async def wait(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The JSON bodies of the first ``count`` requests, once they arrived."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.received) >= count), timeout
            )
        return [json.loads(body) for _, _, body in self.received[:count]]

    async def close(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()


@asynccontextmanager
async def serve_receiver() -> AsyncIterator[Receiver]:
    """Run a [`Receiver`][]; closed on exit."""
    receiver = await Receiver().start()
    try:
        yield receiver
    finally:
        await receiver.close()
