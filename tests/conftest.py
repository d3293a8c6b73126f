"""Shared test configuration. Each test package (core, emulator, sync, ...) has its own."""

from __future__ import annotations

import signal

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Give the run Python's usual Ctrl-C handling, whatever launched it.

    A launcher may start us with SIGINT ignored (a background job of a non-interactive shell
    does). The Ctrl-C tests, and the servers they start as subprocesses and stop with SIGINT,
    need SIGINT to raise KeyboardInterrupt: installing the default handler here also lets
    child processes start with SIGINT at its default again.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
