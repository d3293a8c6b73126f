"""Shared test configuration and fixtures. Each test package (core, emulator, sync, ...) adds
its own; the shared helpers are ``_stub.py`` (a scriptable server) and ``_receiver.py``."""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator

import pytest
from _receiver import Receiver, serve_receiver


def pytest_configure(config: pytest.Config) -> None:
    """Give the run Python's usual Ctrl-C handling, whatever launched it.

    A launcher may start us with SIGINT ignored (a background job of a non-interactive shell
    does). The Ctrl-C tests, and the servers they start as subprocesses and stop with SIGINT,
    need SIGINT to raise KeyboardInterrupt: installing the default handler here also lets
    child processes start with SIGINT at its default again.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A webhook receiver on 127.0.0.1 that records what it receives."""
    async with serve_receiver() as r:
        yield r
