"""One contender in its own process, measuring what the runner asks for.

    python -m benchmarks.worker CONTENDER BASE_URL [--read-size BYTES]

It builds the client once, prints ``READY``, then answers one JSON command per stdin line
with one JSON line on stdout, until stdin closes. A command names an operation and its size::

    {"op": "retrieve", "n": 3000, "concurrency": 64}   # n calls, concurrency in flight
    {"op": "page", "size": 250, "n": 200, "concurrency": 64}
    {"op": "walk", "size": 250, "expect": 100000}      # every room of the listing, once
    {"op": "latency", "n": 600}                        # n calls one after the other
    {"op": "threads", "n": 3000, "threads": 16}        # sync clients: shared by threads

and the answer says what it cost: ``wall`` and ``cpu`` seconds (``time.process_time``, all
threads of the process), ``ops`` done, ``minflt`` (minor page faults, which is where a
256 KiB read buffer that glibc maps and unmaps on every read shows) and, for ``latency``,
``p50`` (seconds per call, median).

``--read-size`` changes the size asyncio passes to ``recv()`` (256 KiB by default, its
``_SelectorSocketTransport.max_size``): the read-buffer experiment of the runner.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks.contenders import ASYNC_CONTENDERS, SYNC_CONTENDERS, make_async, make_sync


class Meter:
    """Wall time, CPU time and minor page faults between ``start()`` and ``stop()``."""

    def start(self) -> None:
        self._faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        self._cpu = time.process_time()
        self._wall = time.perf_counter()

    def stop(self, ops: int, **extra: float) -> dict[str, float]:
        wall = time.perf_counter() - self._wall
        cpu = time.process_time() - self._cpu
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - self._faults
        return {"wall": wall, "cpu": cpu, "ops": ops, "minflt": faults, **extra}


async def _drive(call: Callable[[], Awaitable[object]], total: int, concurrency: int) -> None:
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def run_async(contender: Any, command: dict[str, Any]) -> dict[str, float]:
    """Carry out one command with an async contender."""
    meter, op = Meter(), command["op"]
    if op in ("retrieve", "page"):
        size = command.get("size", 0)

        async def call() -> object:
            return await (contender.retrieve() if op == "retrieve" else contender.page(size))

        meter.start()
        await _drive(call, command["n"], command["concurrency"])
        return meter.stop(command["n"])
    if op == "walk":
        meter.start()
        seen = await contender.walk(command["size"])
        result = meter.stop(seen)
        if seen != command["expect"]:
            raise RuntimeError(f"walked {seen} rooms, expected {command['expect']}")
        return result
    if op == "latency":
        times = []
        meter.start()
        for _ in range(command["n"]):
            started = time.perf_counter()
            await contender.retrieve()
            times.append(time.perf_counter() - started)
        return meter.stop(command["n"], p50=statistics.median(times))
    raise ValueError(f"an async contender cannot {op!r}")


def run_sync(contender: Any, command: dict[str, Any]) -> dict[str, float]:
    """Carry out one command with a sync contender."""
    meter, op = Meter(), command["op"]
    if op == "latency":
        times = []
        meter.start()
        for _ in range(command["n"]):
            started = time.perf_counter()
            contender.retrieve()
            times.append(time.perf_counter() - started)
        return meter.stop(command["n"], p50=statistics.median(times))
    if op == "threads":
        remaining = command["n"]
        lock = threading.Lock()
        failures: list[BaseException] = []

        def work() -> None:
            nonlocal remaining
            try:
                while True:
                    with lock:
                        if remaining <= 0:
                            return
                        remaining -= 1
                    contender.retrieve()
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=work) for _ in range(command["threads"])]
        meter.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        return meter.stop(command["n"])
    raise ValueError(f"a sync contender cannot {op!r}")


def _commands() -> Any:
    for line in sys.stdin:
        if line.strip():
            yield json.loads(line)


def _answer(result: dict[str, float]) -> None:
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


async def _serve_async(name: str, base_url: str) -> None:
    contender = make_async(name, base_url)
    try:
        _answer({"ready": 1})
        for command in _commands():  # blocking reads: nothing else runs between samples
            _answer(await run_async(contender, command))
    finally:
        await contender.close()


def _serve_sync(name: str, base_url: str) -> None:
    contender = make_sync(name, base_url)
    try:
        _answer({"ready": 1})
        for command in _commands():
            _answer(run_sync(contender, command))
    finally:
        contender.close()


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("contender", choices=[*ASYNC_CONTENDERS, *SYNC_CONTENDERS])
    parser.add_argument("base_url")
    parser.add_argument("--read-size", type=int, help="bytes asyncio asks recv() for")
    args = parser.parse_args(argv)
    if args.read_size:
        from asyncio import selector_events

        selector_events._SelectorSocketTransport.max_size = args.read_size
    if args.contender in SYNC_CONTENDERS:
        _serve_sync(args.contender, args.base_url)
    else:
        asyncio.run(_serve_async(args.contender, args.base_url))


if __name__ == "__main__":
    main()
