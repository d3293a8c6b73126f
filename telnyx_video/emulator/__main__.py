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
    return parser


async def serve(host: str, port: int, api_key: str | None) -> None:
    """Serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    async with Emulator(api_key=api_key, host=host, port=port) as emulator:
        print(f"Telnyx Video emulator serving {emulator.base_url}", flush=True)
        if api_key is None:  # a generated key is news; a given one is not echoed
            print(f"API key: {emulator.api_key}", flush=True)
        print(f"Control API: {emulator.root_url}/_emulator/", flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    api_key = args.api_key or os.environ.get("TELNYX_API_KEY") or None
    try:
        asyncio.run(serve(args.host, args.port, api_key))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"error: cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
