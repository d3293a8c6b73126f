"""Typed models of the Telnyx Video webhook events, and their parser."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar, Final, TypeAlias, cast

import attrs

from telnyx_video._converter import STRUCTURE_ERRORS, converter, describe_structure_error
from telnyx_video.errors import WebhookVerificationError
from telnyx_video.models import RecordingType
from telnyx_video.webhooks._verify import Body, VerificationFailure, body_bytes

__all__ = [
    "EVENT_TYPES",
    "CompositionCompleted",
    "CompositionCompletedPayload",
    "ParticipantJoined",
    "ParticipantJoinedPayload",
    "ParticipantLeft",
    "ParticipantLeftPayload",
    "RecordingCompleted",
    "RecordingCompletedPayload",
    "RecordingStarted",
    "RecordingStartedPayload",
    "SessionEnded",
    "SessionEndedPayload",
    "SessionStarted",
    "SessionStartedPayload",
    "UnknownEvent",
    "VideoEvent",
    "WebhookEvent",
    "WebhookMeta",
    "event_document",
    "parse_event",
]


@attrs.frozen(kw_only=True)
class WebhookMeta:
    """Delivery metadata: which attempt this is, and the URL it was sent to."""

    attempt: int | None = None
    delivered_to: str | None = None


@attrs.frozen(kw_only=True)
class WebhookEvent:
    """Fields common to every webhook event.

    ``id`` is unique per event (not per delivery attempt): use it to drop duplicates when a
    delivery is retried. ``meta`` is ``None`` when a bare event (no ``data`` envelope) was
    parsed.
    """

    event_type: ClassVar[str]

    id: str
    occurred_at: datetime
    record_type: str = "event"
    meta: WebhookMeta | None = None


# -- payloads ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SessionStartedPayload:
    """Payload of ``video.room.session.started``."""

    room_id: str
    session_id: str


@attrs.frozen(kw_only=True)
class SessionEndedPayload:
    """Payload of ``video.room.session.ended``."""

    room_id: str
    session_id: str
    duration_secs: int | None = None
    ended_reason: str | None = None


@attrs.frozen(kw_only=True)
class ParticipantJoinedPayload:
    """Payload of ``video.room.participant.joined``."""

    participant_id: str
    room_id: str
    session_id: str
    context: str | None = None


@attrs.frozen(kw_only=True)
class ParticipantLeftPayload:
    """Payload of ``video.room.participant.left``."""

    participant_id: str
    room_id: str
    session_id: str
    context: str | None = None
    duration_secs: int | None = None
    left_reason: str | None = None


@attrs.frozen(kw_only=True)
class RecordingStartedPayload:
    """Payload of ``video.room.recording.started``."""

    recording_id: str
    participant_id: str
    room_id: str
    session_id: str
    type: RecordingType | str | None = None


@attrs.frozen(kw_only=True)
class RecordingCompletedPayload:
    """Payload of ``video.room.recording.completed``."""

    recording_id: str
    participant_id: str
    room_id: str
    session_id: str
    type: RecordingType | str | None = None
    codec: str | None = None
    download_url: str | None = None
    duration_secs: int | None = None
    size_mb: float | None = None


@attrs.frozen(kw_only=True)
class CompositionCompletedPayload:
    """Payload of ``video.room.composition.completed``."""

    composition_id: str
    room_id: str
    session_id: str
    download_url: str | None = None
    duration_secs: int | None = None
    format: str | None = None
    resolution: str | None = None
    size_mb: float | None = None


# -- events --------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SessionStarted(WebhookEvent):
    """``video.room.session.started``: the first participant joined a room."""

    event_type: ClassVar[str] = "video.room.session.started"
    payload: SessionStartedPayload


@attrs.frozen(kw_only=True)
class SessionEnded(WebhookEvent):
    """``video.room.session.ended``: the room session closed."""

    event_type: ClassVar[str] = "video.room.session.ended"
    payload: SessionEndedPayload


@attrs.frozen(kw_only=True)
class ParticipantJoined(WebhookEvent):
    """``video.room.participant.joined``."""

    event_type: ClassVar[str] = "video.room.participant.joined"
    payload: ParticipantJoinedPayload


@attrs.frozen(kw_only=True)
class ParticipantLeft(WebhookEvent):
    """``video.room.participant.left`` (left on their own, or kicked: see ``left_reason``)."""

    event_type: ClassVar[str] = "video.room.participant.left"
    payload: ParticipantLeftPayload


@attrs.frozen(kw_only=True)
class RecordingStarted(WebhookEvent):
    """``video.room.recording.started``: a participant's audio or video recording began."""

    event_type: ClassVar[str] = "video.room.recording.started"
    payload: RecordingStartedPayload


@attrs.frozen(kw_only=True)
class RecordingCompleted(WebhookEvent):
    """``video.room.recording.completed``: a recording is ready to download."""

    event_type: ClassVar[str] = "video.room.recording.completed"
    payload: RecordingCompletedPayload


@attrs.frozen(kw_only=True)
class CompositionCompleted(WebhookEvent):
    """``video.room.composition.completed``: a composition is ready to download."""

    event_type: ClassVar[str] = "video.room.composition.completed"
    payload: CompositionCompletedPayload


