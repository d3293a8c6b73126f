"""The CLI as a subprocess against the emulator: every command group, errors, ``--all``."""

from __future__ import annotations

import pytest

from telnyx_video.emulator import EmulatorThread

from .conftest import API_KEY, Cli, clean_env, run_cli


def make_room(cli: Cli, *options: str) -> dict[str, object]:
    return cli("rooms", "create", *options).one()


def join(cli: Cli, telnyx_emulator: EmulatorThread, room_id: str, *names: str) -> list[str]:
    token = cli("rooms", "token", room_id).one()["token"]
    assert isinstance(token, str)
    return [telnyx_emulator.join(room_id, token, context=name).id for name in names]


def test_rooms_group(cli: Cli) -> None:
    room = make_room(
        cli,
        "--unique-name",
        "standup",
        "--max-participants",
        "5",
        "--webhook-event-url",
        "http://127.0.0.1:9/hooks",
    )
    assert room["unique_name"] == "standup"
    assert room["max_participants"] == 5
    assert room["webhook_event_url"] == "http://127.0.0.1:9/hooks"
    assert room["created_at"].endswith("Z")  # ISO 8601 strings, UTC
    room_id = str(room["id"])

    assert cli("rooms", "get", room_id).one()["id"] == room_id

    updated = cli(
        "rooms",
        "update",
        room_id,
        "--max-participants",
        "7",
        "--enable-recording",
        "--clear",
        "webhook_event_url",
    ).one()
    assert updated["max_participants"] == 7
    assert updated["enable_recording"] is True
    assert "webhook_event_url" not in updated  # null fields are left out
    assert updated["unique_name"] == "standup"

    make_room(cli, "--unique-name", "other")
    listed = cli("rooms", "list", "--unique-name", "standup").json()
    assert [r["id"] for r in listed] == [room_id]
    assert len(cli("rooms", "list").json()) == 2
    assert cli("rooms", "list", "--date-created-at-lte", "2000-01-01").json() == []

    token = cli("rooms", "token", room_id, "--token-ttl-secs", "60").one()
    assert set(token) >= {"token", "token_expires_at", "refresh_token"}
    refreshed = cli(
        "rooms", "refresh-token", room_id, "--refresh-token", token["refresh_token"]
    ).one()
    assert refreshed["token"]
    assert refreshed["token"] != token["refresh_token"]

    assert cli("rooms", "sessions", room_id).json() == []

    assert cli("rooms", "delete", room_id).one() == {"id": room_id, "deleted": True}
    gone = cli("rooms", "get", room_id, expect=1)
    assert gone.out == ""
    assert gone.err.startswith("error: HTTP 404")
    assert API_KEY not in gone.err


def test_sessions_group(cli: Cli, telnyx_emulator: EmulatorThread) -> None:
    room_id = str(make_room(cli, "--unique-name", "team")["id"])
    alice, bob, carol = join(cli, telnyx_emulator, room_id, "Alice", "Bob", "Carol")

    sessions = cli("sessions", "list", "--room-id", room_id, "--active").json()
    assert len(sessions) == 1
    session_id = sessions[0]["id"]
    assert sessions[0]["active"] is True
    assert cli("sessions", "list", "--room-id", room_id, "--no-active").json() == []
    assert [s["id"] for s in cli("rooms", "sessions", room_id, "--active").json()] == [session_id]

    detail = cli("sessions", "get", session_id, "--include-participants").one()
    assert {p["context"] for p in detail["participants"]} == {"Alice", "Bob", "Carol"}

    people = cli("sessions", "participants", session_id).json()
    assert {p["id"] for p in people} == {alice, bob, carol}
    only_bob = cli("sessions", "participants", session_id, "--context", "Bob").json()
    assert [p["id"] for p in only_bob] == [bob]

    assert cli(
        "sessions", "mute", session_id, "--participants", "all", "--exclude", alice
    ).one() == {"result": "ok"}
    assert cli("sessions", "unmute", session_id, "--participants", bob, carol).one() == {
        "result": "ok"
    }
    assert cli("sessions", "kick", session_id, "--participants", carol).one() == {"result": "ok"}
    kicked = cli("participants", "get", carol).one()
    assert "left_at" in kicked

    assert cli("sessions", "end", session_id).one() == {"result": "ok"}
    ended = cli("sessions", "get", session_id).one()
    assert ended["active"] is False
    assert "ended_at" in ended

    missing = cli("sessions", "end", "00000000-0000-0000-0000-000000000000", expect=1)
    assert missing.err.startswith("error: HTTP 404")


