"""pytest plugin of telnyx-video: fixtures that run the offline emulator for your tests.

Registered through the ``pytest11`` entry point, so installing telnyx-video makes these
fixtures available:

``telnyx_emulator``
    A running [`EmulatorThread`][telnyx_video.emulator.EmulatorThread] (one per test session, on a
    background thread), reset before each test: no rooms, webhooks or faults from other
    tests, and the clock back to real time. Control it with its blocking
    methods: ``join``, ``leave``, ``advance``, ``wait_for_webhooks``, ``configure_faults``.
    It is strict: an unknown ``filter[...]`` query parameter is a 422 rather than ignored,
    so a typo in your filters fails your test instead of matching everything.
``telnyx_client``
    An [`AsyncVideoClient`][telnyx_video.AsyncVideoClient] pointed at the emulator (needs
    ``pytest-asyncio``; use it from ``async`` tests).
``telnyx_sync_client``
    A [`VideoClient`][telnyx_video.VideoClient] pointed at the emulator.

Importing this module is cheap: the emulator and the clients are imported only when a
fixture is first used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from telnyx_video import AsyncVideoClient, VideoClient
    from telnyx_video.emulator import EmulatorThread

__all__ = ["telnyx_emulator", "telnyx_emulator_server", "telnyx_sync_client"]

#: The API key of the plugin's emulator.
API_KEY = "telnyx-emulator-test-key"


@pytest.fixture(scope="session")
def telnyx_emulator_server() -> Iterator[EmulatorThread]:
    """The session's emulator thread; prefer ``telnyx_emulator``, which resets it."""
    from telnyx_video.emulator import EmulatorThread

    with EmulatorThread(api_key=API_KEY, strict=True) as emulator:
        yield emulator


@pytest.fixture
def telnyx_emulator(telnyx_emulator_server: EmulatorThread) -> EmulatorThread:
    """A running emulator with no rooms, webhooks, faults or clock moves left over from other
    tests."""
    telnyx_emulator_server.reset()
    return telnyx_emulator_server


@pytest.fixture
def telnyx_sync_client(telnyx_emulator: EmulatorThread) -> Iterator[VideoClient]:
    """A ``VideoClient`` talking to ``telnyx_emulator``; closed after the test."""
    from telnyx_video import VideoClient

    with VideoClient(api_key=telnyx_emulator.api_key, base_url=telnyx_emulator.base_url) as client:
        yield client


class _AsyncClientMissing:
    """Stands in for ``telnyx_client`` when pytest-asyncio is not installed."""

    @pytest.fixture
    def telnyx_client(self) -> None:
        pytest.fail(
            "the telnyx_client fixture needs pytest-asyncio (pip install pytest-asyncio); "
            "without it, use telnyx_sync_client",
            pytrace=False,
        )


def _async_fixtures() -> object:
    import pytest_asyncio

    class AsyncFixtures:
        @pytest_asyncio.fixture
        async def telnyx_client(
            self, telnyx_emulator: EmulatorThread
        ) -> AsyncIterator[AsyncVideoClient]:
            """An ``AsyncVideoClient`` talking to ``telnyx_emulator``; closed after the test."""
            from telnyx_video import AsyncVideoClient

            client = AsyncVideoClient(
                api_key=telnyx_emulator.api_key, base_url=telnyx_emulator.base_url
            )
            try:
                yield client
            finally:
                await client.close()

    return AsyncFixtures()


def pytest_configure(config: pytest.Config) -> None:
    """Register ``telnyx_client`` (async with pytest-asyncio, else a clear failure)."""
    try:
        plugin = _async_fixtures()
    except ImportError:
        plugin = _AsyncClientMissing()
    config.pluginmanager.register(plugin, "telnyx_video.async_fixtures")
