"""Throughput of the emulator against a bare aiohttp handler serving the same JSON.

Both servers run as separate processes on 127.0.0.1; 64 concurrent aiohttp clients
hammer ``GET /v2/rooms/{id}`` on each in turn for the same duration. Prints requests per
second and the ratio emulator / bare; exits non-zero when the ratio is below 0.5.

    python -m benchmarks.emulator_throughput [--quick] [--seconds N] [--concurrency N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

import aiohttp

from benchmarks._emulator_servers import API_KEY, bare, emulator, rate

THRESHOLD = 0.5


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
    args = parser.parse_args()
    seconds = args.seconds or (2.0 if args.quick else 10.0)
    with emulator() as emulator_url:
        room_id, body = asyncio.run(_create_room(emulator_url))
        path = f"/rooms/{room_id}"
        with bare(body, "/rooms/{room_id}") as bare_url:
            emulator_rps = asyncio.run(rate(emulator_url + path, seconds, args.concurrency))
            bare_rps = asyncio.run(rate(bare_url + path, seconds, args.concurrency))
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
