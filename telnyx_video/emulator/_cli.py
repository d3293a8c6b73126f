"""The emulator's one command line, shared by ``telnyx-video emulator`` and
``python -m telnyx_video.emulator``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from telnyx_video.emulator._loopback import is_loopback_host

if TYPE_CHECKING:
    from telnyx_video.emulator._emulator import Emulator

__all__ = ["DEFAULT_API_KEY", "DEFAULT_PORT", "add_arguments", "main", "run"]

DEFAULT_PORT = 8787
"""The port the command line serves on unless told otherwise."""
DEFAULT_API_KEY = "test-key"
"""The API key the command line accepts unless told otherwise (well known: loopback only)."""
CONTROL_TOKEN_ENV = "TELNYX_EMULATOR_CONTROL_TOKEN"  # noqa: S105 - a variable name


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the emulator's options to ``parser`` (their ``dest`` start with ``emulator_``)."""
    parser.add_argument(
        "--host",
        dest="emulator_host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; anything but loopback serves other machines)",
    )
    parser.add_argument(
        "--port",
        dest="emulator_port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--api-key",
        dest="emulator_api_key",
        default=DEFAULT_API_KEY,
        metavar="KEY",
        help=f"the key clients must send (default {DEFAULT_API_KEY})",
    )
    parser.add_argument(
        "--control-token",
        dest="emulator_control_token",
        default=None,
        metavar="TOKEN",
        help=(
            "require 'Authorization: Bearer TOKEN' on the /_emulator/ control API (default: "
            f"${CONTROL_TOKEN_ENV}, else loopback clients need no token; prefer the variable: "
            "arguments are visible to other local users)"
        ),
    )
    parser.add_argument(
        "--strict",
        dest="emulator_strict",
        action="store_true",
        help="refuse unknown filter[...] query parameters (default: ignore and log them, "
        "as the real API ignores them)",
    )


async def _serve(emulator: Emulator, announce: Sequence[str]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    async with emulator:
        print(f"Telnyx Video emulator serving {emulator.base_url}", flush=True)
        for line in announce:
            print(line.format(root=emulator.root_url, ui=emulator.ui_url), flush=True)
        await stop.wait()


def run(ns: argparse.Namespace) -> int:
    """Serve until SIGINT or SIGTERM with the options of ``add_arguments()``; the exit status."""
    from telnyx_video.emulator._emulator import Emulator

    host, port = ns.emulator_host, ns.emulator_port
    env_token = os.environ.get(CONTROL_TOKEN_ENV, "").strip() or None
    token = ns.emulator_control_token if ns.emulator_control_token is not None else env_token
    try:
        emulator = Emulator(
            api_key=ns.emulator_api_key,
            host=host,
            port=port,
            control_token=token,
            strict=ns.emulator_strict,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not is_loopback_host(host):
        print(
            f"warning: serving on {host}, not loopback: other machines can reach the emulator "
            "and drive it with its API key; the control API still answers loopback clients "
            "only",
            file=sys.stderr,
            flush=True,
        )
    announce = []
    if ns.emulator_api_key == DEFAULT_API_KEY:  # a given key is not echoed
        announce.append(f"API key: {DEFAULT_API_KEY}")
    needs = " (needs the control token)" if token is not None else ""
    announce.append(f"Control API: {{root}}/_emulator/{needs}")
    ask = " (add #token=<control token>, or enter it when asked)" if token is not None else ""
    announce.append(f"Dashboard: {{ui}}{ask}")
    try:
        asyncio.run(_serve(emulator, announce))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"error: cannot serve on {host}:{port}: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m telnyx_video.emulator``: parse ``argv`` and serve; the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m telnyx_video.emulator",
        description="Serve a stateful, in-memory Telnyx Video API for offline development.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
