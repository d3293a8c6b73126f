"""Fixtures for the webhook tests: Telnyx-like signers with fresh Ed25519 key pairs, and
aiohttp apps (receivers) served on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from .webhook_support import Server, Signer

Serve = Callable[[web.Application], Awaitable[Server]]


@pytest.fixture
def signer() -> Signer:
    return Signer()


@pytest.fixture
def other_signer() -> Signer:
    return Signer()


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """``await serve(app)``: the app on an ephemeral loopback port (closed after the test)."""
    servers: list[Server] = []

    async def start(app: web.Application) -> Server:
        server = Server(app)
        servers.append(server)
        await server.start()
        return server

    yield start
    for server in servers:
        await server.close()
