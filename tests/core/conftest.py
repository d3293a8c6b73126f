"""Fixtures of the core tests: the suite's scripted loopback server and clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from _stub import UNSCRIPTED, StubServer, serve_stub

from telnyx_video import AsyncVideoClient, RetryPolicy

from .helpers import API_KEY, MakeClient

#: Retries that wait (almost) nothing, so retry tests stay fast.
FAST = RetryPolicy(initial_backoff=0.001, max_backoff=0.002)


@pytest.fixture
async def server() -> AsyncIterator[StubServer]:
    """The stub server; only scripted requests succeed (any other is a 599)."""
    async with serve_stub(UNSCRIPTED) as stub:
        yield stub


@pytest.fixture
async def make_client(server: StubServer) -> AsyncIterator[MakeClient]:
    """Build clients for the test server (fast retries by default); all closed afterwards."""
    made: list[AsyncVideoClient] = []

    def make(**kwargs: Any) -> AsyncVideoClient:
        kwargs.setdefault("api_key", API_KEY)
        kwargs.setdefault("base_url", server.base_url)
        kwargs.setdefault("retry_policy", FAST)
        made.append(AsyncVideoClient(**kwargs))
        return made[-1]

    try:
        yield make
    finally:
        for c in made:
            await c.close()


@pytest.fixture
async def client(make_client: MakeClient) -> AsyncVideoClient:
    return make_client()
