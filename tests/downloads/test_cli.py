"""``telnyx-video recordings download`` and ``compositions download`` against the emulator."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from telnyx_video import VideoClient
from telnyx_video.cli import main
from telnyx_video.emulator import EmulatorThread


@attrs.frozen
class Run:
    code: int
    lines: list[dict[str, Any]]
    out: str
    err: str

    def by_result(self) -> dict[str, list[str]]:
        results: dict[str, list[str]] = {}
        for line in self.lines:
            results.setdefault(line["result"], []).append(line["id"])
        return results


@pytest.fixture
def run(
    telnyx_emulator: EmulatorThread,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Any:
    monkeypatch.setenv("TELNYX_API_KEY", telnyx_emulator.api_key)
    monkeypatch.setenv("TELNYX_BASE_URL", telnyx_emulator.base_url)

    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        lines = [json.loads(line) for line in out.splitlines()] if "--format" not in args else []
        return Run(code, lines, out, err)

    return run


@pytest.fixture
def session(telnyx_emulator: EmulatorThread, telnyx_sync_client: VideoClient) -> str:
    """A session with two participants' completed recordings (4 files) and a composition;
    then a third participant's recordings, still processing."""
    client = telnyx_sync_client
    room = client.rooms.create(enable_recording=True)
    token = client.rooms.generate_join_client_token(room.id).token
    alice = telnyx_emulator.join(room.id, token)
    bob = telnyx_emulator.join(room.id, token)
    telnyx_emulator.advance(6)
    telnyx_emulator.leave(bob.id)
    telnyx_emulator.leave(alice.id)
    client.room_compositions.create(session_id=alice.session_id)
    telnyx_emulator.advance(60)
    return alice.session_id


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_the_filtered_recordings_are_downloaded_then_skipped_as_complete(
    run: Any, session: str, telnyx_sync_client: VideoClient, tmp_path: Path
) -> None:
    recordings = list(telnyx_sync_client.room_recordings.list(session_id=session))
    first = run("recordings", "download", "--session-id", session, "--dir", str(tmp_path))

    assert first.code == 0, first.err
    assert sorted(first.by_result()["downloaded"]) == sorted(r.id for r in recordings)
    for line in first.lines:
        assert Path(line["path"]).stat().st_size == line["bytes"]
    assert len(_names(tmp_path)) == 4  # nothing but the files
    total = sum(line["bytes"] for line in first.lines)
    summary = f"4 downloaded ({total / 1e6:.1f} MB), 0 already complete, 0 not ready, 0 failed"
    assert first.err == summary + "\n"

    again = run("recordings", "download", "--session-id", session, "--dir", str(tmp_path))
    assert again.code == 0
    assert sorted(again.by_result()["skipped"]) == sorted(r.id for r in recordings)
    assert "0 downloaded" in again.err
    assert "4 already complete" in again.err


def test_ids_one_by_one_a_bad_one_fails_alone_and_sets_the_exit_code(
    run: Any, session: str, telnyx_sync_client: VideoClient, tmp_path: Path
) -> None:
    (composition,) = list(telnyx_sync_client.room_compositions.list(session_id=session))
    result = run("compositions", "download", composition.id, "nope", "--dir", str(tmp_path))
    assert result.code == 1
    assert result.by_result() == {"downloaded": [composition.id], "failed": ["nope"]}
    assert _names(tmp_path) == [f"{composition.id}.mp4"]
    assert "1 failed" in result.err
    assert result.err.endswith("error: 1 download(s) failed\n")


def test_media_still_processing_is_reported_not_ready(
    run: Any,
    telnyx_emulator: EmulatorThread,
    telnyx_sync_client: VideoClient,
    tmp_path: Path,
) -> None:
    room = telnyx_sync_client.rooms.create(enable_recording=True)
    token = telnyx_sync_client.rooms.generate_join_client_token(room.id).token
    telnyx_emulator.leave(telnyx_emulator.join(room.id, token).id)
    result = run("recordings", "download", "--room-id", room.id, "--dir", str(tmp_path))
    assert result.code == 0
    assert list(result.by_result()) == ["not-ready"]
    assert "2 not ready" in result.err
    assert _names(tmp_path) == []


def test_a_table_of_results(run: Any, session: str, tmp_path: Path) -> None:
    result = run(
        "recordings", "download", "--session-id", session, "--dir", str(tmp_path),
        "--format", "table", "--concurrency", "1",
    )  # fmt: skip
    assert result.code == 0
    header, *rows = result.out.splitlines()
    assert header.split() == ["ID", "RESULT", "BYTES", "PATH", "ERROR"]
    assert len(rows) == 4
    assert all(" downloaded " in row for row in rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--concurrency", "0"], "from 1 to 32"),
        (["--dir", "/nonexistent/dir"], "no such directory"),
        (["some-id", "--status", "completed"], "ids or filters, not both"),
    ],
)
def test_usage_errors(run: Any, tmp_path: Path, args: list[str], message: str) -> None:
    result = run("recordings", "download", "--dir", str(tmp_path), *args)
    assert result.code == 2
    assert message in result.err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_on_a_terminal(
    run: Any, session: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    result = run("recordings", "download", "--session-id", session, "--dir", str(tmp_path))
    assert result.code == 0
    shown = terminal.getvalue()
    assert "\r" in shown  # redrawn in place
    assert "MB" in shown or "kB" in shown  # bytes, scaled
    assert shown.rstrip().endswith("0 not ready, 0 failed")
