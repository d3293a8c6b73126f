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

import benchmarks.run
from benchmarks._common import Direction, Row, Worker, median_ratio, server_process, spread
from benchmarks.contenders import ASYNC_CONTENDERS, SYNC_CONTENDERS
from benchmarks.run import _contenders, emulator_figures, summary, verdict
from benchmarks.scenarios import compare, rate

ROOT = Path(__file__).resolve().parents[2]

BENCHMARKS = (
    "1. retrieve, 64 in flight: ours vs raw aiohttp",
    "1. retrieve, 64 in flight: ours vs raw aiohttp without the read-buffer fix",
    "1. retrieve, 64 in flight: raw aiohttp + cattrs vs raw aiohttp",
    "1. retrieve, 64 in flight: ours vs AsyncTelnyx (httpx)",
    "1. 20-room page, 64 in flight: ours vs raw aiohttp",
    "1. 250-room page, 64 in flight: ours vs raw aiohttp",
    "2. sync retrieve, sequential, p50: VideoClient vs Telnyx",
    "2. sync facade hop",
    "2. sync retrieve, 16 threads",
    "3. walk",
    "4. raw aiohttp 250-room pages, 256 KiB reads",
    "4. raw aiohttp 250-room pages, 64 KiB reads",
    "5. import + client",
    "5. peak RSS",
    "6. build a 250-room page",
    "7. emulator",
)


def table(stdout: str) -> dict[str, list[str]]:
    """The printed table: benchmark name -> its other cells."""
    rows = [line.split("|")[1:-1] for line in stdout.splitlines() if line.startswith("| ")]
    return {cells[0].strip(): [c.strip() for c in cells[1:]] for cells in rows[1:]}


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
    assert all(row["ratio"] > 0 for row in measured if row["unit"] == "x")
    assert "quick mode" in proc.stdout
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("key ratios: retrieve vs raw ")
    for key in ("page 20 vs raw", "page 250 vs raw", "sync p50 vs Telnyx", "sync hop", "walk"):
        assert key in last
    assert "clients on CPU" in proc.stdout or "no pinning" in proc.stdout


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
    assert "1. retrieve, 64 in flight: ours vs raw aiohttp" in proc.stdout
    cells = table(proc.stdout)
    assert cells["1. retrieve, 64 in flight: ours vs AsyncTelnyx (httpx)"][1] == "not installed"
    assert cells["1. retrieve, 64 in flight: ours vs raw aiohttp"][2].endswith("x")


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
    assert "telnyx[aiohttp]==4.189.0" in capsys.readouterr().out


def test_median_ratio_is_taken_round_by_round() -> None:
    # Round 2 ran under load for both contenders: its ratio is still 0.5.
    assert median_ratio([1.0, 10.0, 1.1], [2.0, 20.0, 2.0]) == 0.5
    with pytest.raises(ValueError, match="as many"):
        median_ratio([1.0], [1.0, 2.0])


def test_workers_measure_every_operation() -> None:
    # Each contender runs in its own process and answers one JSON line per command.
    with server_process(rooms=500) as base_url:
        workers = [Worker(name, base_url) for name in ("raw", "raw_cattrs", "ours", "ours_sync")]
        try:
            for worker in workers:
                worker.wait_ready()
            raw, by_hand, ours, ours_sync = workers
            for worker in (raw, by_hand, ours):
                done = worker.ask(op="retrieve", n=10, concurrency=4)
                assert done["ops"] == 10
                assert done["wall"] > 0
                assert done["cpu"] > 0
                assert done["minflt"] >= 0
                assert worker.ask(op="page", size=20, n=3, concurrency=2)["ops"] == 3
                assert worker.ask(op="walk", size=250, expect=500)["ops"] == 500
                assert worker.ask(op="latency", n=3)["p50"] > 0
            assert ours_sync.ask(op="latency", n=3)["ops"] == 3
            assert ours_sync.ask(op="threads", n=20, threads=4)["ops"] == 20
            with pytest.raises(RuntimeError, match="ours worker died"):
                ours.ask(op="walk", size=250, expect=499)  # a walk that comes up short fails
        finally:
            for worker in workers:
                worker.close()


