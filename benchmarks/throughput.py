"""Benchmark 1: async throughput of ``rooms.retrieve``, 64 requests in flight.

Ours (``AsyncVideoClient``) against raw aiohttp (one ``ClientSession``, the same headers,
``read()`` + ``json.loads`` of the body, no model: the ceiling of any aiohttp-based client)
and the official ``AsyncTelnyx``. Retries are off everywhere.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from benchmarks._common import (
    API_KEY,
    ROOM_ID,
    Direction,
    Row,
    Settings,
    load_official,
    median_ratio,
    rotations,
)
from telnyx_video import AsyncVideoClient, Room

__all__ = ["run_throughput"]

Call = Callable[[], Awaitable[object]]


async def drive(call: Call, total: int, concurrency: int) -> float:
    """Run ``total`` calls with ``concurrency`` in flight; return calls per second."""
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started)


async def _measure(base_url: str, settings: Settings) -> dict[str, list[float]]:
    telnyx = load_official()
    headers = {
        "Authorization": f"Bearer {API_KEY}",
        "Accept": "application/json",
        "User-Agent": "bench-raw-aiohttp",
    }
    url = f"{base_url}/rooms/{ROOM_ID}"
    samples: dict[str, list[float]] = {}
    async with (
        AsyncVideoClient(api_key=API_KEY, base_url=base_url, max_retries=0) as ours,
        aiohttp.ClientSession() as session,
    ):

        async def call_ours() -> object:
            room = await ours.rooms.retrieve(ROOM_ID)
            assert isinstance(room, Room)
            return room

        async def call_raw() -> object:
            async with session.get(url, headers=headers) as resp:
                body = await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"raw aiohttp got HTTP {resp.status}")
            return json.loads(body)["data"]

        calls: dict[str, Call] = {"ours": call_ours, "raw": call_raw}
        official: Any = None
        if telnyx is not None:
            official = telnyx.AsyncTelnyx(api_key=API_KEY, base_url=base_url, max_retries=0)

            async def call_official() -> object:
                room = await official.rooms.retrieve(ROOM_ID)
                return room

            calls["official"] = call_official
        # The official client is an order of magnitude slower: a quarter of the requests
        # still keeps each of its samples well over a second long.
        requests = {name: settings.async_requests for name in calls}
        if "official" in requests:
            requests["official"] = max(settings.async_requests // 4, 2 * settings.concurrency)
        try:
            for name, call in calls.items():  # warm up: open the connections
                await drive(call, settings.concurrency * 2, settings.concurrency)
                samples[name] = []
            for order in rotations(list(calls), settings.rounds):
                for name in order:
                    count = requests[name]
                    rate = await drive(calls[name], count, settings.concurrency)
                    samples[name].append(rate)
        finally:
            if official is not None:
                await official.close()
    return samples


def run_throughput(base_url: str, settings: Settings) -> list[Row]:
    """Measure and return the rows of benchmark 1."""
    samples = asyncio.run(_measure(base_url, settings))
    ours = samples["ours"]
    label = f"1. async retrieve, {settings.concurrency} in flight"
    med = {name: statistics.median(values) for name, values in samples.items()}
    rows = [
        Row(
            benchmark=f"{label}: vs raw aiohttp",
            ours=f"{med['ours']:,.0f} req/s",
            reference=f"{med['raw']:,.0f} req/s",
            ratio=median_ratio(ours, samples["raw"]),
            direction=Direction.AT_LEAST,
            target=0.8,
        )
    ]
    if "official" in samples:
        rows.append(
            Row(
                benchmark=f"{label}: vs AsyncTelnyx",
                ours=f"{med['ours']:,.0f} req/s",
                reference=f"{med['official']:,.0f} req/s",
                ratio=median_ratio(ours, samples["official"]),
                direction=Direction.AT_LEAST,
                target=3.0,
            )
        )
    else:
        rows.append(
            Row(
                benchmark=f"{label}: vs AsyncTelnyx",
                ours=f"{med['ours']:,.0f} req/s",
                reference="not installed",
                direction=Direction.AT_LEAST,
                target=3.0,
                note="pip install telnyx==4.189.0",
            )
        )
    return rows
