"""The CLI's commands, derived from the client's methods, and their arguments, checked without
any server."""

from __future__ import annotations

import inspect
import io

import pytest

from telnyx_video import AsyncVideoClient, DateFilter, PaginationMeta, Room, VideoRegion
from telnyx_video._operations import Operation, operations
from telnyx_video.cli import _Progress, build_parser, main
from telnyx_video.cli._commands import GROUPS, Command, arguments_help, command_of, commands
from telnyx_video.resources import AsyncRooms


def parse(*argv: str) -> tuple[Command, list[object], dict[str, object]]:
    ns = build_parser().parse_args(argv)
    command: Command = ns.spec
    args, kwargs = command.call_args(ns)
    return command, args, kwargs


@pytest.mark.parametrize("cmd", commands(), ids=lambda c: f"{c.group}-{c.name}")
async def test_every_command_maps_onto_a_client_method(cmd: Command) -> None:
    async with AsyncVideoClient("k", base_url="http://127.0.0.1:9/v2") as client:
        method = getattr(getattr(client, cmd.operation.resource), cmd.operation.method)
    parameters = inspect.signature(method).parameters
    for option in cmd.options:
        assert option.name in parameters, f"{cmd.operation.method} has no parameter {option.name}"
        expected = (
            inspect.Parameter.POSITIONAL_OR_KEYWORD
            if option.kind == "positional"
            else inspect.Parameter.KEYWORD_ONLY
        )
        assert parameters[option.name].kind is expected
    for name in cmd.clearable:
        assert name in parameters
    if cmd.output == "list":
        assert "page_size" in parameters
    # Every required keyword argument of the method has an option.
    for name, parameter in parameters.items():
        if parameter.default is inspect.Parameter.empty:
            assert name in {o.name for o in cmd.options}


def test_every_operation_is_one_command_of_its_own() -> None:
    api = [c for c in commands() if c.output != "download"]
    assert [c.operation for c in api] == sorted(
        operations(), key=lambda op: list(GROUPS).index(op.resource)
    )
    assert len({(c.group, c.name) for c in commands()}) == len(commands())
    assert {c.group for c in commands()} == set(GROUPS.values())


def test_resources_that_download_media_get_a_download_command_with_their_filters() -> None:
    downloads = {c.group: c for c in commands() if c.output == "download"}
    listings = {c.group: c for c in commands() if c.output == "list"}
    media = {c.group for c in listings.values() if hasattr(c.operation.resource_class, "download")}
    assert set(downloads) == media == {"recordings", "compositions"}
    for group, command in downloads.items():
        assert command.name == "download"
        assert command.options == listings[group].options  # the listing's filters


def test_every_option_has_help_from_its_method_docstring() -> None:
    for cmd in commands():
        assert cmd.help, cmd.name
        for option in cmd.options:
            assert option.help, f"{cmd.operation} documents no {option.name} in Args:"


def test_a_new_operation_gets_its_command_from_the_method_alone() -> None:
    async def archive(
        self: AsyncRooms, room_id: str, *, reason: str | None = None, max_retries: int = 2
    ) -> Room:
        """Archive a room. It stays readable.

        Args:
            room_id: the room's id.
            reason: why, for the
                audit log (``any text``).
        """
        raise NotImplementedError

    archived = command_of(Operation("ArchiveRoom", "rooms", "archive", archive, AsyncRooms))

    assert (archived.group, archived.name, archived.output) == ("rooms", "archive", "item")
    assert archived.help == "archive a room"
    assert [(o.name, o.kind, o.help) for o in archived.options] == [
        ("room_id", "positional", "the room's id"),
        ("reason", "text", "why, for the audit log (any text)"),
    ]


def test_arguments_help_reads_the_args_section_only() -> None:
    doc = """Summary.

    Args:
        first: one line, with a [`Room`][telnyx_video.models.Room] and 50%.
        second (int): two
            lines.

    Raises:
        ValueError: not an argument.
    """
    assert arguments_help(doc) == {
        "first": "one line, with a Room and 50%%",
        "second": "two lines",
    }
    assert arguments_help("No sections.") == {}


@pytest.mark.parametrize(
    "meta",
    [
        PaginationMeta(),
        PaginationMeta(page_number=1),
        PaginationMeta(page_number=1, total_pages=1, total_results=3),
        None,
    ],
)
def test_progress_is_silent_when_the_page_count_is_unknown_or_one(
    meta: PaginationMeta | None,
) -> None:
    stream = _Terminal()
    progress = _Progress(stream, "rooms")
    progress.update(3, meta)
    progress.done()
    assert stream.getvalue() == ""


def test_progress_counts_pages_from_partial_meta() -> None:
    stream = _Terminal()
    progress = _Progress(stream, "rooms")
    progress.update(3, PaginationMeta(page_number=1, page_size=3, total_results=7))
    assert stream.getvalue() == "\r3 of 7 rooms (page 1/3)"
    progress.update(6, PaginationMeta(page_number=2, total_pages=3))
    assert stream.getvalue().endswith("\r6 rooms (page 2/3)")
    progress.done()
    assert stream.getvalue().endswith("\r\x1b[K")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


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
    assert (command.operation.method, args, kwargs) == ("update", ["room-1"], {})


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


def test_a_bad_json_option_says_what_is_wrong_and_where(
    capsys: pytest.CaptureFixture[str],
) -> None:
    layout = '{"a": {"x_pos": "1"}}'
    with pytest.raises(SystemExit):
        main(["compositions", "create", "--session-id", "s", "--video-layout", layout])
    assert (
        "--video-layout is invalid: expected an integer, got str '1' @ --video-layout['a'].x_pos"
        in capsys.readouterr().err
    )


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
