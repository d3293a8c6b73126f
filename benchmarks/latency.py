"""Benchmark 2: sync latency, sequential ``rooms.retrieve`` calls on one client.

Ours (``VideoClient``) against the official ``Telnyx``; retries off. The per-call time is
the wall time of a batch of calls divided by its size.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks._common import (
    API_KEY,
    ROOM_ID,
    Direction,
    Row,
    Settings,
    load_official,
    load_sync_client,
    median_ratio,
    rotations,
)

__all__ = ["run_latency"]

LABEL = "2. sync retrieve, sequential: per call vs Telnyx"


def _per_call(call: Callable[[], object], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        call()
    return (time.perf_counter() - started) / count


def run_latency(base_url: str, settings: Settings) -> list[Row]:
    """Measure and return the row of benchmark 2 (``n/a`` if a contender is missing)."""
    sync_cls = load_sync_client()
    telnyx = load_official()
    if sync_cls is None or telnyx is None:
        missing = "our VideoClient does not exist yet" if sync_cls is None else "telnyx missing"
        return [
            Row(
                benchmark=LABEL,
                ours="n/a" if sync_cls is None else "-",
                reference="n/a" if telnyx is None else "-",
                direction=Direction.AT_MOST,
                target=0.67,
                note=missing,
            )
        ]
    ours: Any = sync_cls(api_key=API_KEY, base_url=base_url, max_retries=0)
    official: Any = telnyx.Telnyx(api_key=API_KEY, base_url=base_url, max_retries=0)
    try:
        calls: dict[str, Callable[[], object]] = {
            "ours": lambda: ours.rooms.retrieve(ROOM_ID),
            "official": lambda: official.rooms.retrieve(ROOM_ID),
        }
        samples: dict[str, list[float]] = {name: [] for name in calls}
        for call in calls.values():  # warm up
            _per_call(call, 20)
        for order in rotations(list(calls), settings.rounds):
            for name in order:
                samples[name].append(_per_call(calls[name], settings.sync_calls))
    finally:
        ours.close()
        official.close()
    return [
        Row(
            benchmark=LABEL,
            ours=f"{statistics.median(samples['ours']) * 1e6:,.0f} us",
            reference=f"{statistics.median(samples['official']) * 1e6:,.0f} us",
            ratio=median_ratio(samples["ours"], samples["official"]),
            direction=Direction.AT_MOST,
            target=0.67,
        )
    ]
