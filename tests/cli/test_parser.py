"""The CLI's command table and argument mapping, checked without any server."""

from __future__ import annotations

import inspect

import pytest

from telnyx_video import AsyncVideoClient, DateFilter, VideoRegion
from telnyx_video.cli import build_parser, main
from telnyx_video.cli._spec import COMMANDS, GROUPS, Command


def parse(*argv: str) -> tuple[Command, list[object], dict[str, object]]:
    ns = build_parser().parse_args(argv)
    command: Command = ns.spec
    args, kwargs = command.call_args(ns)
    return command, args, kwargs


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: f"{c.group}-{c.name}")
async def test_every_command_maps_onto_a_client_method(command: Command) -> None:
    async with AsyncVideoClient("k", base_url="http://127.0.0.1:9/v2") as client:
        method = getattr(getattr(client, command.resource), command.method)
    parameters = inspect.signature(method).parameters
    for option in command.options:
        assert option.name in parameters, f"{command.method} has no parameter {option.name}"
        expected = (
            inspect.Parameter.POSITIONAL_OR_KEYWORD
            if option.kind == "positional"
            else inspect.Parameter.KEYWORD_ONLY
        )
        assert parameters[option.name].kind is expected
    for name in command.clearable:
        assert name in parameters
    if command.output == "list":
        assert "page_size" in parameters
    # Every required keyword argument of the method has an option.
    for name, parameter in parameters.items():
        if parameter.default is inspect.Parameter.empty:
            assert name in {o.name for o in command.options}


def test_the_table_covers_every_operation_of_the_issue() -> None:
    names = {(c.group, c.name) for c in COMMANDS}
    expected = {
        ("rooms", n)
        for n in ("list", "create", "get", "update", "delete", "sessions", "token", "refresh-token")
    }
    expected |= {
        ("sessions", n) for n in ("list", "get", "participants", "end", "kick", "mute", "unmute")
    }
    expected |= {("participants", "list"), ("participants", "get")}
    expected |= {("recordings", n) for n in ("list", "get", "delete", "delete-many")}
    expected |= {("compositions", n) for n in ("list", "create", "get", "delete")}
    assert names == expected
    assert {c.group for c in COMMANDS} == set(GROUPS)


def test_date_options_become_a_date_filter() -> None:
    _, _, kwargs = parse(
        "rooms",
        "list",
        "--date-created-at-gte",
        "2026-01-01",
        "--date-created-at-lte",
        "2026-01-31",
        "--date-updated-at",
        "2026-02-02",
    )
    assert kwargs == {
        "date_created_at": DateFilter(gte="2026-01-01", lte="2026-01-31"),
        "date_updated_at": DateFilter(eq="2026-02-02"),
    }


def test_unset_options_are_not_passed() -> None:
    command, args, kwargs = parse("rooms", "update", "room-1")
    assert (command.method, args, kwargs) == ("update", ["room-1"], {})


def test_booleans_flags_and_toggles() -> None:
    assert parse("sessions", "list", "--active")[2] == {"active": True}
    assert parse("sessions", "list", "--no-active")[2] == {"active": False}
    assert parse("rooms", "create", "--no-enable-recording")[2] == {"enable_recording": False}
    assert parse("rooms", "get", "r", "--include-sessions")[2] == {"include_sessions": True}
    assert parse("rooms", "get", "r")[2] == {}


def test_clear_sends_an_explicit_null() -> None:
    _, _args, kwargs = parse(
        "rooms",
        "update",
        "r",
        "--max-participants",
        "5",
        "--clear",
        "webhook_event_url",
        "--clear",
        "unique_name",
    )
    assert kwargs == {"max_participants": 5, "webhook_event_url": None, "unique_name": None}


def test_participant_targets() -> None:
    assert parse("sessions", "kick", "s", "--participants", "all")[2] == {"participants": "all"}
    _, args, kwargs = parse("sessions", "mute", "s", "--participants", "a", "b", "--exclude", "c")
    assert args == ["s"]
    assert kwargs == {"participants": ["a", "b"], "exclude": ["c"]}


def test_video_layout_is_parsed_into_regions() -> None:
    _, _, kwargs = parse(
        "compositions",
        "create",
        "--session-id",
        "s",
        "--media-format",
        "mp4",
        "--video-layout",
        '{"grid": {"max_columns": 2, "video_sources": ["*"]}}',
    )
    assert kwargs == {
        "session_id": "s",
        "format": "mp4",
        "video_layout": {"grid": VideoRegion(max_columns=2, video_sources=("*",))},
    }


def test_page_size_and_all_are_list_only() -> None:
    _command, _, kwargs = parse("recordings", "list", "--page-size", "3", "--all")
    assert kwargs == {"page_size": 3}
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["rooms", "get", "r", "--all"])
    assert exc.value.code == 2


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["rooms"],
        ["rooms", "explode"],
        ["rooms", "get"],
        ["rooms", "list", "--date-created-at-gte", "2026-13-01"],
        ["rooms", "list", "--date-created-at", "yesterday"],
        ["rooms", "create", "--max-participants", "ten"],
        ["rooms", "create", "--max-participants", "-1"],
        ["recordings", "list", "--status", "lost"],
        ["sessions", "kick", "s"],
        ["rooms", "refresh-token", "r"],
        ["compositions", "create", "--session-id", "s", "--video-layout", "{not json"],
        ["compositions", "create", "--session-id", "s", "--video-layout", '{"a": {"x_pos": "1"}}'],
        ["compositions", "create", "--session-id", "s", "--video-layout", "[1]"],
        ["rooms", "update", "r", "--clear", "max_participants"],
        ["--format", "yaml", "rooms", "list"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_missing_key_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELNYX_API_KEY", raising=False)
    assert main(["rooms", "list", "--base-url", "http://127.0.0.1:9/v2"]) == 2
    err = capsys.readouterr().err
    assert "no API key" in err
    assert "--api-key" in err
    assert "TELNYX_API_KEY" in err


def test_refused_arguments_are_usage_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # delete-many without any filter would delete every recording: the client refuses it
    # before sending anything, and the CLI reports a usage error.
    monkeypatch.setenv("TELNYX_API_KEY", "k")
    assert main(["recordings", "delete-many", "--base-url", "http://127.0.0.1:9/v2"]) == 2
    assert "delete_all" in capsys.readouterr().err


def test_insecure_base_url_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELNYX_API_KEY", "secret-key-123")
    assert main(["rooms", "list", "--base-url", "http://example.com/v2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "secret-key-123" not in err


def test_global_options_are_accepted_before_and_after_the_command() -> None:
    before = build_parser().parse_args(["--format", "table", "--timeout", "3", "rooms", "list"])
    after = build_parser().parse_args(["rooms", "list", "--format", "table", "--timeout", "3"])
    for ns in (before, after):
        assert ns.format == "table"
        assert ns.timeout == 3.0


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from telnyx_video import __version__

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out
