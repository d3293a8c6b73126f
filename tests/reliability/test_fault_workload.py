"""The fault workload (issue 8): 2,000 mixed operations against a faulty emulator.

The longer run (20,000 operations) is ``python -m benchmarks.soak`` / ``nox -s soak``.
"""

from __future__ import annotations

from .workload import run_workload


async def test_two_thousand_operations_under_faults() -> None:
    report = await run_workload(operations=2000, workers=64, seed=8)
    print("\n".join(report.lines()))  # the workload figures: shown with -s or on failure
    assert report.untyped_errors == []  # every failure surfaced as a TelnyxVideoError
    assert report.violations == []  # no duplicated room, no lost update, nothing resurrected
    assert report.operations == 2000
    # The faults really happened, of every kind, and the client really retried.
    assert set(report.faults_by_kind) == {"error", "drop", "rate_limit"}
    assert report.retries > 0
    assert report.typed_errors  # some failures outlived the retries and were raised, typed
    assert sum(report.ok_by_kind.values()) > report.operations // 2
    assert report.rooms_checked > 0
