"""The command table of the CLI: one entry per API operation, and the option kinds.

Every command maps to one client method; its options map one-to-one to that method's
keyword arguments. The parser is built from this table, so adding an operation is one entry.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from enum import StrEnum
from typing import Any, Literal

import attrs
import cattrs

from telnyx_video._converter import converter
from telnyx_video.models import (
    CompositionStatus,
    DateFilter,
    RecordingStatus,
    RecordingType,
    VideoRegion,
)

__all__ = ["COMMANDS", "Command", "Option"]

Output = Literal["list", "item", "deleted", "count"]


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _iso_date(text: str) -> str:
    """argparse type of a ``YYYY-MM-DD`` option (the value stays a string)."""
    try:
        date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None
    if len(text) != 10:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}")
    return text


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


def _video_layout(text: str) -> dict[str, VideoRegion]:
    """argparse type of ``--video-layout``: a JSON object of region name -> region."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"--video-layout is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise argparse.ArgumentTypeError("--video-layout must be a JSON object of regions")
    layout: dict[str, VideoRegion] = {}
    for name, region in raw.items():
        if not isinstance(region, dict):
            raise argparse.ArgumentTypeError(f"--video-layout region {name!r} must be an object")
        try:
            layout[name] = converter.structure(region, VideoRegion)
        except (cattrs.BaseValidationError, TypeError, ValueError) as exc:
            problems = (
                "; ".join(cattrs.transform_error(exc))
                if isinstance(exc, cattrs.BaseValidationError)
                else str(exc)
            )
            raise argparse.ArgumentTypeError(
                f"--video-layout region {name!r} is invalid: {problems}"
            ) from None
    return layout


@attrs.frozen
class Option:
    """One argument of a command, mapped to the keyword argument ``name`` of the method.

    ``kind`` says how it is parsed: ``positional`` (a required id), ``text``, ``int``, ``flag``
    (``--x`` gives ``True``), ``toggle`` (``--x``/``--no-x``), ``dates`` (``--x``, ``--x-gte``,
    ``--x-lte`` combined into a [`DateFilter`][telnyx_video.models.DateFilter]), ``ids`` (one or
    more values), ``layout`` (a JSON object).
    """

    name: str
    kind: Literal["positional", "text", "int", "flag", "toggle", "dates", "ids", "layout"]
    help: str
    required: bool = False
    choices: tuple[str, ...] | None = None
    metavar: str | None = None
    #: The option string when it is not ``--`` plus the name with dashes.
    flag: str | None = None

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        """Declare this option on ``parser``."""
        flag = self.flag or _flag(self.name)
        if self.kind == "positional":
            parser.add_argument(
                self.name, metavar=self.metavar or self.name.upper(), help=self.help
            )
        elif self.kind == "text":
            parser.add_argument(
                flag,
                dest=self.name,
                required=self.required,
                choices=self.choices,
                metavar=self.metavar,
                help=self.help,
            )
        elif self.kind == "int":
            parser.add_argument(
                flag,
                dest=self.name,
                type=_positive_int,
                required=self.required,
                metavar=self.metavar or "N",
                help=self.help,
            )
        elif self.kind == "flag":
            parser.add_argument(flag, dest=self.name, action="store_true", help=self.help)
        elif self.kind == "toggle":
            parser.add_argument(
                flag, dest=self.name, action=argparse.BooleanOptionalAction, help=self.help
            )
        elif self.kind == "dates":
            for suffix, what in (("", "on"), ("_gte", "on or after"), ("_lte", "on or before")):
                parser.add_argument(
                    _flag(self.name + suffix),
                    dest=self.name + suffix,
                    type=_iso_date,
                    metavar="YYYY-MM-DD",
                    help=f"{self.help} {what} this date",
                )
        elif self.kind == "ids":
            parser.add_argument(
                flag,
                dest=self.name,
                nargs="+",
                required=self.required,
                metavar=self.metavar or "ID",
                help=self.help,
            )
        else:  # layout
            parser.add_argument(
                flag, dest=self.name, type=_video_layout, metavar="JSON", help=self.help
            )

    def value(self, ns: argparse.Namespace) -> Any:
        """The keyword argument's value from parsed arguments, ``None`` when not given."""
        if self.kind == "dates":
            eq, gte, lte = (getattr(ns, self.name + s) for s in ("", "_gte", "_lte"))
            if eq is None and gte is None and lte is None:
                return None
            return DateFilter(eq=eq, gte=gte, lte=lte)
        value = getattr(ns, self.name)
        if self.kind == "flag":
            return True if value else None
        if self.kind == "ids" and self.name == "participants" and value == ["all"]:
            return "all"
        return value


