"""The emulator's records, and their generic mapping to the SDK's models.

A record holds what the emulator stores about a resource, under the names of the public
model's fields (``RoomRecord.max_participants`` is ``Room.max_participants``), plus internal
state (``muted``, ``session_ids``...). A [`View`][telnyx_video.emulator._records.View] reads
every field of a model off a record by name, so a field added to a model appears in the
emulator's answers without a line here; a field the record lacks takes the model's default,
and a field without a value is sent as ``null``, as the API does. A record keeps its JSON
until one of its fields changes, so a listing renders only what changed since.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar, cast

import attrs

from telnyx_video._converter import converter, format_datetime
from telnyx_video.models import (
    CompositionStatus,
    RecordingStatus,
    Room,
    RoomComposition,
    RoomParticipant,
    RoomRecording,
    RoomSession,
)

__all__ = [
    "COMPOSITIONS",
    "PARTICIPANTS",
    "RECORDINGS",
    "ROOMS",
    "SESSIONS",
    "CompositionRecord",
    "ParticipantRecord",
    "RecordingRecord",
    "RoomRecord",
    "SessionRecord",
    "View",
    "WebhookTarget",
    "dumps",
]

M = TypeVar("M")
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as the emulator answers."""
    return _ENCODER.encode(value).encode()


@attrs.frozen
class WebhookTarget:
    """Where a resource's webhook events go: its URLs and delivery timeout."""

    url: str | None
    failover_url: str | None
    timeout_secs: int | None


def _forget_json(record: _Record, _: attrs.Attribute[Any], value: Any) -> Any:
    object.__setattr__(record, "_json", None)  # a field changes: render it again
    object.__setattr__(record, "_text", None)
    return value


@attrs.define(eq=False, on_setattr=_forget_json)
class _Record:
    _json: dict[str, Any] | None = attrs.field(
        default=None, init=False, repr=False, on_setattr=attrs.setters.NO_OP
    )
    _text: bytes | None = attrs.field(
        default=None, init=False, repr=False, on_setattr=attrs.setters.NO_OP
    )


@attrs.define(eq=False, on_setattr=_forget_json)
class _Webhooked(_Record):
    webhook_event_url: str | None = attrs.field(default=None, kw_only=True)
    webhook_event_failover_url: str | None = attrs.field(default=None, kw_only=True)
    webhook_timeout_secs: int | None = attrs.field(default=None, kw_only=True)

    def webhook_target(self) -> WebhookTarget:
        """Where this resource's webhook events go, as of now."""
        return WebhookTarget(
            self.webhook_event_url or None,  # "" is the contract's "no URL"
            self.webhook_event_failover_url or None,
            self.webhook_timeout_secs,
        )


@attrs.define(eq=False, on_setattr=_forget_json)
class RoomRecord(_Webhooked):
    """A room."""

    id: str
    created_at: datetime
    updated_at: datetime
    max_participants: int
    enable_recording: bool
    unique_name: str | None = None
    active_session_id: str | None = None
    session_ids: list[str] = attrs.Factory(list)


@attrs.define(eq=False, on_setattr=_forget_json)
class SessionRecord(_Record):
    """A room session."""

    id: str
    room_id: str
    created_at: datetime
    updated_at: datetime
    active: bool = True
    ended_at: datetime | None = None
    participant_ids: list[str] = attrs.Factory(list)


@attrs.define(eq=False, on_setattr=_forget_json)
class ParticipantRecord(_Record):
    """A participant of a session; ``muted`` and ``left_reason`` are internal."""

    id: str
    session_id: str
    room_id: str
    joined_at: datetime
    updated_at: datetime
    context: str | None = None
    left_at: datetime | None = None
    left_reason: str | None = None
    muted: bool = False

    @property
    def present(self) -> bool:
        """Whether the participant is still in the session."""
        return self.left_at is None


@attrs.define(eq=False, on_setattr=_forget_json)
class RecordingRecord(_Record):
    """One participant's audio or video recording."""

    id: str
    room_id: str
    session_id: str
    participant_id: str
    type: str
    codec: str
    started_at: datetime
    updated_at: datetime
    webhook: WebhookTarget
    """Where the room sent its events when the recording started: its completion goes there
    too, even once the room is deleted."""
    status: str = RecordingStatus.PROCESSING.value
    ended_at: datetime | None = None
    completed_at: datetime | None = None
    duration_secs: int | None = None
    size_mb: float | None = None
    download_url: str | None = None
    media_expires_at: datetime | None = None
    """When ``download_url`` stops working (see ``_media``)."""

    @property
    def created_at(self) -> datetime:
        """A recording is created when it starts."""
        return self.started_at


@attrs.define(eq=False, on_setattr=_forget_json)
class CompositionRecord(_Webhooked):
    """A composition of one ended session."""

    id: str
    room_id: str
    session_id: str
    user_id: str
    format: str
    resolution: str
    created_at: datetime
    updated_at: datetime
    video_layout: dict[str, Any] | None = None
    started_at: datetime | None = None
    """When processing started (``null`` while enqueued)."""
    ended_at: datetime | None = None
    """When processing ended (``null`` until completed)."""
    status: str = CompositionStatus.ENQUEUED.value
    completed_at: datetime | None = None
    duration_secs: int | None = None
    size_mb: float | None = None
    download_url: str | None = None
    media_expires_at: datetime | None = None
    """When ``download_url`` stops working (see ``_media``)."""


def _encoder(field_type: Any) -> Callable[[Any], Any] | None:
    """How a record's value of a model field becomes JSON (``None``: as it is)."""
    kinds = typing.get_args(field_type) or (field_type,)
    return format_datetime if datetime in kinds else None


class View(Generic[M]):
    """Records of one kind as the model ``model``: JSON for answers, or the model itself."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        hints = typing.get_type_hints(model)
        self._fields: list[tuple[str, Callable[[Any], Any] | None, Any]] = []
        for field in attrs.fields(cast(Any, model)):
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()
            self._fields.append((field.name, _encoder(hints[field.name]), default))

    def json(self, record: _Record, **given: Any) -> dict[str, Any]:
        """The model's fields read off ``record`` (``given`` ones from the arguments): JSON
        values, ``null`` where there is no value. Treat it as read-only."""
        rendered = record._json
        if rendered is None:
            rendered = record._json = {
                name: value if encode is None or value is None else encode(value)
                for name, encode, default in self._fields
                for value in (getattr(record, name, default),)
            }
        return {**rendered, **given} if given else rendered

    def encoded(self, record: _Record) -> bytes:
        """``json(record)`` encoded (UTF-8 JSON), kept until the record changes."""
        text = record._text
        if text is None:
            text = record._text = dumps(self.json(record))
        return text

    def to_model(self, record: _Record, **given: Any) -> M:
        """The public model of ``record``."""
        return converter.structure(self.json(record, **given), self.model)


ROOMS = View(Room)
SESSIONS = View(RoomSession)
PARTICIPANTS = View(RoomParticipant)
RECORDINGS = View(RoomRecording)
COMPOSITIONS = View(RoomComposition)
