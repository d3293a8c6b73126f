"""``telnyx-video demo``: the README's main job runs offline and exits 0."""

from __future__ import annotations

import json

from .conftest import clean_env, run_cli

STEPS = (
    "created room 'demo-",
    "issued a join token",
    "Alice joined: the session started",
    "Bob joined with a refreshed token",
    "muted everyone except Alice",
    "kicked Bob",
    "ended the session",
    "4 recordings completed",
    "composition completed",
    "every signature verified",
    "a tampered delivery was rejected (HTTP 400)",
    "cleaned up",
)


def test_demo_walks_the_whole_lifecycle() -> None:
    # No TELNYX_* variable at all: the demo needs no account and no configuration.
    result = run_cli("demo", env=clean_env())
    assert result.code == 0, result.err
    assert result.err == ""
    positions = [result.out.find(step) for step in STEPS]
    assert all(p >= 0 for p in positions), result.out
    assert positions == sorted(positions)  # in this order
    assert "✔ done in" in result.out
    for event in (
        "video.room.session.started",
        "video.room.participant.joined (Alice)",
        "video.room.participant.left (Bob)",
        "video.room.recording.completed",
        "video.room.session.ended",
        "video.room.composition.completed",
    ):
        assert event in result.out


def test_demo_json_lines() -> None:
    result = run_cli("demo", "--json", env=clean_env())
    assert result.code == 0, result.err
    steps = [json.loads(line) for line in result.out.splitlines()]
    assert [s["step"] for s in steps] == list(range(1, len(steps) + 1))
    events = next(s["events"] for s in steps if "events" in s)
    assert events[0] == "video.room.session.started"
    assert events.count("video.room.participant.joined") == 2
    assert "video.room.composition.completed" in events
    assert steps[-1]["message"].startswith("done in")


def test_demo_on_an_ascii_terminal() -> None:
    result = run_cli("demo", env=clean_env(PYTHONIOENCODING="ascii"))
    assert result.code == 0, result.err
    assert "+ cleaned up" in result.out


def test_demo_plays_against_the_emulator_named_by_its_flag() -> None:
    from telnyx_video.emulator import EmulatorThread

    with EmulatorThread() as emu:
        result = run_cli("demo", "--json", "--emulator", emu.root_url, env=clean_env())
        assert result.code == 0, result.err
        steps = [json.loads(line) for line in result.out.splitlines()]
        assert steps[0]["base_url"] == emu.base_url
        assert emu.webhook_deliveries  # its own log shows the demo's events
