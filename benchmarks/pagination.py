"""Benchmark 3: walk every room of a listing with auto-pagination.

The server lists ``settings.rooms`` rooms (10,000 in the full run); every client asks for
``page_size`` (250) per page and iterates item by item. Ours async against ``AsyncTelnyx``,
ours sync against ``Telnyx``. Each walk checks it saw every room.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks._common import (
    API_KEY,
    Direction,
    Row,
    Settings,
    load_official,
    load_sync_client,
    median_ratio,
    rotations,
)
from telnyx_video import AsyncVideoClient

__all__ = ["run_pagination"]

TARGET = 0.4


def _label(settings: Settings, kind: str) -> str:
    return f"3. walk {settings.rooms:,} rooms, {settings.page_size}/page: {kind}"


def _check(name: str, seen: int, settings: Settings) -> None:
    if seen != settings.rooms:
        raise RuntimeError(f"{name} walked {seen} rooms, expected {settings.rooms}")


async def _measure_async(base_url: str, settings: Settings) -> dict[str, list[float]]:
    telnyx = load_official()
    size = settings.page_size
    samples: dict[str, list[float]] = {}
    async with AsyncVideoClient(api_key=API_KEY, base_url=base_url, max_retries=0) as ours:

        async def walk_ours() -> int:
            seen = 0
            async for _room in ours.rooms.list(page_size=size):
                seen += 1
            return seen

        walks: dict[str, Callable[[], Awaitable[int]]] = {"ours": walk_ours}
        official: Any = None
        if telnyx is not None:
            official = telnyx.AsyncTelnyx(api_key=API_KEY, base_url=base_url, max_retries=0)

            async def walk_official() -> int:
                seen = 0
                async for _room in official.rooms.list(page_size=size):
                    seen += 1
                return seen

            walks["official"] = walk_official
        try:
            for name, walk in walks.items():  # warm up, and check the walk is complete
                _check(name, await walk(), settings)
                samples[name] = []
            for order in rotations(list(walks), settings.rounds):
                for name in order:
                    started = time.perf_counter()
                    seen = await walks[name]()
                    samples[name].append(time.perf_counter() - started)
                    _check(name, seen, settings)
        finally:
            if official is not None:
                await official.close()
    return samples


def _measure_sync(base_url: str, settings: Settings, sync_cls: type[Any], telnyx: Any) -> Any:
    size = settings.page_size
    ours = sync_cls(api_key=API_KEY, base_url=base_url, max_retries=0)
    official = telnyx.Telnyx(api_key=API_KEY, base_url=base_url, max_retries=0)
    try:
        walks: dict[str, Callable[[], int]] = {
            "ours": lambda: sum(1 for _ in ours.rooms.list(page_size=size)),
            "official": lambda: sum(1 for _ in official.rooms.list(page_size=size)),
        }
        samples: dict[str, list[float]] = {}
        for name, walk in walks.items():
            _check(name, walk(), settings)
            samples[name] = []
        for order in rotations(list(walks), settings.rounds):
            for name in order:
                started = time.perf_counter()
                seen = walks[name]()
                samples[name].append(time.perf_counter() - started)
                _check(name, seen, settings)
    finally:
        ours.close()
        official.close()
    return samples


def _row(label: str, samples: dict[str, list[float]]) -> Row:
    return Row(
        benchmark=label,
        ours=f"{statistics.median(samples['ours']) * 1e3:,.0f} ms",
        reference=f"{statistics.median(samples['official']) * 1e3:,.0f} ms",
        ratio=median_ratio(samples["ours"], samples["official"]),
        direction=Direction.AT_MOST,
        target=TARGET,
    )


def run_pagination(base_url: str, settings: Settings) -> list[Row]:
    """Measure and return the rows of benchmark 3 (async, then sync)."""
    rows: list[Row] = []
    samples = asyncio.run(_measure_async(base_url, settings))
    async_label = _label(settings, "async vs AsyncTelnyx")
    if "official" in samples:
        rows.append(_row(async_label, samples))
    else:
        rows.append(
            Row(
                benchmark=async_label,
                ours=f"{statistics.median(samples['ours']) * 1e3:,.0f} ms",
                reference="not installed",
                direction=Direction.AT_MOST,
                target=TARGET,
                note="pip install telnyx==4.189.0",
            )
        )
    sync_label = _label(settings, "sync vs Telnyx")
    sync_cls = load_sync_client()
    telnyx = load_official()
    if sync_cls is None or telnyx is None:
        rows.append(
            Row(
                benchmark=sync_label,
                ours="n/a" if sync_cls is None else "-",
                reference="n/a" if telnyx is None else "-",
                direction=Direction.AT_MOST,
                target=TARGET,
                note="our VideoClient does not exist yet" if sync_cls is None else "telnyx missing",
            )
        )
    else:
        rows.append(_row(sync_label, _measure_sync(base_url, settings, sync_cls, telnyx)))
    return rows
