"""Fixtures of the emulator tests: an emulator on a frozen clock, clients, raw HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import Clock, Emulator

from .support import API_KEY, START

_NOT_APP_KEY = "error::aiohttp.web_exceptions.NotAppKeyWarning"


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A strict emulator on a frozen clock that checks its own responses against the contract."""
    async with Emulator(
        api_key=API_KEY, clock=Clock(START), check_responses=True, strict=True
    ) as emulator:
        yield emulator
        assert emulator.response_violations == []


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[AsyncVideoClient]:
    """The async client, without retries (tests see every answer)."""
    async with AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url, max_retries=0) as c:
        yield c


@pytest.fixture
async def http(emu: Emulator) -> AsyncIterator[aiohttp.ClientSession]:
    """A raw HTTP session for the emulator (no auth header by default)."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {API_KEY}"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """aiohttp's NotAppKeyWarning (a str key on an app or request) fails the emulator tests."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.filterwarnings(_NOT_APP_KEY))