def test_participants_group(cli: Cli, telnyx_emulator: EmulatorThread) -> None:
    room_id = str(make_room(cli)["id"])
    alice, bob = join(cli, telnyx_emulator, room_id, "Alice", "Bob")
    telnyx_emulator.leave(bob)
    listed = cli("participants", "list").json()
    assert {p["id"] for p in listed} == {alice, bob}
    session_id = listed[0]["session_id"]
    assert {p["id"] for p in cli("participants", "list", "--session-id", session_id).json()} == {
        alice,
        bob,
    }
    assert [p["id"] for p in cli("participants", "list", "--context", "Alice").json()] == [alice]
    got = cli("participants", "get", bob).one()
    assert got["context"] == "Bob"
    assert "left_at" in got
    cli("participants", "get", "nobody", expect=1)


@pytest.fixture
def recorded(cli: Cli, telnyx_emulator: EmulatorThread) -> tuple[str, str, list[str]]:
    """A room with recording on, whose session ended: four completed recordings."""
    room_id = str(make_room(cli, "--enable-recording")["id"])
    people = join(cli, telnyx_emulator, room_id, "Alice", "Bob")
    telnyx_emulator.advance(30)
    for participant in people:
        telnyx_emulator.leave(participant)
    telnyx_emulator.advance(60)
    session_id = cli("sessions", "list", "--room-id", room_id).one()["id"]
    return room_id, session_id, people


def test_recordings_group(cli: Cli, recorded: tuple[str, str, list[str]]) -> None:
    room_id, session_id, (alice, bob) = recorded
    recordings = cli("recordings", "list", "--room-id", room_id).json()
    assert len(recordings) == 4
    assert {r["status"] for r in recordings} == {"completed"}
    videos = cli("recordings", "list", "--session-id", session_id, "--type", "video").json()
    assert {r["participant_id"] for r in videos} == {alice, bob}
    assert cli("recordings", "list", "--status", "processing").json() == []

    first = recordings[0]["id"]
    got = cli("recordings", "get", first).one()
    assert got["id"] == first
    assert got["duration_secs"] == 30
    assert cli("recordings", "delete", first).one() == {"id": first, "deleted": True}
    cli("recordings", "get", first, expect=1)

    refused = cli("recordings", "delete-many", expect=2)
    assert "delete_all" in refused.err
    deleted = cli("recordings", "delete-many", "--participant-id", alice).one()
    remaining = cli("recordings", "list").json()
    assert deleted["deleted"] + len(remaining) == 3
    assert {r["participant_id"] for r in remaining} == {bob}
    assert cli("recordings", "delete-many", "--delete-all").one() == {"deleted": len(remaining)}
    assert cli("recordings", "list").json() == []


def test_compositions_group(
    cli: Cli, telnyx_emulator: EmulatorThread, recorded: tuple[str, str, list[str]]
) -> None:
    _, session_id, _ = recorded
    created = cli(
        "compositions",
        "create",
        "--session-id",
        session_id,
        "--resolution",
        "640x360",
        "--media-format",
        "mp4",
        "--video-layout",
        '{"grid": {"max_columns": 2, "max_rows": 1}}',
    ).one()
    assert created["status"] == "enqueued"
    assert created["resolution"] == "640x360"
    assert created["video_layout"]["grid"]["max_columns"] == 2
    composition_id = created["id"]

    telnyx_emulator.advance(600)
    done = cli("compositions", "get", composition_id).one()
    assert done["status"] == "completed"
    assert done["download_url"].startswith("http://127.0.0.1:")
    listed = cli("compositions", "list", "--session-id", session_id, "--status", "completed")
    assert [c["id"] for c in listed.json()] == [composition_id]
    assert cli("compositions", "list", "--status", "enqueued").json() == []

    assert cli("compositions", "delete", composition_id).one() == {
        "id": composition_id,
        "deleted": True,
    }
    assert cli("compositions", "list").json() == []

    invalid = cli("compositions", "create", "--session-id", "not-a-session", expect=1)
    assert invalid.err.startswith("error: HTTP")


