"""The benchmark runner: ``python -m benchmarks`` (or ``nox -s bench``).

It starts the canned-JSON server in its own process on one core, one worker process per
contender on another (`benchmarks.worker`; the cores are pinned with
``os.sched_setaffinity`` where the machine has two), and runs every benchmark in
interleaved rounds: retrieve and 20-/250-room pages with 64 requests in flight, sync latency
and the sync facade's hop, 16 threads on one sync client, the walk of a 100,000-room listing, the
read-buffer experiment, cold start, the cost of building models, and the emulator
(`benchmarks.emulator_throughput` and `benchmarks.emulator_listing`, run as modules and
gated on the figures of their JSON lines). It prints a Markdown table (median, min-max, the
per-round ratio against its target), then one line with the key ratios, and exits 1 if a
target is missed or the official SDK, the reference of most targets, is missing.

``--quick`` does a tiny run that proves the runner works (the test suite runs it) and never
fails on ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import attrs

from benchmarks._common import (
    Direction,
    Row,
    Settings,
    Worker,
    cores,
    load_official,
    official_has_aiohttp,
    pin,
    server_process,
)
from benchmarks.coldstart import run_coldstart
from benchmarks.parse import run_parse
from benchmarks.scenarios import OFFICIAL_PIN, read_buffer_rows, request_rows

__all__ = ["emulator_figures", "emulator_rows", "format_table", "main", "summary", "verdict"]

#: The emulator's own benchmarks: each prints one JSON line of figures, read as rows.
EMULATOR_SCRIPTS = tuple(
    Path(__file__).with_name(name) for name in ("emulator_throughput.py", "emulator_listing.py")
)
#: asyncio's default ``recv()`` size, and the smaller one tried against it.
READ_SIZES = (256 * 1024, 64 * 1024)


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def environment(server_cpus: set[int] | None, client_cpus: set[int] | None) -> str:
    """What was measured on, in two lines."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    pinning = (
        f"server on CPU {sorted(server_cpus)}, clients on CPU {sorted(client_cpus)}"
        if server_cpus and client_cpus
        else "no pinning (fewer than two CPUs)"
    )
    return (
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load}; {pinning}\n"
        f"telnyx-video {_version('telnyx-video')}, aiohttp {_version('aiohttp')}, "
        f"cattrs {_version('cattrs')}, orjson {_version('orjson')}, "
        f"telnyx {_version('telnyx')}, httpx {_version('httpx')}, "
        f"httpx-aiohttp {_version('httpx-aiohttp')}"
    )


def format_table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table."""
    header = ("benchmark", "ours", "reference", "ratio", "target", "result")
    lines = [
        (
            r.benchmark,
            r.ours,
            r.reference,
            r.ratio_text,
            r.target_text,
            r.status + (f" ({r.note})" if r.note else ""),
        )
        for r in rows
    ]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *lines, strict=True)]

    def fmt(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [fmt(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out.extend(fmt(line) for line in lines)
    return "\n".join(out)


def summary(rows: Sequence[Row]) -> str:
    """The one final line: every key figure, its value and whether it met its target."""
    parts = [
        f"{r.key} {r.ratio_text}" + ("" if r.status in ("pass", "info") else f" {r.status}")
        for r in rows
        if r.key
    ]
    return "key ratios: " + " | ".join(parts)


def emulator_rows(settings: Settings) -> list[Row]:
    """Benchmark 7: run the emulator's benchmark scripts; rows from their JSON lines."""
    if not settings.emulator:
        return [Row(benchmark="7. emulator", ours="-", reference="-", note="not in --quick")]
    rows = []
    for script in EMULATOR_SCRIPTS:
        proc = subprocess.run(
            [sys.executable, "-m", f"benchmarks.{script.stem}"],
            cwd=script.parent.parent,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        lines = [line for line in proc.stdout.splitlines() if line.strip()]
        try:
            figures = json.loads(lines[-1])
        except (IndexError, ValueError):
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            rows.append(
                Row(benchmark=f"7. emulator ({script.name})", ours="n/a", reference="-",
                    note=tail[:120])
            )  # fmt: skip
            continue
        rows.extend(emulator_figures(figures))
    return rows


def _per_second(value: object) -> str:
    return f"{value:,.0f} /s" if isinstance(value, int | float) else "-"


def emulator_figures(figures: dict[str, Any]) -> list[Row]:
    """The rows of the emulator benchmark's JSON line.

    Every number ``<name>ratio`` becomes a row; its target is ``threshold`` (at least) for
    ``ratio`` itself (the emulator's retrieve throughput against a bare aiohttp.web
    handler), else ``<name>max`` (at most) or ``<name>min`` (at least) when the line has one.
    """
    rows = []
    for name, value in figures.items():
        if not name.endswith("ratio") or not isinstance(value, int | float):
            continue
        stem = name.removesuffix("ratio")
        target: tuple[Direction, float] | tuple[None, None] = (None, None)
        if name == "ratio" and "threshold" in figures:
            target = (Direction.AT_LEAST, figures["threshold"])
        elif f"{stem}max" in figures:
            target = (Direction.AT_MOST, figures[f"{stem}max"])
        elif f"{stem}min" in figures:
            target = (Direction.AT_LEAST, figures[f"{stem}min"])
        main = name == "ratio"
        what = "retrieve, emulator vs bare aiohttp.web" if main else stem.strip("_")

        rows.append(
            Row(
                benchmark=f"7. emulator: {what}",
                ours=_per_second(figures.get("emulator_rps")) if main else "-",
                reference=_per_second(figures.get("bare_rps")) if main else "-",
                ratio=float(value),
                direction=target[0],
                target=target[1],
                key="" if main else f"emulator {what}",
            )
        )
    return rows


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark telnyx-video against raw aiohttp and the official telnyx SDK.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny smoke run; never fails on ratios"
    )
    parser.add_argument("--rounds", type=int, help="interleaved rounds of each measurement")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    return parser.parse_args(argv)


