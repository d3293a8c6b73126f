"""The sync facade against the plugin's emulator, and the runnable example of docs/sync.md."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from telnyx_video import ActionResult, NotFoundError, RoomSession, UnprocessableEntityError
from telnyx_video.emulator import EmulatorThread
from telnyx_video.sync import VideoClient

ROOT = Path(__file__).resolve().parents[2]


def test_room_lifecycle(telnyx_emulator: EmulatorThread, telnyx_sync_client: VideoClient) -> None:
    room = telnyx_sync_client.rooms.create(unique_name="sync-lifecycle", max_participants=3)
    with pytest.raises(UnprocessableEntityError) as taken:
        telnyx_sync_client.rooms.create(unique_name="sync-lifecycle")
    assert taken.value.code == "10012"

    token = telnyx_sync_client.rooms.generate_join_client_token(room.id)
    alice = telnyx_emulator.join(room.id, token.token, context="Alice")
    telnyx_emulator.join(room.id, token.token, context="Bob")
    session_id = telnyx_sync_client.rooms.retrieve(room.id).active_session_id
    assert session_id == alice.session_id

    sessions = list(telnyx_sync_client.rooms.list_sessions(room.id))
    assert [s.id for s in sessions] == [session_id]
    assert isinstance(sessions[0], RoomSession)
    contexts = {p.context for p in telnyx_sync_client.room_sessions.list_participants(session_id)}
    assert contexts == {"Alice", "Bob"}
    assert telnyx_sync_client.room_sessions.mute(session_id, participants="all") == ActionResult(
        result="ok"
    )
    telnyx_sync_client.room_sessions.end(session_id)
    assert telnyx_sync_client.room_sessions.retrieve(session_id).ended_at is not None

    updated = telnyx_sync_client.rooms.update(room.id, max_participants=5)
    assert updated.max_participants == 5
    telnyx_sync_client.rooms.delete(room.id)
    with pytest.raises(NotFoundError):
        telnyx_sync_client.rooms.retrieve(room.id)


def test_paging_through_the_emulator(telnyx_sync_client: VideoClient) -> None:
    names = {f"sync-page-{i}" for i in range(7)}
    for name in names:
        telnyx_sync_client.rooms.create(unique_name=name)
    listed = {r.unique_name for r in telnyx_sync_client.rooms.list(page_size=2)} & names
    assert listed == names
    pages = list(telnyx_sync_client.rooms.list(page_size=3).pages())
    assert all(len(p.items) <= 3 for p in pages)
    assert sum(len(p.items) for p in pages) >= 7


def test_threads_against_the_emulator(telnyx_sync_client: VideoClient) -> None:
    errors: list[BaseException] = []
    created: list[str] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        try:
            room = telnyx_sync_client.rooms.create(unique_name=f"sync-thread-{index}")
            assert telnyx_sync_client.rooms.retrieve(room.id).unique_name == f"sync-thread-{index}"
            with lock:
                created.append(room.id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(created)) == 16


def test_the_guides_first_example_runs_on_its_own_and_prints_what_it_says() -> None:
    """The sync guide's opening example starts its own emulator: it runs with no
    environment at all, warnings as errors (tests/docs runs every example of the guides)."""
    text = (ROOT / "docs" / "sync.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- run -->\n```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks, "docs/sync.md has no runnable example"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", blocks[0]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("TELNYX_")},
    )
    assert done.returncode == 0, done.stderr
    assert "in the room: Alice" in done.stdout
    assert "gone: 404" in done.stdout
