"""Parsing deliveries into typed, frozen event models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from telnyx_video.models import RecordingType
from telnyx_video.webhooks import (
    EVENT_TYPES,
    CompositionCompleted,
    ParticipantJoined,
    ParticipantLeft,
    RecordingCompleted,
    RecordingStarted,
    SessionEnded,
    SessionStarted,
    UnknownEvent,
    VerificationFailure,
    WebhookEvent,
    WebhookMeta,
    WebhookVerificationError,
    construct_event,
    parse_event,
)

from .webhook_support import Signer, spec_examples

EXAMPLES = spec_examples()
META = {"attempt": 2, "delivered_to": "https://example.com/hooks"}

EXPECTED_CLASSES: dict[str, type[WebhookEvent]] = {
    "video.room.session.started": SessionStarted,
    "video.room.session.ended": SessionEnded,
    "video.room.participant.joined": ParticipantJoined,
    "video.room.participant.left": ParticipantLeft,
    "video.room.recording.started": RecordingStarted,
    "video.room.recording.completed": RecordingCompleted,
    "video.room.composition.completed": CompositionCompleted,
}


def delivery(event: dict[str, Any], meta: dict[str, Any] | None = META) -> bytes:
    return json.dumps({"data": event, "meta": meta}).encode()


def test_the_seven_event_types_have_models() -> None:
    assert set(EXAMPLES) == set(EXPECTED_CLASSES)
    assert dict(EVENT_TYPES) == EXPECTED_CLASSES
    for event_type, cls in EXPECTED_CLASSES.items():
        assert cls.event_type == event_type


@pytest.mark.parametrize("event_type", sorted(EXPECTED_CLASSES))
def test_every_schema_example_parses(event_type: str) -> None:
    example = EXAMPLES[event_type]
    event = parse_event(delivery(example))
    assert type(event) is EXPECTED_CLASSES[event_type]
    assert event.event_type == event_type
    assert event.id == example["id"]
    assert event.record_type == "event"
    assert event.meta == WebhookMeta(attempt=2, delivered_to="https://example.com/hooks")
    assert event.occurred_at.tzinfo is not None
    payload = attrs.asdict(event.payload, value_serializer=lambda _i, _a, v: v)  # type: ignore[arg-type]
    for key, value in example["payload"].items():
        assert payload[key] == value, key


def test_payload_fields_are_typed() -> None:
    left = parse_event(delivery(EXAMPLES["video.room.participant.left"]))
    assert isinstance(left, ParticipantLeft)
    assert left.payload.duration_secs == 34
    assert left.payload.left_reason == "kick"
    assert left.payload.context == "Alice"

    rec = parse_event(delivery(EXAMPLES["video.room.recording.completed"]))
    assert isinstance(rec, RecordingCompleted)
    assert rec.payload.type is RecordingType.AUDIO
    assert rec.payload.codec == "opus"
    assert rec.payload.download_url == "https://www.example.com"
    assert rec.payload.duration_secs == 3660
    assert rec.payload.size_mb == 5.6

    comp = parse_event(delivery(EXAMPLES["video.room.composition.completed"]))
    assert isinstance(comp, CompositionCompleted)
    assert comp.payload.size_mb == 2.6
    assert comp.payload.resolution == "1280x720"

    ended = parse_event(delivery(EXAMPLES["video.room.session.ended"]))
    assert isinstance(ended, SessionEnded)
    assert (ended.payload.duration_secs, ended.payload.ended_reason) == (235, "stale")


def test_occurred_at_with_a_space_instead_of_t() -> None:
    event = parse_event(delivery(EXAMPLES["video.room.composition.completed"]))
    assert event.occurred_at == datetime(2022, 3, 2, 4, 47, 29, 980874, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01T00:00:00Z", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T00:00:00.1234567Z", datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)),
        ("2026-01-01T02:00:00+02:00", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01 00:00:00", datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_occurred_at_is_always_aware(text: str, expected: datetime) -> None:
    event = parse_event(delivery({**EXAMPLES["video.room.session.started"], "occurred_at": text}))
    assert event.occurred_at == expected
    assert event.occurred_at.tzinfo is not None


@pytest.mark.parametrize("form", ["bytes", "str", "mapping"])
def test_bare_event_without_envelope(form: str) -> None:
    example = EXAMPLES["video.room.participant.joined"]
    body: Any = {"bytes": json.dumps(example).encode(), "str": json.dumps(example)}.get(
        form, example
    )
    event = parse_event(body)
    assert isinstance(event, ParticipantJoined)
    assert event.meta is None
    assert event.payload.context == "Alice"


def test_envelope_without_meta() -> None:
    assert parse_event(delivery(EXAMPLES["video.room.session.started"], None)).meta is None
    body = json.dumps({"data": EXAMPLES["video.room.session.started"]})
    assert parse_event(body).meta is None


def test_unknown_fields_are_ignored() -> None:
    example = EXAMPLES["video.room.session.started"]
    event = {**example, "new_top_level": 1, "payload": {**example["payload"], "extra": [1, 2]}}
    meta = {**META, "new_meta": True}
    parsed = parse_event(delivery(event, meta))
    assert isinstance(parsed, SessionStarted)
    assert parsed.payload.room_id == example["payload"]["room_id"]


def test_unknown_recording_type_is_kept_as_a_string() -> None:
    example = EXAMPLES["video.room.recording.started"]
    event = {**example, "payload": {**example["payload"], "type": "screen"}}
    parsed = parse_event(delivery(event))
    assert isinstance(parsed, RecordingStarted)
    assert parsed.payload.type == "screen"


def test_optional_payload_fields_may_be_absent() -> None:
    example = EXAMPLES["video.room.participant.left"]
    payload = {k: example["payload"][k] for k in ("participant_id", "room_id", "session_id")}
    parsed = parse_event(delivery({**example, "payload": payload}))
    assert isinstance(parsed, ParticipantLeft)
    assert parsed.payload.duration_secs is None
    assert parsed.payload.left_reason is None


def test_unknown_event_type_falls_back() -> None:
    event = {
        "record_type": "event",
        "id": "e1",
        "event_type": "video.room.hand.raised",
        "occurred_at": "2026-01-01T00:00:00Z",
        "payload": {"participant_id": "p", "nested": {"a": [1]}},
    }
    parsed = parse_event(delivery(event))
    assert isinstance(parsed, UnknownEvent)
    assert isinstance(parsed, WebhookEvent)
    assert parsed.event_type == "video.room.hand.raised"
    assert parsed.payload["nested"] == {"a": [1]}
    assert parsed.meta == WebhookMeta(attempt=2, delivered_to="https://example.com/hooks")
    with pytest.raises(TypeError):
        parsed.payload["x"] = 1  # type: ignore[index]


def test_unknown_event_without_payload() -> None:
    event = {"id": "e1", "event_type": "call.initiated", "occurred_at": "2026-01-01T00:00:00Z"}
    parsed = parse_event(delivery(event))
    assert isinstance(parsed, UnknownEvent)
    assert dict(parsed.payload) == {}


def test_events_are_frozen_slotted_and_keyword_only() -> None:
    event = parse_event(delivery(EXAMPLES["video.room.session.started"]))
    assert isinstance(event, SessionStarted)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.id = "x"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.payload.room_id = "x"  # type: ignore[misc]
    assert not hasattr(event, "__dict__")
    with pytest.raises(TypeError):
        SessionStarted("id", datetime.now(UTC))  # type: ignore[call-arg]
    assert hash(event) == hash(parse_event(delivery(EXAMPLES["video.room.session.started"])))


def test_match_statement_dispatch() -> None:
    def describe(event: WebhookEvent) -> str:
        match event:
            case ParticipantJoined(payload=p):
                return f"joined {p.context}"
            case ParticipantLeft(payload=p):
                return f"left after {p.duration_secs}s"
            case UnknownEvent(event_type=t):
                return f"unknown {t}"
            case _:
                return event.event_type

    assert describe(parse_event(delivery(EXAMPLES["video.room.participant.joined"]))) == (
        "joined Alice"
    )
    assert describe(parse_event(delivery(EXAMPLES["video.room.participant.left"]))) == (
        "left after 34s"
    )


# -- invalid payloads ----------------------------------------------------------------------

SESSION = EXAMPLES["video.room.session.started"]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe{}",
        b"[1, 2]",
        b"null",
        b'"text"',
        b'{"data": null}',
        b'{"data": [1]}',
        b"{}",
        b'{"data": {"event_type": 5}}',
        b'{"data": {"event_type": ""}}',
        b"[" * 100_000 + b"]" * 100_000,
        delivery({k: v for k, v in SESSION.items() if k != "id"}),
        delivery({k: v for k, v in SESSION.items() if k != "occurred_at"}),
        delivery({k: v for k, v in SESSION.items() if k != "payload"}),
        delivery({**SESSION, "occurred_at": "yesterday"}),
        delivery({**SESSION, "occurred_at": 12}),
        delivery({**SESSION, "id": 12}),
        delivery({**SESSION, "payload": {"room_id": "r"}}),
        delivery({**SESSION, "payload": {"room_id": 1, "session_id": "s"}}),
        delivery({**SESSION, "payload": []}),
        delivery(
            {
                **EXAMPLES["video.room.participant.left"],
                "payload": {
                    **EXAMPLES["video.room.participant.left"]["payload"],
                    "duration_secs": "34",
                },
            }
        ),
        delivery(SESSION, {"attempt": "1"}),
        delivery(SESSION, [1]),  # type: ignore[arg-type]
        delivery({**SESSION, "event_type": "video.room.new", "payload": [1]}),
        delivery({**SESSION, "event_type": "video.room.new", "id": None}),
    ],
)
def test_invalid_payloads(body: bytes) -> None:
    with pytest.raises(WebhookVerificationError) as excinfo:
        parse_event(body)
    assert excinfo.value.reason == VerificationFailure.INVALID_PAYLOAD
    assert str(excinfo.value)


def test_invalid_payload_message_names_the_field() -> None:
    with pytest.raises(WebhookVerificationError, match="session_id"):
        parse_event(delivery({**SESSION, "payload": {"room_id": "r"}}))


def test_invalid_payload_message_says_what_is_wrong_and_where() -> None:
    """Worded by the SDK's one describer of structure errors, as the client's errors are."""
    with pytest.raises(WebhookVerificationError) as excinfo:
        parse_event(delivery({**SESSION, "payload": {**SESSION["payload"], "room_id": 5}}))
    assert str(excinfo.value).endswith(
        "does not match SessionStarted: expected a string, got int 5 @ "
        "SessionStarted.payload.room_id"
    )


def test_construct_event_verifies_then_parses(signer: Signer) -> None:
    body = delivery(EXAMPLES["video.room.recording.completed"])
    event = construct_event(body, signer.headers(body), public_key=signer.public_key)
    assert isinstance(event, RecordingCompleted)
    assert event.meta is not None
    assert event.meta.attempt == 2
