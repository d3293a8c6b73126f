"""End to end: a WebhookReceiver on 127.0.0.1 gets a full room lifecycle from the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import Emulator
from telnyx_video.models import RecordingType
from telnyx_video.webhooks import (
    CompositionCompleted,
    ParticipantJoined,
    ParticipantLeft,
    RecordingCompleted,
    RecordingStarted,
    SessionEnded,
    SessionStarted,
    VerificationFailure,
    VideoEvent,
    WebhookReceiver,
    WebhookVerificationError,
    construct_event,
)

from .conftest import Serve

PATH = "/webhooks/telnyx"


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(api_key="test-key") as emu:
        yield emu


async def test_room_lifecycle_events_arrive_verified_and_in_order(
    emulator: Emulator, serve: Serve
) -> None:
    emu = emulator
    receiver = WebhookReceiver(public_key=emu.webhook_public_key)
    received: list[VideoEvent] = []
    receiver.on("*")(received.append)
    url = (await serve(receiver.create_app(PATH))).url + PATH

    async with AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client:
        room = await client.rooms.create(
            unique_name="webhooks-e2e", enable_recording=True, webhook_event_url=url
        )
        token = await client.rooms.generate_join_client_token(room.id)
        alice = await emu.join(room.id, token.token, context="Alice")
        bob = await emu.join(room.id, token.token, context="Bob")
        session_id = alice.session_id
        await client.room_sessions.kick(session_id, participants=[bob.id])
        await client.room_sessions.end(session_id)
        await emu.advance(60)  # every recording completes
        composition = await client.room_compositions.create(
            session_id=session_id, webhook_event_url=url
        )
        await emu.advance(60)  # the composition is picked up ...
        await emu.advance(60)  # ... and completes

        deliveries = await emu.wait_for_webhooks(15, timeout=10)

    # every delivery was answered 2xx by the receiver, i.e. verified with the emulator's key
    assert [d.outcome for d in deliveries] == ["delivered"] * 15
    assert all(d.status == 204 for d in deliveries)
    assert [e.id for e in received] == [d.event_id for d in deliveries]

    kinds = [(type(e), getattr(e.payload, "context", None)) for e in received]
    assert kinds[:11] == [
        (SessionStarted, None),
        (ParticipantJoined, "Alice"),
        (RecordingStarted, None),
        (RecordingStarted, None),
        (ParticipantJoined, "Bob"),
        (RecordingStarted, None),
        (RecordingStarted, None),
        (ParticipantLeft, "Bob"),
        (ParticipantLeft, "Alice"),
        (SessionEnded, None),
        (RecordingCompleted, None),
    ]
    assert [type(e) for e in received[11:]] == [RecordingCompleted] * 3 + [CompositionCompleted]

    times = [e.occurred_at for e in received]
    assert times == sorted(times)
    for event in received:
        assert event.meta is not None
        assert event.meta.attempt == 1
        assert event.meta.delivered_to == url
        assert event.occurred_at.tzinfo is not None
        assert event.payload.room_id == room.id  # type: ignore[union-attr]
        assert event.payload.session_id == session_id  # type: ignore[union-attr]

    started = [e for e in received if isinstance(e, RecordingStarted)]
    completed = [e for e in received if isinstance(e, RecordingCompleted)]
    assert {(e.payload.participant_id, e.payload.type) for e in started} == {
        (p.id, kind) for p in (alice, bob) for kind in (RecordingType.AUDIO, RecordingType.VIDEO)
    }
    assert {e.payload.recording_id for e in completed} == {e.payload.recording_id for e in started}
    for event in completed:
        assert event.payload.download_url
        assert event.payload.duration_secs is not None
        assert event.payload.size_mb is not None
        assert event.payload.codec

    left = {e.payload.context: e.payload for e in received if isinstance(e, ParticipantLeft)}
    assert left["Bob"].participant_id == bob.id
    assert left["Alice"].participant_id == alice.id
    assert left["Bob"].left_reason != left["Alice"].left_reason  # kicked vs session ended

    composition_event = received[-1]
    assert isinstance(composition_event, CompositionCompleted)
    assert composition_event.payload.composition_id == composition.id
    assert composition_event.payload.download_url


async def test_emulator_deliveries_verify_with_construct_event(
    emulator: Emulator, serve: Serve
) -> None:
    """The delivery log holds the exact bytes and headers: construct_event accepts them, and
    rejects them under another key or after tampering."""
    emu = emulator
    receiver = WebhookReceiver(public_key=emu.webhook_public_key)
    url = (await serve(receiver.create_app(PATH))).url + PATH
    async with AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client:
        room = await client.rooms.create(webhook_event_url=url)
        token = await client.rooms.generate_join_client_token(room.id)
        await emu.join(room.id, token.token, context="Carol")
        (first, second) = await emu.wait_for_webhooks(2)

    event = construct_event(first.body, first.headers, public_key=emu.webhook_public_key)
    assert isinstance(event, SessionStarted)
    joined = construct_event(second.body, second.headers, public_key=emu.webhook_public_key)
    assert isinstance(joined, ParticipantJoined)
    assert joined.payload.context == "Carol"

    async with Emulator() as other:
        with pytest.raises(WebhookVerificationError) as excinfo:
            construct_event(first.body, first.headers, public_key=other.webhook_public_key)
    assert excinfo.value.reason == VerificationFailure.SIGNATURE_MISMATCH
    with pytest.raises(WebhookVerificationError) as excinfo:
        construct_event(
            first.body.replace(b"session.started", b"session.ended"),
            first.headers,
            public_key=emu.webhook_public_key,
        )
    assert excinfo.value.reason == VerificationFailure.SIGNATURE_MISMATCH
