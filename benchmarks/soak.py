"""The soak: the fault workload of the reliability suite, 20,000 operations long.

Run it with ``python -m benchmarks.soak`` (or ``nox -s soak``) from the repository root::

    python -m benchmarks.soak                      # 20,000 operations, 64 workers, seed 1
    python -m benchmarks.soak --operations 5000 --seed 7 --json soak.json

It starts an in-process emulator on 127.0.0.1 with faults on (20% 5xx, 5% dropped
connections, 429 bursts with ``Retry-After``, 1 ms latency; failures before or after the
handler at random), drives the async client with the mixed workload of
``tests/reliability/workload.py``, then compares the emulator's rooms with what the client
believes. It prints the figures and exits non-zero on any violation (a duplicated room, a
lost update, a resurrected room) or any error that is not a ``TelnyxVideoError``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the workload lives with the tests
    sys.path.insert(0, str(ROOT))

from tests.reliability.workload import run_workload  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run the soak and print its figures; 0 when nothing was lost, duplicated or untyped."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    parser.add_argument("--operations", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-retries", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    report = asyncio.run(
        run_workload(
            operations=args.operations,
            workers=args.workers,
            seed=args.seed,
            max_retries=args.max_retries,
        )
    )
    print("\n".join(report.lines()))
    if args.json is not None:
        args.json.write_text(json.dumps(attrs.asdict(report), indent=2) + "\n")
    for line in report.untyped_errors[:20]:
        print(f"UNTYPED: {line}")
    for line in report.violations[:20]:
        print(f"VIOLATION: {line}")
    ok = not report.untyped_errors and not report.violations
    print("soak: OK" if ok else "soak: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
