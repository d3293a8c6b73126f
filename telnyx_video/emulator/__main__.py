"""``python -m telnyx_video.emulator``: serve the emulator until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Sequence

from telnyx_video.emulator._emulator import Emulator

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m telnyx_video.emulator",
        description="Serve a stateful, in-memory Telnyx Video API for offline development.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.add_argument(
        "--api-key",
        default=None,
        help="the API key clients must send (default: $TELNYX_API_KEY, else a random key)",
    )
    parser.add_argument(
        "--control-token",
        default=None,
        help=(
            "require 'Authorization: Bearer <token>' on the /_emulator/ control API "
            "(default: $TELNYX_EMULATOR_CONTROL_TOKEN, else loopback clients need no token; "
            "prefer the variable: arguments are visible to other local users)"
        ),
    )
    return parser


async def serve(
    host: str, port: int, api_key: str | None, control_token: str | None = None
) -> None:
    """Serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    async with Emulator(
        api_key=api_key, host=host, port=port, control_token=control_token
    ) as emulator:
        print(f"Telnyx Video emulator serving {emulator.base_url}", flush=True)
        if api_key is None:  # a generated key is news; a given one is not echoed
            print(f"API key: {emulator.api_key}", flush=True)
        needs = " (needs the control token)" if control_token is not None else ""
        print(f"Control API: {emulator.root_url}/_emulator/{needs}", flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    api_key = args.api_key or os.environ.get("TELNYX_API_KEY") or None
    control_token = (
        args.control_token or os.environ.get("TELNYX_EMULATOR_CONTROL_TOKEN", "").strip() or None
    )
    try:
        asyncio.run(serve(args.host, args.port, api_key, control_token))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"error: cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