def _contenders(official: bool) -> list[str]:
    names = ["raw", "raw_plain", "raw_cattrs", "ours", "ours_sync"]
    if official:
        names += ["official_httpx", "official_sync"]
        if official_has_aiohttp():
            names.append("official_aiohttp")
    return names


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark, print the table; return the exit status."""
    args = _parse_args(argv)
    settings = Settings.smoke() if args.quick else Settings.full()
    if args.rounds:
        settings = attrs.evolve(settings, rounds=args.rounds)
    official = load_official() is not None
    server_cpus, client_cpus = cores()
    everywhere = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    mode = "quick smoke run" if settings.quick else "full run"
    print(f"telnyx-video benchmarks ({mode}, {settings.rounds} interleaved rounds)", flush=True)
    print(environment(server_cpus, client_cpus), flush=True)
    started = time.perf_counter()
    rows: list[Row] = []
    pin(0, client_cpus)  # cold-start children and the parse benchmark run beside the clients
    try:
        with server_process(settings.walk_rooms, server_cpus) as base_url:
            print("... request benchmarks", file=sys.stderr, flush=True)
            workers = {
                name: Worker(name, base_url, cpus=client_cpus) for name in _contenders(official)
            }
            try:
                for worker in workers.values():
                    worker.wait_ready()
                rows.extend(request_rows(workers, settings))
            finally:
                for worker in workers.values():
                    worker.close()
            print("... read buffer", file=sys.stderr, flush=True)
            rows.extend(read_buffer_rows(base_url, settings, client_cpus, READ_SIZES))
            print("... cold start", file=sys.stderr, flush=True)
            rows.extend(run_coldstart(settings, base_url=base_url, official_available=official))
        print("... model building", file=sys.stderr, flush=True)
        rows.extend(run_parse(settings))
    finally:
        pin(0, everywhere)
    print("... emulator", file=sys.stderr, flush=True)
    rows.extend(emulator_rows(settings))
    print()
    print(format_table(rows))
    print(f"\n({time.perf_counter() - started:.0f} s; load average now {os.getloadavg()[0]:.1f})")
    if args.json is not None:
        args.json.write_text(json.dumps([r.to_json() for r in rows], indent=2) + "\n")
    status = verdict(rows, quick=settings.quick, official_installed=official)
    print(summary(rows))
    return status


def verdict(rows: Sequence[Row], *, quick: bool, official_installed: bool) -> int:
    """Print the outcome and return the exit status: 1 if the gate fails, else 0.

    A quick run never fails on ratios. A full run fails when a target is missed or when the
    official SDK, the reference of most targets, is not installed.
    """
    if quick:
        print("quick mode: ratios are informational, the gate is the full run.")
        return 0
    if not official_installed:
        print(f"FAIL: the reference SDK is missing: pip install telnyx[aiohttp]=={OFFICIAL_PIN}")
        return 1
    missed = [r for r in rows if r.status == "MISS"]
    if missed:
        print(f"FAIL: {len(missed)} target(s) missed: " + "; ".join(r.benchmark for r in missed))
        return 1
    print("all measured targets met.")
    return 0
