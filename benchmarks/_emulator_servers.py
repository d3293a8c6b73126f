"""What the emulator's benchmarks share: the emulator and a bare ``aiohttp.web`` baseline, each
in a process of its own on 127.0.0.1, and a load of concurrent clients measuring requests per
second.

``python -m benchmarks._emulator_servers BODY_FILE ROUTE`` is the baseline itself: it answers
``GET ROUTE`` with the bytes of ``BODY_FILE``, with no validation, no auth and no state.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import aiohttp

__all__ = ["API_KEY", "bare", "emulator", "rate"]

API_KEY = "bench-key"
ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def _server(args: list[str]) -> Iterator[str]:
    """A server process started with ``python ARGS``; its API root (the URL it prints)."""
    process = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        stdout: IO[str] | None = process.stdout
        assert stdout is not None
        line = stdout.readline()
        if "http://" not in line:
            raise RuntimeError(f"server did not start: {line!r}")
        yield line.strip().rsplit(" ", 1)[1]
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def emulator() -> contextlib.AbstractContextManager[str]:
    """An emulator process (``telnyx-video emulator``); its API root."""
    return _server(["-m", "telnyx_video.emulator", "--port", "0", "--api-key", API_KEY])


@contextlib.contextmanager
def bare(body: bytes, route: str) -> Iterator[str]:
    """The baseline process answering ``GET /v2<route>`` with ``body``; its API root."""
    with tempfile.NamedTemporaryFile(suffix=".json") as body_file:
        body_file.write(body)
        body_file.flush()
        with _server(["-m", "benchmarks._emulator_servers", body_file.name, route]) as url:
            yield url


async def rate(url: str, seconds: float, concurrency: int) -> float:
    """Requests per second sustained by ``concurrency`` clients for ``seconds``."""
    headers = {"Authorization": f"Bearer {API_KEY}"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        for _ in range(3):  # warm up connections and caches
            async with session.get(url) as resp:
                resp.raise_for_status()
                await resp.read()
        done = 0
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.get(url) as resp:
                    await resp.read()
                    if resp.status != 200:
                        raise RuntimeError(f"unexpected status {resp.status}")
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - start)


def _serve_bare(body_file: str, route: str) -> None:
    from aiohttp import web

    body = Path(body_file).read_bytes()

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/v2" + route, handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        print(f"bare serving http://127.0.0.1:{runner.addresses[0][1]}/v2", flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


if __name__ == "__main__":
    _serve_bare(*sys.argv[1:3])
