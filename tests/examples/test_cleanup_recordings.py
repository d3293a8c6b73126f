"""examples/cleanup_recordings.py, run as a script against the emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from telnyx_video import VideoClient
from telnyx_video.emulator import Clock, EmulatorThread

from .conftest import EXAMPLES, load_example

SCRIPT = EXAMPLES / "cleanup_recordings.py"
DAY = 24 * 3600


@pytest.fixture
def emulator() -> Iterator[EmulatorThread]:
    # The emulator's clock starts 40 days ago and only moves when advanced.
    start = datetime.now(UTC) - timedelta(days=40)
    with EmulatorThread(api_key="cleanup-key", clock=Clock(start=start)) as emu:
        yield emu


def record_session(emu: EmulatorThread, client: VideoClient, name: str) -> str:
    """Two participants talk for a minute in a recorded room; returns the room id."""
    room = client.rooms.create(unique_name=name, enable_recording=True)
    token = client.rooms.generate_join_client_token(room.id).token
    people = [emu.join(room.id, token, context=who) for who in ("Alice", "Bob")]
    emu.advance(60)
    for person in people:
        emu.leave(person.id)
    emu.advance(30)  # recordings complete
    return room.id


@pytest.fixture
def rooms(emulator: EmulatorThread) -> tuple[str, str]:
    """An old room (recorded 40 days ago) and a recent one (recorded today)."""
    with VideoClient(emulator.api_key, base_url=emulator.base_url) as client:
        old = record_session(emulator, client, "old")
        emulator.advance(40 * DAY - 3600)
        recent = record_session(emulator, client, "recent")
    return old, recent


def run(emulator: EmulatorThread, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELNYX_")}
    env.update(TELNYX_API_KEY=emulator.api_key, TELNYX_BASE_URL=emulator.base_url)
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def remaining(emulator: EmulatorThread) -> dict[str, int]:
    with VideoClient(emulator.api_key, base_url=emulator.base_url) as client:
        counts: dict[str, int] = {}
        for recording in client.room_recordings.list():
            counts[recording.room_id] = counts.get(recording.room_id, 0) + 1
        return counts


def test_dry_run_then_delete(emulator: EmulatorThread, rooms: tuple[str, str]) -> None:
    old, recent = rooms
    assert remaining(emulator) == {old: 4, recent: 4}

    dry = run(emulator, "--older-than-days", "30", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("would delete ") == 5  # 4 recordings and the summary
    assert remaining(emulator) == {old: 4, recent: 4}

    done = run(emulator, "--older-than-days", "30")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("deleted 4 recording(s)")
    assert remaining(emulator) == {recent: 4}

    again = run(emulator, "--older-than-days", "30")
    assert again.stdout.startswith("deleted 0 recording(s)")


def test_by_date_and_room(emulator: EmulatorThread, rooms: tuple[str, str]) -> None:
    old, recent = rooms
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    done = run(emulator, "--ended-before", tomorrow, "--room-id", recent)
    assert done.returncode == 0, done.stderr
    assert remaining(emulator) == {old: 4}


def test_api_error_exits_1(emulator: EmulatorThread) -> None:
    env_key = emulator.api_key
    emulator.configure_faults(error_rate=1.0)
    result = run(emulator, "--older-than-days", "1")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert env_key not in result.stderr


def test_cutoff_date() -> None:
    cleanup = load_example("cleanup_recordings")
    today = datetime(2026, 3, 10, tzinfo=UTC).date()
    assert cleanup.cutoff_date(30, today).isoformat() == "2026-02-08"
    assert cleanup.cutoff_date(0, today) == today
