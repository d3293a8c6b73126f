"""Fixtures of the reliability and security suite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from _stub import StubServer, serve_stub

from telnyx_video import AsyncVideoClient
from telnyx_video._retry import RetryPolicy

#: A recognisable key: any test that finds it in a repr, message or log record fails.
SECRET_KEY = "KEY0123-sekrit-reliability-XYZ"

#: Fast retries, so that retried scenarios take milliseconds.
FAST_RETRIES = RetryPolicy(initial_backoff=0.001, max_backoff=0.005, max_retry_after=0.05)


@pytest.fixture
async def stub() -> AsyncIterator[StubServer]:
    """A scriptable aiohttp.web server on 127.0.0.1."""
    async with serve_stub() as server:
        yield server


@pytest.fixture
async def client(stub: StubServer) -> AsyncIterator[AsyncVideoClient]:
    """An async client of the stub server, with fast retries."""
    async with AsyncVideoClient(
        SECRET_KEY, base_url=stub.base_url, retry_policy=FAST_RETRIES, timeout=10.0
    ) as client:
        yield client
