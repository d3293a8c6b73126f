"""The installed command as users run it: a subprocess per call, against the emulator."""

from __future__ import annotations

import json
import os
import pty
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

from telnyx_video.emulator import EmulatorThread

from .conftest import API_KEY, Cli, clean_env, run_cli


def test_every_command_group_as_a_subprocess(
    cli_process: Cli, telnyx_emulator: EmulatorThread
) -> None:
    cli = cli_process
    room = cli("rooms", "create", "--unique-name", "sub-a", "--enable-recording").one()
    cli("rooms", "create", "--unique-name", "sub-b")
    walked = cli("rooms", "list", "--page-size", "1", "--all").json()
    assert {r["unique_name"] for r in walked} == {"sub-a", "sub-b"}

    token = cli("rooms", "token", room["id"]).one()["token"]
    alice = telnyx_emulator.join(room["id"], token, context="Alice")
    bob = telnyx_emulator.join(room["id"], token, context="Bob")
    sessions = cli("sessions", "list", "--active", "--all").json()
    assert [s["room_id"] for s in sessions] == [room["id"]]
    session_id = sessions[0]["id"]
    assert cli("sessions", "kick", session_id, "--participants", bob.id).one() == {"result": "ok"}

    people = cli("participants", "list", "--session-id", session_id, "--all").json()
    assert {p["id"] for p in people} == {alice.id, bob.id}

    telnyx_emulator.leave(alice.id)
    telnyx_emulator.advance(60)
    recordings = cli("recordings", "list", "--room-id", room["id"], "--all").json()
    assert len(recordings) == 4

    composition = cli("compositions", "create", "--session-id", session_id).one()
    assert [c["id"] for c in cli("compositions", "list", "--all").json()] == [composition["id"]]
    assert cli("recordings", "delete-many", "--room-id", room["id"]).one() == {"deleted": 4}

    missing = cli("rooms", "get", "00000000-0000-0000-0000-000000000000", expect=1)
    assert missing.err.startswith("error: HTTP 404")
    assert API_KEY not in missing.err
    assert "usage:" in cli("sessions", "mute", session_id, expect=2).err


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "telnyx-video"
    result = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    for group in ("rooms", "sessions", "participants", "recordings", "compositions", "demo"):
        assert group in result.stdout


def _run_with_tty_stderr(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal (as in an interactive shell)."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "telnyx_video", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=slave,
            text=True,
        )
    finally:
        os.close(slave)
    chunks: list[bytes] = []
    try:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    out, _ = proc.communicate(timeout=60)
    return proc.returncode, out, b"".join(chunks).decode()


def test_progress_and_hints_on_a_terminal(cli: Cli, telnyx_emulator: EmulatorThread) -> None:
    for n in range(5):
        cli("rooms", "create", "--unique-name", f"tty-{n}")
    env = clean_env(TELNYX_API_KEY=API_KEY, TELNYX_BASE_URL=telnyx_emulator.base_url)

    code, out, err = _run_with_tty_stderr("rooms", "list", "--page-size", "2", "--all", env=env)
    assert code == 0
    assert len(out.splitlines()) == 5  # stdout stays clean JSON lines
    assert "5 of 5 rooms (page 3/3)" in err
    assert "2 of 5 rooms (page 1/3)" in err
    assert err.endswith("\r\x1b[K")  # the progress line is erased at the end

    code, out, err = _run_with_tty_stderr("rooms", "list", "--page-size", "2", env=env)
    assert code == 0
    assert len(out.splitlines()) == 2
    assert "page 1 of 3 (5 rooms); add --all for every page" in err

    # Not a terminal: no progress, no hint.
    piped = run_cli("rooms", "list", "--page-size", "2", "--all", env=env)
    assert (piped.code, piped.err) == (0, "")


def _read_line(stream: object, deadline: float) -> str:
    """One line from a subprocess pipe, failing (not hanging) if it does not come."""
    assert hasattr(stream, "readline")
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)  # type: ignore[arg-type]
        remaining = deadline - time.monotonic()
        assert remaining > 0, "no output in time"
        assert selector.select(remaining), "no output in time"
    line: str = stream.readline()
    return line


def test_emulator_command_serves_until_interrupted() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "telnyx_video", "emulator", "--port", "0", "--api-key", "k-123"],
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = _read_line(proc.stdout, time.monotonic() + 30)
        assert "serving http://127.0.0.1:" in first, first
        base_url = first.strip().rsplit(" ", 1)[-1]
        assert base_url.endswith("/v2")
        env = clean_env(TELNYX_API_KEY="k-123", TELNYX_BASE_URL=base_url)
        created = run_cli("rooms", "create", "--unique-name", "served", env=env)
        assert created.code == 0, created.err
        listed = run_cli("rooms", "list", env=env)
        assert [json.loads(line)["unique_name"] for line in listed.out.splitlines()] == ["served"]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert proc.returncode == 0


def test_python_dash_m_and_version() -> None:
    from telnyx_video import __version__

    result = run_cli("--version", env=clean_env())
    assert (result.code, result.out.strip()) == (0, f"telnyx-video {__version__}")
