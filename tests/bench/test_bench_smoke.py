"""The benchmark runner works: ``python -m benchmarks --quick`` runs and prints its table.

Quick mode never fails on ratios (a tiny run is too noisy to judge); the exit-code gate is the
full run. Nothing here asserts on absolute times.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks._common import Direction, Row, median_ratio
from benchmarks.run import verdict

ROOT = Path(__file__).resolve().parents[2]

BENCHMARKS = (
    "1. async retrieve",
    "2. sync retrieve",
    "3. walk",
    "4. import + client",
    "4. peak RSS",
    "5. parse",
)


def test_quick_run_prints_the_table(tmp_path: Path) -> None:
    out_json = tmp_path / "rows.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out_json)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    table = [line for line in proc.stdout.splitlines() if line.startswith("|")]
    assert table[0].split("|")[1].strip() == "benchmark"
    for name in BENCHMARKS:
        assert any(name in line for line in table), f"no row for {name!r}:\n{proc.stdout}"
    rows = json.loads(out_json.read_text())
    assert len(rows) == len(table) - 2
    statuses = {row["status"] for row in rows}
    assert statuses <= {"pass", "MISS", "info", "n/a"}
    measured = [row for row in rows if row["ratio"] is not None]
    assert measured, "no ratio was measured"
    assert all(row["ratio"] > 0 for row in measured)
    assert "quick mode" in proc.stdout


def test_server_answers_rooms_and_pages() -> None:
    from benchmarks._common import ROOM_ID, load_sync_client, server_process

    video_client = load_sync_client()
    assert video_client is not None
    with (
        server_process(rooms=600) as base_url,
        video_client(api_key="k", base_url=base_url, max_retries=0) as client,
    ):
        room = client.rooms.retrieve(ROOM_ID)
        assert room.max_participants == 50
        ids = [r.id for r in client.rooms.list(page_size=250)]
    assert len(ids) == 600
    assert len(set(ids)) == 600


def test_bad_arguments_exit_with_usage() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--no-such-flag"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "usage" in proc.stderr


def test_quick_run_without_the_official_sdk_reports_na() -> None:
    # CI installs only the test extra: the runner must still work, marking the official rows.
    code = (
        "import sys; sys.modules['telnyx'] = None\n"
        "from benchmarks.run import main\n"
        "raise SystemExit(main(['--quick']))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "not installed" in proc.stdout
    assert "1. async retrieve, 64 in flight: vs raw aiohttp" in proc.stdout


def _row(ratio: float | None, direction: str = "<=", target: float | None = 0.5) -> Row:
    return Row(
        benchmark="b",
        ours="1",
        reference="2",
        ratio=ratio,
        direction=Direction(direction) if target is not None else None,
        target=target,
    )


def test_row_status_against_its_target() -> None:
    assert _row(0.5).status == "pass"
    assert _row(0.51).status == "MISS"
    assert _row(3.0, ">=", 3.0).status == "pass"
    assert _row(2.9, ">=", 3.0).status == "MISS"
    assert _row(None).status == "n/a"
    assert _row(1.2, target=None).status == "info"


def test_the_gate_fails_only_a_full_run(capsys: pytest.CaptureFixture[str]) -> None:
    passing, missing = _row(0.4), _row(0.6)
    assert verdict([passing, missing], quick=True, official_installed=True) == 0
    assert verdict([passing, missing], quick=False, official_installed=True) == 1
    assert "1 target(s) missed" in capsys.readouterr().out
    assert verdict([passing, _row(None)], quick=False, official_installed=True) == 0
    assert verdict([passing], quick=False, official_installed=False) == 1
    assert "telnyx==4.189.0" in capsys.readouterr().out


def test_median_ratio_is_taken_round_by_round() -> None:
    # Round 2 ran under load for both contenders: its ratio is still 0.5.
    assert median_ratio([1.0, 10.0, 1.1], [2.0, 20.0, 2.0]) == 0.5
    with pytest.raises(ValueError, match="as many"):
        median_ratio([1.0], [1.0, 2.0])
