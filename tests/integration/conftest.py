"""Fixtures of the integration tests: a contract-checked emulator and a client for it.

The lifecycle tests use only ``await client.<resource>.<method>(...)`` and
``async for`` over list paginators, so the same tests can run against another client that
looks awaitable (the sync facade behind an adapter) by overriding ``client``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
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