def test_every_contender_is_known(monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(ASYNC_CONTENDERS).isdisjoint(SYNC_CONTENDERS)
    # The runner starts a worker for each of its contenders (all of them when the official
    # SDK is installed with its aiohttp transport), and a worker knows them all.
    monkeypatch.setattr(benchmarks.run, "official_has_aiohttp", lambda: True)
    assert set(_contenders(official=True)) == {*ASYNC_CONTENDERS, *SYNC_CONTENDERS}


def test_emulator_figures_become_rows() -> None:
    rows = emulator_figures(
        {
            "emulator_rps": 900.0,
            "bare_rps": 1500.0,
            "ratio": 0.6,
            "threshold": 0.5,
            "list_50k_over_1k_ratio": 1.7,
            "list_50k_over_1k_max": 1.5,
            "other_ratio": 2.0,
            "seconds": 10,
        }
    )
    by_name = {row.benchmark: row for row in rows}
    main = by_name["7. emulator: retrieve, emulator vs bare aiohttp.web"]
    assert (main.ours, main.reference, main.status) == ("900 /s", "1,500 /s", "pass")
    listing = by_name["7. emulator: list_50k_over_1k"]
    assert listing.direction is Direction.AT_MOST
    assert listing.status == "MISS"
    assert listing.key == "emulator list_50k_over_1k"
    assert by_name["7. emulator: other"].status == "info"
    assert len(rows) == 3


def test_the_emulator_listing_figures_are_gated_by_the_runner() -> None:
    """benchmarks/emulator_listing.py's JSON line becomes rows with its own limits."""
    from benchmarks import emulator_listing
    from benchmarks.run import EMULATOR_SCRIPTS

    assert Path(emulator_listing.__file__) in EMULATOR_SCRIPTS
    line = emulator_listing.figures({"small": 1000.0, "large": 500.0, "bare": 900.0}, 20)
    assert line["ok"] is False
    rows = {row.benchmark: row for row in emulator_figures(line)}
    assert set(rows) == {"7. emulator: list_50k_over_1k", "7. emulator: list_50k_vs_bare"}
    over = rows["7. emulator: list_50k_over_1k"]
    assert (over.ratio, over.target, over.status) == (2.0, emulator_listing.MAX_VS_SMALL, "MISS")
    assert over.key == "emulator list_50k_over_1k"
    assert rows["7. emulator: list_50k_vs_bare"].status == "pass"


def test_summary_lists_the_key_figures() -> None:
    rows = [
        Row(benchmark="a", ours="", reference="", ratio=0.9, key="retrieve vs raw",
            direction=Direction.AT_LEAST, target=0.95),
        Row(benchmark="b", ours="", reference="", ratio=30.0, unit="us", key="sync hop",
            direction=Direction.AT_MOST, target=40),
        Row(benchmark="c", ours="", reference="", ratio=1.0),
    ]  # fmt: skip
    assert summary(rows) == "key ratios: retrieve vs raw 0.90x MISS | sync hop 30 us"
    assert rows[1].target_text == "<= 40 us"


def test_spread_shows_median_min_and_max() -> None:
    assert spread([3.0, 1.0, 2.0], "/s") == "2 /s (1-3)"
    assert spread([0.0021, 0.0019], "ms", 1e3, 1) == "2.0 ms (1.9-2.1)"
    assert spread([5.0], "us") == "5 us"


def _sample(ops: int, wall: float, cpu: float) -> dict[str, float]:
    return {"ops": ops, "wall": wall, "cpu": cpu, "minflt": 0}


def test_targets_are_judged_on_the_less_favourable_of_wall_and_cpu() -> None:
    # A busy machine slowed the reference's wall clock: its CPU time still tells.
    samples = {"ours": [_sample(100, 1.0, 1.0)], "raw": [_sample(100, 0.96, 0.9)]}
    at_least = compare(samples, "x", "ours", "raw", figure=rate, text=str,
                       target=(Direction.AT_LEAST, 0.95))  # fmt: skip
    assert at_least.status == "MISS"
    assert at_least.ratio == pytest.approx(0.9)
    assert "wall 0.96x, CPU 0.90x" in at_least.note
    info = compare(samples, "x", "ours", "raw", figure=rate, text=str)
    assert info.ratio == pytest.approx(0.96)
    # Times: lower is better, and the CPU ratio is not inverted.
    times = {"ours": [_sample(1, 0.07, 0.09)], "raw": [_sample(1, 1.0, 1.0)]}
    at_most = compare(times, "t", "ours", "raw", figure=lambda s: s["wall"], text=str,
                      target=(Direction.AT_MOST, 0.08))  # fmt: skip
    assert at_most.ratio == pytest.approx(0.09)
    assert at_most.status == "MISS"
