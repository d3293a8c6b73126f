"""The benchmark runner: ``python -m benchmarks`` (or ``nox -s bench``).

Starts the canned-JSON server in its own process, runs every benchmark side by side with
its references, prints a Markdown table of medians and ratios, and exits 1 if a target ratio
is missed (or the official SDK, the reference of most targets, is missing). ``--quick``
does a tiny run that proves the runner works and never fails on ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import attrs

from benchmarks._common import Row, Settings, load_official, load_sync_client, server_process
from benchmarks.coldstart import run_coldstart
from benchmarks.latency import run_latency
from benchmarks.pagination import run_pagination
from benchmarks.parse import run_parse
from benchmarks.throughput import run_throughput

__all__ = ["format_table", "main", "verdict"]

OFFICIAL_PIN = "4.189.0"


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def environment() -> str:
    """One line describing what was measured on."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs (load {load:.1f}); telnyx-video {_version('telnyx-video')}, "
        f"aiohttp {_version('aiohttp')}, cattrs {_version('cattrs')}, "
        f"telnyx {_version('telnyx')}, httpx {_version('httpx')}"
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


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark telnyx-video against raw aiohttp and the official telnyx SDK.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny smoke run; never fails on ratios"
    )
    parser.add_argument("--rounds", type=int, help="repetitions of each measurement")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark, print the table; return the exit status."""
    args = _parse_args(argv)
    settings = Settings.smoke() if args.quick else Settings.full()
    if args.rounds:
        settings = attrs.evolve(settings, rounds=args.rounds)
    official = load_official()
    mode = "quick smoke run" if settings.quick else "full run"
    print(f"telnyx-video benchmarks ({mode}, {settings.rounds} rounds, medians)", flush=True)
    print(environment(), flush=True)
    started = time.perf_counter()
    rows: list[Row] = []
    with server_process(settings.rooms) as base_url:
        steps: list[tuple[str, Callable[[], list[Row]]]] = [
            ("async throughput", lambda: run_throughput(base_url, settings)),
            ("sync latency", lambda: run_latency(base_url, settings)),
            ("pagination", lambda: run_pagination(base_url, settings)),
            (
                "cold start",
                lambda: run_coldstart(
                    settings, base_url=base_url, official_available=official is not None
                ),
            ),
        ]
        for name, step in steps:
            print(f"... {name}", file=sys.stderr, flush=True)
            rows.extend(step())
    print("... parse cost", file=sys.stderr, flush=True)
    rows.extend(run_parse(settings))
    print()
    print(format_table(rows))
    print(f"\n({time.perf_counter() - started:.0f} s)")
    if load_sync_client() is None:
        print("note: telnyx_video.VideoClient does not exist yet; the sync rows are n/a.")
    if args.json is not None:
        args.json.write_text(json.dumps([r.to_json() for r in rows], indent=2) + "\n")
    return verdict(rows, quick=settings.quick, official_installed=official is not None)


def verdict(rows: Sequence[Row], *, quick: bool, official_installed: bool) -> int:
    """Print the outcome and return the exit status: 1 if the gate fails, else 0.

    A quick run never fails on ratios. A full run fails when a target is missed or when the
    official SDK, the reference of most targets, is not installed.
    """
    if quick:
        print("quick mode: ratios are informational, the gate is the full run.")
        return 0
    if not official_installed:
        print(f"FAIL: the reference SDK is missing: pip install telnyx=={OFFICIAL_PIN}")
        return 1
    missed = [r for r in rows if r.status == "MISS"]
    if missed:
        print(f"FAIL: {len(missed)} target(s) missed: " + "; ".join(r.benchmark for r in missed))
        return 1
    print("all measured targets met.")
    return 0
