"""What the benchmarks share: settings, rows of the result table, statistics, the server."""

from __future__ import annotations

import enum
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import attrs

__all__ = [
    "API_KEY",
    "ROOM_ID",
    "Direction",
    "Row",
    "Settings",
    "load_official",
    "load_sync_client",
    "median_ratio",
    "rotations",
    "server_process",
]

T = TypeVar("T")

API_KEY = "bench-key-not-secret"
ROOM_ID = "7b61621f-62e0-4aad-ab11-000000000000"


@attrs.frozen(kw_only=True)
class Settings:
    """How much work each benchmark does."""

    quick: bool
    rounds: int
    async_requests: int
    concurrency: int
    sync_calls: int
    rooms: int
    page_size: int
    cold_reps: int
    parse_reps: int

    @classmethod
    def full(cls) -> Settings:
        """The gate: enough work for stable medians, a few minutes in all."""
        return cls(
            quick=False,
            rounds=7,
            async_requests=3000,
            concurrency=64,
            sync_calls=600,
            rooms=10_000,
            page_size=250,
            cold_reps=7,
            parse_reps=30,
        )

    @classmethod
    def smoke(cls) -> Settings:
        """``--quick``: proves the runner works; the ratios are too noisy to judge."""
        return cls(
            quick=True,
            rounds=2,
            async_requests=256,
            concurrency=64,
            sync_calls=60,
            rooms=2_500,
            page_size=250,
            cold_reps=2,
            parse_reps=3,
        )


class Direction(enum.Enum):
    """Whether a ratio must stay at most or at least its target."""

    AT_MOST = "<="
    AT_LEAST = ">="


@attrs.frozen(kw_only=True)
class Row:
    """One line of the result table: ours against a reference, and the target of the ratio."""

    benchmark: str
    ours: str
    reference: str
    ratio: float | None = None
    direction: Direction | None = None
    target: float | None = None
    note: str = ""

    @property
    def status(self) -> str:
        """``pass``, ``MISS``, ``n/a`` (could not measure) or ``info`` (no target)."""
        if self.direction is None or self.target is None:
            return "info" if self.ratio is not None else "n/a"
        if self.ratio is None:
            return "n/a"
        if self.direction is Direction.AT_MOST:
            return "pass" if self.ratio <= self.target else "MISS"
        return "pass" if self.ratio >= self.target else "MISS"

    @property
    def target_text(self) -> str:
        """The target as ``<= 0.40x``, or ``-``."""
        if self.direction is None or self.target is None:
            return "-"
        return f"{self.direction.value} {self.target:.2f}x"

    @property
    def ratio_text(self) -> str:
        """The ratio as ``0.25x``, or ``n/a``."""
        return "n/a" if self.ratio is None else f"{self.ratio:.2f}x"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the row."""
        return {
            "benchmark": self.benchmark,
            "ours": self.ours,
            "reference": self.reference,
            "ratio": self.ratio,
            "target": self.target_text,
            "status": self.status,
            "note": self.note,
        }


def median_ratio(ours: Sequence[float], reference: Sequence[float]) -> float:
    """Median of the per-round ratios ``ours[i] / reference[i]``.

    Each round measures both contenders back to back, so a ratio taken within a round
    cancels most of the drift in machine load; the median drops the outlier rounds.
    """
    if len(ours) != len(reference) or not ours:
        raise ValueError("need as many samples of each, and at least one")
    return statistics.median(o / r for o, r in zip(ours, reference, strict=True))


def rotations(items: Sequence[T], rounds: int) -> Iterator[list[T]]:
    """Each round's running order: rotated by one per round, so no contender always goes first."""
    for index in range(rounds):
        shift = index % len(items) if items else 0
        yield [*items[shift:], *items[:shift]]


def load_official() -> Any | None:
    """The official ``telnyx`` module, or ``None`` if it is not installed."""
    try:
        import telnyx
    except ImportError:
        return None
    return telnyx


def load_sync_client() -> type[Any] | None:
    """Our sync ``VideoClient`` class, or ``None`` while it does not exist yet."""
    try:
        from telnyx_video import VideoClient  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        try:
            from telnyx_video.sync import (  # type: ignore[import-not-found,unused-ignore]
                VideoClient,
            )
        except ImportError:
            return None
    cls: type[Any] = VideoClient
    return cls


@contextmanager
def server_process(rooms: int) -> Iterator[str]:
    """Run :mod:`benchmarks.server` in its own process; yield its ``/v2`` base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server", "--rooms", str(rooms)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode().strip()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the benchmark server did not start (said {line!r})")
        yield f"http://127.0.0.1:{int(line.split()[1])}/v2"
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def timed(func: Callable[[], object]) -> float:
    """Seconds one call of ``func`` takes."""
    started = time.perf_counter()
    func()
    return time.perf_counter() - started
