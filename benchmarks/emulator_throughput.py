"""Throughput of the emulator against a bare aiohttp handler serving the same JSON.

Both servers run as separate processes on 127.0.0.1; 64 concurrent aiohttp clients
hammer ``GET /v2/rooms/{id}`` on each in turn for the same duration. Prints requests per
second and the ratio emulator / bare; exits non-zero when the ratio is below 0.5.

    python benchmarks/emulator_throughput.py [--quick] [--seconds N] [--concurrency N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import IO

import aiohttp

API_KEY = "bench-key"
THRESHOLD = 0.5


def _serve_bare(body_file: str) -> None:
    """The baseline: a bare aiohttp.web handler returning fixed JSON (child process)."""
    from aiohttp import web

    with open(body_file, "rb") as f:
        body = f.read()

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/v2/rooms/{room_id}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        print(f"bare serving http://127.0.0.1:{port}/v2", flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


@contextlib.contextmanager
def _server(args: list[str]) -> Iterator[str]:
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
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


async def _load(url: str, seconds: float, concurrency: int) -> float:
    """Requests per second sustained by ``concurrency`` clients for ``seconds``."""
    headers = {"Authorization": f"Bearer {API_KEY}"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        # Warm up (connections, caches) before measuring.
        for _ in range(3):
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


async def _create_room(base_url: str) -> tuple[str, bytes]:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.post(base_url + "/rooms", json={"unique_name": "bench"}) as resp:
            resp.raise_for_status()
            room_id = (await resp.json())["data"]["id"]
        async with session.get(f"{base_url}/rooms/{room_id}") as resp:
            return room_id, await resp.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 s per server instead of 10 s")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--serve-bare", metavar="BODY_FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        _serve_bare(args.serve_bare)
        return 0
    seconds = args.seconds or (2.0 if args.quick else 10.0)
    emulator_cmd = [
        sys.executable,
        "-m",
        "telnyx_video.emulator",
        "--port",
        "0",
        "--api-key",
        API_KEY,
    ]
    with (
        _server(emulator_cmd) as emulator_url,
        tempfile.NamedTemporaryFile(suffix=".json") as body_file,
    ):
        room_id, body = asyncio.run(_create_room(emulator_url))
        body_file.write(body)
        body_file.flush()
        bare_cmd = [sys.executable, __file__, "--serve-bare", body_file.name]
        with _server(bare_cmd) as bare_url:
            path = f"/rooms/{room_id}"
            emulator_rps = asyncio.run(_load(emulator_url + path, seconds, args.concurrency))
            bare_rps = asyncio.run(_load(bare_url + path, seconds, args.concurrency))
    ratio = emulator_rps / bare_rps
    print(
        json.dumps(
            {
                "concurrency": args.concurrency,
                "seconds": seconds,
                "emulator_rps": round(emulator_rps, 1),
                "bare_rps": round(bare_rps, 1),
                "ratio": round(ratio, 3),
                "threshold": THRESHOLD,
            }
        )
    )
    return 0 if ratio >= THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
