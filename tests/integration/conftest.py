"""Fixtures of the integration tests: a contract-checked emulator and a client for it.

The lifecycle tests use only ``await client.<resource>.<method>(...)`` and
``async for`` over list paginators, so the same tests can run against another client that
looks awaitable (the sync facade behind an adapter) by overriding ``client``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from sync.adapter import SyncAdapter

from telnyx_video import AsyncVideoClient, VideoClient
from telnyx_video.emulator import Clock, Emulator

#: Where the emulator clock starts (frozen: it moves only with ``emulator.advance``).
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """An emulator that checks every response it sends against the contract."""
    async with Emulator(api_key="integration-key", clock=Clock(START), check_responses=True) as emu:
        yield emu
        assert emu.response_violations == []


@pytest.fixture(params=["async", "sync"])
async def client(request: pytest.FixtureRequest, emulator: Emulator) -> AsyncIterator[Any]:
    """A client pointed at the emulator: every scenario runs once per facade.

    ``sync`` is the generated :class:`VideoClient` behind :class:`SyncAdapter`, which makes
    it look awaitable, so the same scenarios exercise both facades without being copied.
    """
    if request.param == "async":
        async with AsyncVideoClient(api_key=emulator.api_key, base_url=emulator.base_url) as c:
            yield c
    else:
        sync_client = VideoClient(api_key=emulator.api_key, base_url=emulator.base_url)
        async with SyncAdapter(sync_client) as adapted:
            yield adapted


class WebhookReceiver:
    """Records webhook deliveries on 127.0.0.1 (raw body and headers, in arrival order)."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[dict[str, str], bytes]] = []
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhooks", self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/webhooks"

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        async with self._arrived:
            self.deliveries.append((dict(request.headers), body))
            self._arrived.notify_all()
        return web.Response(status=204)

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The first ``count`` bodies, decoded, once they arrived."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.deliveries) >= count), timeout
            )
        return [json.loads(body) for _, body in self.deliveries[:count]]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.close()