@attrs.frozen(kw_only=True)
class UnknownEvent(WebhookEvent):
    """An event type this version of the SDK has no model for.

    Receivers keep working when Telnyx adds event types: ``event_type`` holds the type and
    ``payload`` the raw, read-only JSON object.
    """

    event_type: str  # type: ignore[misc]
    payload: Mapping[str, Any] = attrs.field(factory=lambda: MappingProxyType({}))


VideoEvent: TypeAlias = (
    SessionStarted
    | SessionEnded
    | ParticipantJoined
    | ParticipantLeft
    | RecordingStarted
    | RecordingCompleted
    | CompositionCompleted
    | UnknownEvent
)
"""Every event [`parse_event()`][telnyx_video.webhooks.parse_event] can return; ``match`` on it
exhaustively."""

EVENT_TYPES: Final[Mapping[str, type[WebhookEvent]]] = MappingProxyType(
    {
        cls.event_type: cls
        for cls in (
            SessionStarted,
            SessionEnded,
            ParticipantJoined,
            ParticipantLeft,
            RecordingStarted,
            RecordingCompleted,
            CompositionCompleted,
        )
    }
)
"""The typed event classes by ``event_type``."""


def _invalid(message: str) -> WebhookVerificationError:
    return WebhookVerificationError(message, reason=VerificationFailure.INVALID_PAYLOAD)


def _structure_unknown(data: Mapping[str, Any]) -> UnknownEvent:
    fields = converter.structure(
        {k: v for k, v in data.items() if k != "payload"}, _UnknownEnvelope
    )
    payload = data.get("payload", {})
    if not isinstance(payload, Mapping):
        raise TypeError(f"expected payload to be an object, got {type(payload).__name__}")
    return UnknownEvent(
        id=fields.id,
        event_type=fields.event_type,
        occurred_at=fields.occurred_at,
        record_type=fields.record_type,
        meta=fields.meta,
        payload=MappingProxyType(dict(payload)),
    )


@attrs.frozen(kw_only=True)
class _UnknownEnvelope:
    event_type: str
    id: str
    occurred_at: datetime
    record_type: str = "event"
    meta: WebhookMeta | None = None


def _decode(body: Body | Mapping[str, Any]) -> Any:
    if isinstance(body, Mapping):
        return body
    try:
        return json.loads(body_bytes(body))
    except (ValueError, RecursionError) as exc:
        raise _invalid(f"the webhook body is not valid JSON: {exc}") from None


def parse_event(body: Body | Mapping[str, Any]) -> VideoEvent:
    """Parse a delivery into its typed event, without verifying it.

    Use it on input that is already verified (or trusted);
    [`construct_event()`][telnyx_video.webhooks.construct_event] verifies and parses in one step.
    ``body`` is the raw JSON (``bytes`` or ``str``) or the decoded object, either the delivery
    envelope ``{"data": <event>, "meta": {...}}`` or a bare event. The event class is chosen by
    ``event_type``; unknown types give an [`UnknownEvent`][telnyx_video.webhooks.UnknownEvent].
    Unknown fields are ignored.

    Raises:
        WebhookVerificationError: with reason ``invalid_payload`` when the body is not JSON
            or not a webhook event of the documented shape.
    """
    document = _decode(body)
    if not isinstance(document, Mapping):
        raise _invalid(f"the webhook body must be a JSON object, got {type(document).__name__}")
    data = document.get("data", document)
    if not isinstance(data, Mapping):
        raise _invalid(f"the webhook 'data' must be an object, got {type(data).__name__}")
    event_type = data.get("event_type")
    if not isinstance(event_type, str) or not event_type:
        raise _invalid("the webhook event has no 'event_type' string")
    fields = dict(data)
    if data is not document and document.get("meta") is not None:
        fields["meta"] = document["meta"]
    for name in ("meta", "payload"):
        value = fields.get(name)
        if value is not None and not isinstance(value, Mapping):
            raise _invalid(
                f"the {event_type} event's {name!r} must be an object, got {type(value).__name__}"
            )
    cls = EVENT_TYPES.get(event_type)
    try:
        if cls is None:
            return _structure_unknown(fields)
        fields.pop("event_type")
        event = cast("VideoEvent", converter.structure(fields, cls))
    except STRUCTURE_ERRORS as exc:
        name = cls.__name__ if cls is not None else "UnknownEvent"
        problems = describe_structure_error(exc, name)
        raise _invalid(f"the {event_type} event does not match {name}: {problems}") from exc
    return event


def event_document(event: WebhookEvent) -> dict[str, Any]:
    """The delivery envelope of ``event`` as JSON, the inverse of
    [`parse_event()`][telnyx_video.webhooks.parse_event]: ``{"data": <event>, "meta": {...}}``
    (``meta`` only when the event has one), serialized by the SDK's converter.
    """
    data = converter.unstructure(attrs.evolve(event, meta=None))
    data.pop("meta", None)
    data["event_type"] = event.event_type
    if isinstance(event, UnknownEvent):
        data["payload"] = dict(event.payload)
    document: dict[str, Any] = {"data": data}
    if event.meta is not None:
        document["meta"] = converter.unstructure(event.meta)
    return document