@attrs.frozen
class Command:
    """One CLI command: ``telnyx-video <group> <name>`` calling ``client.<resource>.<method>``."""

    group: str
    name: str
    resource: str
    method: str
    help: str
    options: tuple[Option, ...] = ()
    output: Output = "item"
    #: Options that ``--clear`` may set to ``None`` (an explicit JSON null).
    clearable: tuple[str, ...] = ()
    #: A noun for progress and messages ("rooms", "recordings").
    noun: str = "items"

    @property
    def positionals(self) -> tuple[Option, ...]:
        """The positional (id) arguments, in order."""
        return tuple(o for o in self.options if o.kind == "positional")

    def call_args(self, ns: argparse.Namespace) -> tuple[list[Any], dict[str, Any]]:
        """The positional and keyword arguments of the client call."""
        args = [getattr(ns, o.name) for o in self.positionals]
        kwargs: dict[str, Any] = {}
        for option in self.options:
            if option.kind == "positional":
                continue
            value = option.value(ns)
            if value is not None:
                kwargs[option.name] = value
        for name in getattr(ns, "clear", None) or ():
            kwargs[name] = None
        if self.output == "list" and getattr(ns, "page_size", None) is not None:
            kwargs["page_size"] = ns.page_size
        return args, kwargs


# Option builders: short names keep the table below readable.


def _id(name: str, what: str) -> Option:
    return Option(name, "positional", f"the {what} id")


def _text(name: str, help: str, **kw: Any) -> Option:
    return Option(name, "text", help, **kw)


def _int(name: str, help: str, **kw: Any) -> Option:
    return Option(name, "int", help, **kw)


def _flag_opt(name: str, help: str) -> Option:
    return Option(name, "flag", help)


def _toggle(name: str, help: str) -> Option:
    return Option(name, "toggle", help)


def _dates(name: str, what: str) -> Option:
    return Option(name, "dates", what)


def _values(enum_cls: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum_cls)


_ROOM_SETTINGS = (
    _text("unique_name", "a name unique in your account", metavar="NAME"),
    _int("max_participants", "the most participants at once (default 10)"),
    _toggle("enable_recording", "record each participant's audio and video"),
    _text("webhook_event_url", "where room events are POSTed", metavar="URL"),
    _text("webhook_event_failover_url", "used when the first URL fails", metavar="URL"),
    _int("webhook_timeout_secs", "seconds to wait for the webhook URL (0-30)"),
)

_SESSION_FILTERS = (
    _toggle("active", "only sessions that are (or are not) active"),
    _dates("date_created_at", "created"),
    _dates("date_updated_at", "updated"),
    _dates("date_ended_at", "ended"),
    _flag_opt("include_participants", "embed each session's participants"),
)

_PARTICIPANT_FILTERS = (
    _text("context", "only participants with this context", metavar="TEXT"),
    _dates("date_joined_at", "joined"),
    _dates("date_left_at", "left"),
    _dates("date_updated_at", "updated"),
)

_RECORDING_FILTERS = (
    _text("room_id", "only recordings of this room", metavar="ID"),
    _text("session_id", "only recordings of this session", metavar="ID"),
    _text("participant_id", "only recordings of this participant", metavar="ID"),
    _text("status", "only recordings in this state", choices=_values(RecordingStatus)),
    _text("type", "only audio or only video recordings", choices=_values(RecordingType)),
    _int("duration_secs", "only recordings of exactly this duration"),
    _dates("date_started_at", "started"),
    _dates("date_ended_at", "ended"),
)

_TARGETS = (
    Option(
        "participants",
        "ids",
        "'all', or the ids of the participants to act on",
        required=True,
        metavar="ID",
    ),
    Option("exclude", "ids", "ids of participants to leave out"),
)

