"""What a page of ``GET /v2/rooms`` costs the emulator: with 1,000 rooms, with 50,000 rooms, and
from a bare ``aiohttp.web`` handler serving the same JSON.

Listing is O(page): at 50,000 rooms a page must cost at most 1.5x what it costs at 1,000 rooms,
and at most 2x what the bare handler costs (it answers the very bytes the emulator answered,
with no validation, no auth and no state). Each server runs as its own process on 127.0.0.1;
``--concurrency`` clients request the first page for ``--seconds`` on each server in turn, for
``--rounds`` rounds; the medians of requests per second give the ratios. Prints them as one
JSON line, in the form the runner (``python -m benchmarks``) turns into gated rows
(``<name>_ratio`` with its ``<name>_max``), and exits non-zero on a miss.

    python -m benchmarks.emulator_listing [--quick] [--page-size N] [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from typing import Any

import aiohttp

from benchmarks._emulator_servers import API_KEY, bare, emulator, rate

SMALL, LARGE = 1_000, 50_000
MAX_VS_SMALL = 1.5
MAX_VS_BARE = 2.0


async def _populate(base_url: str, rooms: int, concurrency: int = 32) -> None:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        numbers = iter(range(rooms))

        async def worker() -> None:
            for number in numbers:
                body = {"unique_name": f"room-{number:05d}", "max_participants": 10}
                async with session.post(base_url + "/rooms", json=body) as resp:
                    if resp.status != 201:
                        raise RuntimeError(f"creating a room answered {resp.status}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _page(base_url: str, page_size: int) -> bytes:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.get(base_url + "/rooms", params={"page[size]": page_size}) as resp,
    ):
        resp.raise_for_status()
        return await resp.read()


def figures(median: dict[str, float], page_size: int) -> dict[str, Any]:
    """The JSON line, from the median requests per second of each server.

    A page's cost is the inverse of the rate: cost(large) / cost(small) = rate(small) /
    rate(large).
    """
    vs_small = median["small"] / median["large"]
    vs_bare = median["bare"] / median["large"]
    return {
        "page_size": page_size,
        "rooms": {"small": SMALL, "large": LARGE},
        "rps": {name: round(value, 1) for name, value in median.items()},
        "list_50k_over_1k_ratio": round(vs_small, 3),
        "list_50k_over_1k_max": MAX_VS_SMALL,
        "list_50k_vs_bare_ratio": round(vs_bare, 3),
        "list_50k_vs_bare_max": MAX_VS_BARE,
        "ok": vs_small <= MAX_VS_SMALL and vs_bare <= MAX_VS_BARE,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 s per server and round")
    parser.add_argument("--seconds", type=float, default=None, help="per server and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--page-size", type=int, default=20)
    args = parser.parse_args()
    seconds = args.seconds or (1.0 if args.quick else 3.0)
    query = f"/rooms?page%5Bsize%5D={args.page_size}"
    with emulator() as small_url, emulator() as large_url:
        asyncio.run(_populate(small_url, SMALL))
        asyncio.run(_populate(large_url, LARGE))
        with bare(asyncio.run(_page(large_url, args.page_size)), "/rooms") as bare_url:
            urls = {"small": small_url, "large": large_url, "bare": bare_url}
            rates: dict[str, list[float]] = {name: [] for name in urls}
            for round_number in range(args.rounds):
                names = list(urls)[round_number % 3 :] + list(urls)[: round_number % 3]
                for name in names:  # rotate the order: no server always goes first
                    rates[name].append(
                        asyncio.run(rate(urls[name] + query, seconds, args.concurrency))
                    )
    median = {name: statistics.median(values) for name, values in rates.items()}
    result = figures(median, args.page_size)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