def test_all_walks_every_page(cli: Cli) -> None:
    names = {f"room-{n}" for n in range(7)}
    for name in names:
        make_room(cli, "--unique-name", name)
    first = cli("rooms", "list", "--page-size", "3").json()
    assert len(first) == 3
    everything = cli("rooms", "list", "--page-size", "3", "--all").json()
    assert {r["unique_name"] for r in everything} == names
    assert len(everything) == 7
    assert everything[:3] == first


def test_table_format(cli: Cli) -> None:
    make_room(cli, "--unique-name", "alpha", "--max-participants", "12")
    make_room(cli, "--unique-name", "a-much-longer-name")
    table = cli("rooms", "list", "--format", "table").out.splitlines()
    assert table[0].split() == [
        "ID",
        "UNIQUE_NAME",
        "MAX_PARTICIPANTS",
        "ENABLE_RECORDING",
        "ACTIVE_SESSION_ID",
        "CREATED_AT",
    ]
    assert len(table) == 3
    # Columns are aligned: every value of a column starts where its header starts.
    column = table[0].index("MAX_PARTICIPANTS")
    assert {line[column:].split()[0] for line in table[1:]} == {"12", "10"}
    assert all(line[column - 1] == " " for line in table[1:])

    empty = cli("sessions", "list", "--format", "table").out.splitlines()
    assert empty == ["ID  ROOM_ID  ACTIVE  CREATED_AT  ENDED_AT"]

    room_id = cli("rooms", "list", "--unique-name", "alpha").one()["id"]
    single = cli("--format", "table", "rooms", "get", room_id).out.splitlines()
    fields = dict(line.split(None, 1) for line in single)
    assert fields["id"] == room_id
    assert fields["max_participants"] == "12"


def test_api_errors_exit_1_without_the_key(telnyx_emulator: EmulatorThread) -> None:
    wrong = "wrong-key-which-must-not-leak"
    env = clean_env(TELNYX_API_KEY=wrong, TELNYX_BASE_URL=telnyx_emulator.base_url)
    result = run_cli("rooms", "list", env=env)
    assert result.code == 1
    assert result.err.startswith("error: HTTP 401")
    assert wrong not in result.err + result.out

    # --api-key and --base-url take precedence over the environment.
    good = run_cli("rooms", "list", "--api-key", API_KEY, env=env)
    assert (good.code, good.out, good.err) == (0, "", "")
    other = run_cli(
        "--base-url",
        telnyx_emulator.base_url,
        "--api-key",
        API_KEY,
        "rooms",
        "create",
        env=clean_env(TELNYX_BASE_URL="http://127.0.0.1:9/v2"),
    )
    assert other.code == 0, other.err

    invalid = run_cli(
        "rooms",
        "create",
        "--max-participants",
        "0",
        "--api-key",
        API_KEY,
        env=clean_env(TELNYX_BASE_URL=telnyx_emulator.base_url),
    )
    assert invalid.code == 1
    assert "max_participants" in invalid.err


def test_connection_errors_exit_1(telnyx_emulator: EmulatorThread) -> None:
    # A port nothing listens on: the emulator's port after a restart is not predictable,
    # so use port 9 (discard), which is closed on loopback.
    env = clean_env(TELNYX_API_KEY=API_KEY)
    result = run_cli(
        "rooms", "list", "--base-url", "http://127.0.0.1:9/v2", "--max-retries", "0", env=env
    )
    assert result.code == 1
    assert result.err.startswith("error: ")
    assert API_KEY not in result.err


def test_missing_key_exits_2(telnyx_emulator: EmulatorThread) -> None:
    result = run_cli("rooms", "list", env=clean_env(TELNYX_BASE_URL=telnyx_emulator.base_url))
    assert result.code == 2
    assert "no API key" in result.err


def test_usage_errors_exit_2(cli: Cli) -> None:
    assert "invalid choice" in cli("rooms", "explode", expect=2).err
    assert "YYYY-MM-DD" in cli("rooms", "list", "--date-created-at-gte", "Jan 1", expect=2).err