COMMANDS: tuple[Command, ...] = (
    # rooms
    Command(
        "rooms",
        "list",
        "rooms",
        "list",
        "list rooms, newest first",
        (
            _text("unique_name", "only the room with this name", metavar="NAME"),
            _dates("date_created_at", "created"),
            _dates("date_updated_at", "updated"),
            _flag_opt("include_sessions", "embed each room's sessions"),
        ),
        output="list",
        noun="rooms",
    ),
    Command("rooms", "create", "rooms", "create", "create a room", _ROOM_SETTINGS),
    Command(
        "rooms",
        "get",
        "rooms",
        "retrieve",
        "show one room",
        (_id("room_id", "room"), _flag_opt("include_sessions", "embed the room's sessions")),
    ),
    Command(
        "rooms",
        "update",
        "rooms",
        "update",
        "change a room's settings (only the options given are sent)",
        (_id("room_id", "room"), *_ROOM_SETTINGS),
        clearable=(
            "unique_name",
            "webhook_event_url",
            "webhook_event_failover_url",
            "webhook_timeout_secs",
        ),
    ),
    Command(
        "rooms",
        "delete",
        "rooms",
        "delete",
        "delete a room (its session ends)",
        (_id("room_id", "room"),),
        output="deleted",
    ),
    Command(
        "rooms",
        "sessions",
        "rooms",
        "list_sessions",
        "list the sessions of one room",
        (_id("room_id", "room"), *_SESSION_FILTERS),
        output="list",
        noun="sessions",
    ),
    Command(
        "rooms",
        "token",
        "rooms",
        "generate_join_client_token",
        "create a client token to join a room",
        (
            _id("room_id", "room"),
            _int("token_ttl_secs", "token lifetime, 10-3600 seconds (default 600)"),
            _int("refresh_token_ttl_secs", "refresh token lifetime, 60-86400 s (default 3600)"),
        ),
    ),
    Command(
        "rooms",
        "refresh-token",
        "rooms",
        "refresh_client_token",
        "get a new client token from a refresh token",
        (
            _id("room_id", "room"),
            _text("refresh_token", "the refresh token", required=True, metavar="TOKEN"),
            _int("token_ttl_secs", "token lifetime, 10-3600 seconds (default 600)"),
        ),
    ),
    # sessions
    Command(
        "sessions",
        "list",
        "room_sessions",
        "list",
        "list room sessions",
        (_text("room_id", "only sessions of this room", metavar="ID"), *_SESSION_FILTERS),
        output="list",
        noun="sessions",
    ),
    Command(
        "sessions",
        "get",
        "room_sessions",
        "retrieve",
        "show one session",
        (
            _id("room_session_id", "session"),
            _flag_opt("include_participants", "embed the session's participants"),
        ),
    ),
    Command(
        "sessions",
        "participants",
        "room_sessions",
        "list_participants",
        "list the participants of one session",
        (_id("room_session_id", "session"), *_PARTICIPANT_FILTERS),
        output="list",
        noun="participants",
    ),
    Command(
        "sessions",
        "end",
        "room_sessions",
        "end",
        "end a session (everyone is kicked)",
        (_id("room_session_id", "session"),),
    ),
    *(
        Command(
            "sessions",
            action,
            "room_sessions",
            action,
            f"{action} participants of a session",
            (_id("room_session_id", "session"), *_TARGETS),
        )
        for action in ("kick", "mute", "unmute")
    ),
    # participants
    Command(
        "participants",
        "list",
        "room_participants",
        "list",
        "list participants across sessions",
        (
            _text("session_id", "only participants of this session", metavar="ID"),
            *_PARTICIPANT_FILTERS,
        ),
        output="list",
        noun="participants",
    ),
    Command(
        "participants",
        "get",
        "room_participants",
        "retrieve",
        "show one participant",
        (_id("room_participant_id", "participant"),),
    ),
    # recordings
    Command(
        "recordings",
        "list",
        "room_recordings",
        "list",
        "list recordings",
        _RECORDING_FILTERS,
        output="list",
        noun="recordings",
    ),
    Command(
        "recordings",
        "get",
        "room_recordings",
        "retrieve",
        "show one recording",
        (_id("room_recording_id", "recording"),),
    ),
    Command(
        "recordings",
        "delete",
        "room_recordings",
        "delete",
        "delete one recording",
        (_id("room_recording_id", "recording"),),
        output="deleted",
    ),
    Command(
        "recordings",
        "delete-many",
        "room_recordings",
        "delete_many",
        "delete every recording matching the filters; prints the count",
        (
            *_RECORDING_FILTERS,
            _flag_opt("delete_all", "required to delete with no filter: every recording"),
        ),
        output="count",
    ),
    # compositions
    Command(
        "compositions",
        "list",
        "room_compositions",
        "list",
        "list compositions",
        (
            _text("session_id", "only compositions of this session", metavar="ID"),
            _text("status", "only compositions in this state", choices=_values(CompositionStatus)),
            _dates("date_created_at", "created"),
        ),
        output="list",
        noun="compositions",
    ),
    Command(
        "compositions",
        "create",
        "room_compositions",
        "create",
        "compose a session's recordings into one video",
        (
            _text("session_id", "the session to compose", required=True, metavar="ID"),
            # --format selects the output format of the CLI, hence another spelling here.
            _text("format", "container format (default mp4)", flag="--media-format"),
            _text("resolution", "WIDTHxHEIGHT (default 1280x720)", metavar="WxH"),
            Option(
                "video_layout",
                "layout",
                'regions as JSON, e.g. \'{"main": {"max_columns": 2, "max_rows": 1}}\'',
            ),
            _text("webhook_event_url", "where composition events are POSTed", metavar="URL"),
            _text("webhook_event_failover_url", "used when the first URL fails", metavar="URL"),
            _int("webhook_timeout_secs", "seconds to wait for the webhook URL (0-30)"),
        ),
    ),
    Command(
        "compositions",
        "get",
        "room_compositions",
        "retrieve",
        "show one composition",
        (_id("room_composition_id", "composition"),),
    ),
    Command(
        "compositions",
        "delete",
        "room_compositions",
        "delete",
        "delete one composition",
        (_id("room_composition_id", "composition"),),
        output="deleted",
    ),
)

#: Help of each command group.
GROUPS: dict[str, str] = {
    "rooms": "create and manage rooms and their join tokens",
    "sessions": "inspect sessions and kick, mute or unmute their participants",
    "participants": "inspect participants",
    "recordings": "list and delete recordings",
    "compositions": "compose recordings into one video",
}
