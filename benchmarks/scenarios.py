"""The request benchmarks: each contender's worker process measures, the runner compares.

Every scenario warms each of its contenders up once, then runs ``settings.rounds`` rounds in
which every contender takes one sample, in an order rotated each round; ratios are the
median of the per-round ratios. Each note gives the wall-clock ratio, the same ratio in CPU
time per operation (``time.process_time`` of the worker, which a shared machine disturbs
less) and the minor page faults per operation (where the luck of asyncio's read buffer
shows); a target is judged on the less favourable of the two ratios.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks._common import Direction, Row, Settings, Worker, median_ratio, rotations, spread

__all__ = ["OFFICIAL_PIN", "compare", "measure", "rate", "read_buffer_rows", "request_rows"]

OFFICIAL_PIN = "4.189.0"

Sample = dict[str, float]
Samples = dict[str, list[Sample]]

#: The official clients are an order of magnitude slower: they do a quarter of the requests.
SLOW = ("official_httpx", "official_aiohttp", "official_sync")


def measure(
    workers: dict[str, Worker],
    names: Sequence[str],
    rounds: int,
    command: Callable[[str], dict[str, Any]],
    warm_up: Callable[[str], dict[str, Any]] | None = None,
) -> Samples:
    """One warm-up each, then ``rounds`` interleaved rounds of ``command(name)``."""
    present = [name for name in names if name in workers]
    for name in present:
        workers[name].ask(**(warm_up or command)(name))
    samples: Samples = {name: [] for name in present}
    for order in rotations(present, rounds):
        for name in order:
            samples[name].append(workers[name].ask(**command(name)))
    return samples


def rate(sample: Sample) -> float:
    """Operations per second of a sample."""
    return sample["ops"] / sample["wall"]


def cpu_per_op(sample: Sample) -> float:
    """CPU seconds per operation of a sample."""
    return sample["cpu"] / sample["ops"]


def _missing(label: str, name: str, target: tuple[Direction, float] | None) -> Row:
    direction, value = target if target is not None else (None, None)
    note = (
        f"pip install telnyx[aiohttp]=={OFFICIAL_PIN}"
        if name.startswith("official")
        else f"{name} is not available"
    )
    return Row(
        benchmark=label,
        ours="-",
        reference="not installed",
        direction=direction,
        target=value,
        note=note,
    )


def compare(
    samples: Samples,
    label: str,
    ours: str,
    reference: str,
    *,
    figure: Callable[[Sample], float],
    text: Callable[[list[float]], str],
    target: tuple[Direction, float] | None = None,
    key: str = "",
) -> Row:
    """A row: ``figure`` of ``ours`` over ``figure`` of ``reference``, round by round.

    With a target, the ratio judged is the less favourable of the wall-clock ratio and the
    same ratio in CPU time per operation (throughput is inversely proportional to it, time
    and latency proportional): a busy machine can then make us miss a target, never meet one.
    """
    if ours not in samples or reference not in samples:
        return _missing(label, reference if ours in samples else ours, target)
    mine = [figure(s) for s in samples[ours]]
    theirs = [figure(s) for s in samples[reference]]
    wall = median_ratio(mine, theirs)
    cpu_mine = [cpu_per_op(s) for s in samples[ours]]
    cpu_theirs = [cpu_per_op(s) for s in samples[reference]]
    rates = figure is rate  # more is better: the CPU ratio is inverted
    cpu = median_ratio(cpu_theirs, cpu_mine) if rates else median_ratio(cpu_mine, cpu_theirs)
    direction, value = target if target is not None else (None, None)
    ratio = wall
    if direction is Direction.AT_LEAST:
        ratio = min(wall, cpu)
    elif direction is Direction.AT_MOST:
        ratio = max(wall, cpu)
    faults_mine = statistics.median(s["minflt"] / s["ops"] for s in samples[ours])
    faults_theirs = statistics.median(s["minflt"] / s["ops"] for s in samples[reference])
    return Row(
        benchmark=label,
        ours=text(mine),
        reference=text(theirs),
        ratio=ratio,
        direction=direction,
        target=value,
        note=f"wall {wall:.2f}x, CPU {cpu:.2f}x: "
        f"{statistics.median(cpu_mine) * 1e6:,.0f} vs {statistics.median(cpu_theirs) * 1e6:,.0f}"
        f" us/op; page faults/op {faults_mine:,.1f} vs {faults_theirs:,.1f}",
        key=key,
    )


def _per_second(values: list[float]) -> str:
    return spread(values, "/s")


def _ms(values: list[float]) -> str:
    return spread(values, "ms", 1e3)


def _us(values: list[float]) -> str:
    return spread(values, "us", 1e6)


def _throughput(
    workers: dict[str, Worker], settings: Settings, op: str, size: int, n: int
) -> Samples:
    def command(name: str) -> dict[str, Any]:
        count = max(n // 4, min(n, settings.concurrency)) if name in SLOW else n
        return {"op": op, "size": size, "n": count, "concurrency": settings.concurrency}

    names = ("raw", "raw_plain", "raw_cattrs", "ours", "official_httpx", "official_aiohttp")
    return measure(workers, names, settings.rounds, command)


def throughput_rows(workers: dict[str, Worker], settings: Settings) -> list[Row]:
    """Benchmark 1: retrieve, 20-room and 250-room pages, ``concurrency`` in flight."""
    rows = []
    cases = [  # op, what, page size, requests, target vs raw, key, target vs AsyncTelnyx
        ("retrieve", "retrieve", 0, settings.retrieve_n, 0.95, "retrieve vs raw", 3.0),
        ("page", "20-room page", 20, settings.page20_n, 0.80, "page 20 vs raw", None),
        ("page", "250-room page", 250, settings.page250_n, 0.60, "page 250 vs raw", None),
    ]
    for op, what, size, n, target, key, official_target in cases:
        samples = _throughput(workers, settings, op, size, n)
        label = f"1. {what}, {settings.concurrency} in flight"
        rows.append(
            compare(
                samples, f"{label}: ours vs raw aiohttp", "ours", "raw",
                figure=rate, text=_per_second, target=(Direction.AT_LEAST, target), key=key,
            )
        )  # fmt: skip
        rows.append(
            compare(
                samples, f"{label}: ours vs raw aiohttp without the read-buffer fix",
                "ours", "raw_plain", figure=rate, text=_per_second,
            )
        )  # fmt: skip
        rows.append(
            compare(
                samples, f"{label}: raw aiohttp + cattrs vs raw aiohttp", "raw_cattrs", "raw",
                figure=rate, text=_per_second,
            )
        )  # fmt: skip
        rows.append(
            compare(
                samples, f"{label}: ours vs AsyncTelnyx (httpx)", "ours", "official_httpx",
                figure=rate, text=_per_second,
                target=(Direction.AT_LEAST, official_target) if official_target else None,
            )
        )  # fmt: skip
        rows.append(
            compare(
                samples, f"{label}: ours vs AsyncTelnyx (aiohttp)", "ours", "official_aiohttp",
                figure=rate, text=_per_second,
            )
        )  # fmt: skip
    return rows


def latency_rows(workers: dict[str, Worker], settings: Settings) -> list[Row]:
    """Benchmark 2: sequential calls (p50), the sync facade's hop, and 16 threads on one client."""
    samples = measure(
        workers,
        ("ours_sync", "official_sync", "ours", "raw"),
        settings.rounds,
        lambda name: {"op": "latency", "n": settings.latency_n // (4 if name in SLOW else 1)},
        lambda name: {"op": "latency", "n": 20},
    )
    rows = [
        compare(
            samples, "2. sync retrieve, sequential, p50: VideoClient vs Telnyx",
            "ours_sync", "official_sync", figure=lambda s: s["p50"], text=_us,
            target=(Direction.AT_MOST, 0.40), key="sync p50 vs Telnyx",
        ),
        compare(
            samples, "2. async retrieve, sequential, p50: ours vs raw aiohttp",
            "ours", "raw", figure=lambda s: s["p50"], text=_us,
        ),
    ]  # fmt: skip
    if "ours_sync" in samples and "ours" in samples:
        pairs = list(zip(samples["ours_sync"], samples["ours"], strict=True))
        hops = [(sync["p50"] - plain["p50"]) * 1e6 for sync, plain in pairs]
        cpu_hops = [(cpu_per_op(sync) - cpu_per_op(plain)) * 1e6 for sync, plain in pairs]
        wall_hop, cpu_hop = statistics.median(hops), statistics.median(cpu_hops)
        rows.append(
            Row(
                benchmark="2. sync facade hop: VideoClient p50 - AsyncVideoClient p50",
                ours=spread(hops, "us"),
                reference="-",
                ratio=max(wall_hop, cpu_hop),  # the less favourable, as for the ratios
                direction=Direction.AT_MOST,
                target=40,
                unit="us",
                note=f"p50 {wall_hop:,.0f} us, CPU/call {cpu_hop:,.0f} us",
                key="sync hop",
            )
        )
    threads = measure(
        workers,
        ("ours_sync", "official_sync"),
        settings.rounds,
        lambda name: {
            "op": "threads",
            "threads": settings.threads,
            "n": settings.threads_n // (4 if name in SLOW else 1),
        },
        lambda name: {"op": "threads", "threads": settings.threads, "n": settings.threads * 4},
    )
    rows.append(
        compare(
            threads, f"2. sync retrieve, {settings.threads} threads, one client: vs Telnyx",
            "ours_sync", "official_sync", figure=rate, text=_per_second,
        )
    )  # fmt: skip
    return rows


def walk_rows(workers: dict[str, Worker], settings: Settings) -> list[Row]:
    """Benchmark 3: walk every room of the listing, ``walk_page`` rooms per page."""
    command = {"op": "walk", "size": settings.walk_page, "expect": settings.walk_rooms}
    samples = measure(
        workers, ("ours", "raw", "official_httpx"), settings.rounds, lambda name: command
    )
    label = f"3. walk {settings.walk_rooms:,} rooms, {settings.walk_page}/page"

    def seconds(sample: Sample) -> float:
        return sample["wall"]

    return [
        compare(
            samples, f"{label}: ours vs AsyncTelnyx (time)", "ours", "official_httpx",
            figure=seconds, text=_ms, target=(Direction.AT_MOST, 0.08), key="walk vs official",
        ),
        compare(
            samples, f"{label}: ours vs raw aiohttp (time)", "ours", "raw",
            figure=seconds, text=_ms,
        ),
    ]  # fmt: skip


def request_rows(workers: dict[str, Worker], settings: Settings) -> list[Row]:
    """All request benchmarks (1-3), with the workers already started and ready."""
    return [
        *throughput_rows(workers, settings),
        *latency_rows(workers, settings),
        *walk_rows(workers, settings),
    ]


def read_buffer_rows(
    base_url: str, settings: Settings, cpus: set[int] | None, sizes: Sequence[int]
) -> list[Row]:
    """Benchmark 4: asyncio's 256 KiB read buffer, process by process.

    ``luck_processes`` fresh raw-aiohttp processes per read size each measure 250-room pages
    once (after a warm-up); the spread across processes of the same kind is the luck the
    issue describes, the minor page faults per request show where it comes from.
    """
    figures: dict[int, list[Sample]] = {size: [] for size in sizes}
    n = settings.page250_n
    for _ in range(settings.luck_processes):
        for size in sizes:
            worker = Worker("raw", base_url, cpus=cpus, read_size=size)
            try:
                worker.wait_ready()
                worker.ask(op="page", size=250, n=n, concurrency=settings.concurrency)
                figures[size].append(
                    worker.ask(op="page", size=250, n=n, concurrency=settings.concurrency)
                )
            finally:
                worker.close()
    rows = []
    default = sizes[0]
    for size in sizes:
        samples = figures[size]
        faults = spread([s["minflt"] / s["ops"] for s in samples], "page faults/request", 1, 1)
        rates = [rate(s) for s in samples]
        luck = max(rates) / min(rates)
        ratio = statistics.median(rates) / statistics.median(rate(s) for s in figures[default])
        rows.append(
            Row(
                benchmark=f"4. raw aiohttp 250-room pages, {size // 1024} KiB reads, "
                f"{len(samples)} processes",
                ours=_per_second(rates),
                reference=f"{default // 1024} KiB reads" if size != default else "-",
                ratio=ratio if size != default else luck,
                note=f"{faults}, CPU/op "
                f"{statistics.median(cpu_per_op(s) for s in samples) * 1e6:,.0f} us"
                + ("; ratio: fastest/slowest process" if size == default else ""),
            )
        )
    return rows
