"""Where the time goes: CPU per request, peeling the client one layer at a time.

    python -m benchmarks.layers [--rounds N] [--only retrieve,page20,page250,hop]

One process (pinned to the clients' cores) against the benchmark server (pinned to the
other), 64 requests in flight, interleaved rounds; prints the median CPU time per request
(``time.process_time``, which a shared machine disturbs far less than the wall clock) of:

* raw aiohttp ``get`` + ``read()`` + ``json.loads``, and the same with ``orjson.loads``;
* our ``Transport.request`` with a parser that only decodes the body;
* the same with the models built (the resource's parser);
* the whole client call (``rooms.retrieve``, ``rooms.list(...).first_page()``);

and, for the sync facade, the p50 and CPU of one hop (``call`` of an empty coroutine) and
of a sequential ``retrieve`` through `VideoClient` against `AsyncVideoClient`.

A development tool, not a gate: the runner (``python -m benchmarks``) carries the targets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks._common import API_KEY, ROOM_ID, cores, pin, server_process

__all__ = ["main"]

CONCURRENCY = 64
Call = Callable[[], Awaitable[object]]


async def _cpu_per_call(call: Call, n: int) -> float:
    remaining = n

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    cpu = time.process_time()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return (time.process_time() - cpu) / n


def _calls(base_url: str, case: str, size: int) -> tuple[dict[str, Call], Call]:
    import aiohttp
    import orjson

    from telnyx_video import AsyncVideoClient
    from telnyx_video.models import Room
    from telnyx_video.resources._base import model_parser, page_parser

    session = aiohttp.ClientSession()
    headers = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}
    client = AsyncVideoClient(api_key=API_KEY, base_url=base_url, max_retries=0)
    transport = client._transport
    if case == "retrieve":
        url, params, path, query = f"{base_url}/rooms/{ROOM_ID}", None, f"/rooms/{ROOM_ID}", ""
        parse: Any = model_parser(Room)
    else:
        url, params = f"{base_url}/rooms", {"page[number]": "1", "page[size]": str(size)}
        path, query = "/rooms", f"page[number]=1&page[size]={size}"
        parse = page_parser(Room)

    async def raw() -> object:
        async with session.get(url, params=params, headers=headers) as resp:
            return json.loads(await resp.read())

    async def raw_orjson() -> object:
        async with session.get(url, params=params, headers=headers) as resp:
            return orjson.loads(await resp.read())

    async def transport_only() -> object:
        return await transport.request("GET", path, _body, query=query)

    async def models() -> object:
        return await transport.request("GET", path, parse, query=query)

    async def whole() -> object:
        if case == "retrieve":
            return await client.rooms.retrieve(ROOM_ID)
        return await client.rooms.list(page_size=size).first_page()

    async def close() -> None:
        await session.close()
        await client.close()

    calls: dict[str, Call] = {
        "raw aiohttp + json.loads": raw,
        "raw aiohttp + orjson.loads": raw_orjson,
        "Transport.request (body decoded)": transport_only,
        "+ building the models": models,
        "the whole client call": whole,
    }
    return calls, close


def _body(response: Any) -> object:
    return response.body


async def _layers(base_url: str, case: str, size: int, n: int, rounds: int) -> None:
    calls, close = _calls(base_url, case, size)
    names = list(calls)
    results: dict[str, list[float]] = {name: [] for name in names}
    try:
        for name in names:  # warm up: connections, caches, compiled structure functions
            await _cpu_per_call(calls[name], n // 4)
        for round_number in range(rounds):
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                results[name].append(await _cpu_per_call(calls[name], n))
    finally:
        await close()
    print(f"\n{case} (page size {size})" if size else f"\n{case}")
    for name in names:
        values = sorted(v * 1e6 for v in results[name])
        print(
            f"  {name:36s} {statistics.median(values):8.1f} us ({values[0]:.1f}-{values[-1]:.1f})"
        )


def _hop(base_url: str, n: int, rounds: int) -> None:
    from telnyx_video import AsyncVideoClient, VideoClient

    async def nothing() -> None:
        return None

    sync = VideoClient(api_key=API_KEY, base_url=base_url, max_retries=0)
    portal = sync._portal

    def sequential(call: Callable[[], object]) -> tuple[float, float]:
        times = []
        cpu = time.process_time()
        for _ in range(n):
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        return statistics.median(times), (time.process_time() - cpu) / n

    async def async_retrieve() -> tuple[float, float]:
        async with AsyncVideoClient(api_key=API_KEY, base_url=base_url, max_retries=0) as c:
            for _ in range(50):
                await c.rooms.retrieve(ROOM_ID)
            times = []
            cpu = time.process_time()
            for _ in range(n):
                started = time.perf_counter()
                await c.rooms.retrieve(ROOM_ID)
                times.append(time.perf_counter() - started)
            return statistics.median(times), (time.process_time() - cpu) / n

    cases: dict[str, Callable[[], tuple[float, float]]] = {
        "hop: call() of an empty coroutine": lambda: sequential(lambda: portal.call(nothing)),
        "VideoClient.rooms.retrieve": lambda: sequential(lambda: sync.rooms.retrieve(ROOM_ID)),
        "AsyncVideoClient.rooms.retrieve": lambda: asyncio.run(async_retrieve()),
    }
    sync.rooms.retrieve(ROOM_ID)
    for case in cases.values():
        case()
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, case in cases.items():
            results[name].append(case())
    sync.close()
    print("\nsync facade (sequential calls)")
    for name, values in results.items():
        p50 = statistics.median(v[0] for v in values) * 1e6
        cpu = statistics.median(v[1] for v in values) * 1e6
        print(f"  {name:36s} p50 {p50:7.1f} us, CPU {cpu:7.1f} us/call")
    hop = [
        (s[0] - a[0]) * 1e6
        for s, a in zip(
            results["VideoClient.rooms.retrieve"],
            results["AsyncVideoClient.rooms.retrieve"],
            strict=True,
        )
    ]
    print(f"  {'sync - async, p50':36s} {statistics.median(hop):7.1f} us")


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.layers")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="retrieve,page20,page250,hop")
    args = parser.parse_args(argv)
    wanted = set(args.only.split(","))
    server_cpus, client_cpus = cores()
    with server_process(1000, server_cpus) as base_url:
        pin(0, client_cpus)
        cases = [("retrieve", 0, 3000), ("page20", 20, 1500), ("page250", 250, 200)]
        for case, size, n in cases:
            if case in wanted:
                asyncio.run(_layers(base_url, case, size, n, args.rounds))
        if "hop" in wanted:
            _hop(base_url, 1000, args.rounds)


if __name__ == "__main__":
    main()
