"""What the benchmarks share: settings, rows of the result table, statistics, processes."""

from __future__ import annotations

import enum
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import attrs

from benchmarks.contenders import API_KEY, ROOM_ID

__all__ = [
    "API_KEY",
    "ROOM_ID",
    "Direction",
    "Row",
    "Settings",
    "Worker",
    "cores",
    "load_official",
    "load_sync_client",
    "median_ratio",
    "official_has_aiohttp",
    "pin",
    "rotations",
    "server_process",
    "spread",
]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Settings:
    """How much work each benchmark does."""

    quick: bool
    rounds: int
    concurrency: int
    retrieve_n: int
    page20_n: int
    page250_n: int
    latency_n: int
    threads: int
    threads_n: int
    walk_rooms: int
    walk_page: int
    cold_reps: int
    parse_reps: int
    luck_processes: int
    emulator: bool

    @classmethod
    def full(cls) -> Settings:
        """The gate: enough work for stable medians, several minutes in all."""
        return cls(
            quick=False,
            rounds=5,
            concurrency=64,
            retrieve_n=3000,
            page20_n=1500,
            page250_n=200,
            latency_n=600,
            threads=16,
            threads_n=2000,
            walk_rooms=100_000,
            walk_page=250,
            cold_reps=7,
            parse_reps=30,
            luck_processes=6,
            emulator=True,
        )

    @classmethod
    def smoke(cls) -> Settings:
        """``--quick``: proves the runner works; the ratios are too noisy to judge."""
        return cls(
            quick=True,
            rounds=1,
            concurrency=64,
            retrieve_n=192,
            page20_n=128,
            page250_n=16,
            latency_n=40,
            threads=16,
            threads_n=96,
            walk_rooms=1_000,
            walk_page=250,
            cold_reps=1,
            parse_reps=3,
            luck_processes=1,
            emulator=False,
        )


class Direction(enum.Enum):
    """Whether a ratio must stay at most or at least its target."""

    AT_MOST = "<="
    AT_LEAST = ">="


@attrs.frozen(kw_only=True)
class Row:
    """One line of the result table: ours against a reference, and the target of the ratio.

    ``unit`` is ``"x"`` for a ratio, or the unit of an absolute figure (``"us"``); ``key``
    names the figure in the final one-line summary (empty: not in it).
    """

    benchmark: str
    ours: str
    reference: str
    ratio: float | None = None
    direction: Direction | None = None
    target: float | None = None
    unit: str = "x"
    note: str = ""
    key: str = ""

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

    def _number(self, value: float) -> str:
        return f"{value:.2f}x" if self.unit == "x" else f"{value:,.0f} {self.unit}"

    @property
    def target_text(self) -> str:
        """The target as ``<= 0.40x``, or ``-``."""
        if self.direction is None or self.target is None:
            return "-"
        return f"{self.direction.value} {self._number(self.target)}"

    @property
    def ratio_text(self) -> str:
        """The ratio as ``0.25x`` (or ``40 us``), or ``n/a``."""
        return "n/a" if self.ratio is None else self._number(self.ratio)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the row."""
        return {
            "benchmark": self.benchmark,
            "ours": self.ours,
            "reference": self.reference,
            "ratio": self.ratio,
            "unit": self.unit,
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


def spread(values: Sequence[float], unit: str, scale: float = 1.0, digits: int = 0) -> str:
    """``median unit (min-max)`` of ``values`` multiplied by ``scale``."""
    scaled = sorted(v * scale for v in values)
    med = statistics.median(scaled)
    if len(scaled) == 1:
        return f"{med:,.{digits}f} {unit}"
    return f"{med:,.{digits}f} {unit} ({scaled[0]:,.{digits}f}-{scaled[-1]:,.{digits}f})"


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


def official_has_aiohttp() -> bool:
    """Whether the official SDK's aiohttp transport is installed (``telnyx[aiohttp]``)."""
    try:
        import httpx_aiohttp  # noqa: F401
    except ImportError:
        return False
    return load_official() is not None


def load_sync_client() -> type[Any] | None:
    """Our sync ``VideoClient`` class, or ``None`` while it does not exist yet."""
    try:
        from telnyx_video import VideoClient
    except ImportError:
        return None
    cls: type[Any] = VideoClient
    return cls


def cores() -> tuple[set[int] | None, set[int] | None]:
    """CPU sets for the server and for the clients: two different cores where there are two
    or more (``(None, None)`` where affinity cannot be set: no pinning)."""
    if not hasattr(os, "sched_getaffinity"):
        return None, None
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return None, None
    return {available[0]}, set(available[1:])


def pin(pid: int, cpus: set[int] | None) -> None:
    """Keep process ``pid`` (0: this one) on ``cpus``; nothing when ``cpus`` is ``None``."""
    if cpus is not None:
        os.sched_setaffinity(pid, cpus)


@contextmanager
def server_process(rooms: int, cpus: set[int] | None = None) -> Iterator[str]:
    """Run `benchmarks.server` in its own process (on ``cpus``); yield its ``/v2`` base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server", "--rooms", str(rooms)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        pin(proc.pid, cpus)
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


class Worker:
    """A `benchmarks.worker` process running one contender; ``ask()`` sends one command."""

    def __init__(
        self,
        contender: str,
        base_url: str,
        *,
        cpus: set[int] | None = None,
        read_size: int | None = None,
    ) -> None:
        args = [sys.executable, "-m", "benchmarks.worker", contender, base_url]
        if read_size:
            args += ["--read-size", str(read_size)]
        self.contender = contender
        self._proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        pin(self._proc.pid, cpus)

    def wait_ready(self) -> None:
        """Block until the client is built (raise if the worker died instead)."""
        self._read()

    def ask(self, **command: Any) -> dict[str, float]:
        """Send one command; return the measured figures."""
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(command) + "\n")
        self._proc.stdin.flush()
        return self._read()

    def _read(self) -> dict[str, float]:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            code = self._proc.wait()
            raise RuntimeError(f"the {self.contender} worker died (exit status {code})")
        result: dict[str, float] = json.loads(line)
        return result

    def close(self) -> None:
        """Close its stdin (the worker closes its client and exits) and reap it."""
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
