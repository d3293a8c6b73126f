"""A whole room lifecycle through the client against the emulator, webhooks included.

Only ``await client.<resource>.<method>(...)``, ``await client.<resource>.list(...)`` (first
page) and ``async for`` over list paginators touch the client; the ``emulator`` fixture plays
the participants and moves the clock.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from _receiver import Receiver, verify_signature

from telnyx_video import DateFilter, NotFoundError, UnprocessableEntityError
from telnyx_video.emulator import Emulator


async def test_full_lifecycle(emulator: Emulator, client: Any, receiver: Receiver) -> None:
    room = await client.rooms.create(
        unique_name="weekly-sync",
        max_participants=5,
        enable_recording=True,
        webhook_event_url=receiver.url("/webhooks"),
    )
    assert room.enable_recording
    tokens = await client.rooms.generate_join_client_token(room.id)
    alice = await emulator.join(room.id, tokens.token, context="Alice")
    bob = await emulator.join(room.id, tokens.token, context="Bob")
    assert alice.session_id == bob.session_id
    session_id = alice.session_id

    room = await client.rooms.retrieve(room.id, include_sessions=True)
    assert room.active_session_id == session_id
    session = await client.room_sessions.retrieve(session_id, include_participants=True)
    assert session.active
    assert sorted(p.context for p in session.participants) == ["Alice", "Bob"]
    active = [s.id async for s in client.room_sessions.list(active=True, room_id=room.id)]
    assert active == [session_id]

    assert (await client.room_sessions.mute(session_id, participants="all")).result == "ok"
    await client.room_sessions.unmute(session_id, participants=[alice.id])
    await emulator.advance(60)
    await client.room_sessions.kick(session_id, participants=[bob.id])
    kicked = await client.room_participants.retrieve(bob.id)
    assert kicked.left_at is not None
    await emulator.advance(60)
    await emulator.leave(alice.id)

    session = await client.room_sessions.retrieve(session_id)
    assert not session.active
    assert session.ended_at is not None
    assert (await client.rooms.retrieve(room.id)).active_session_id is None

    recordings = [r async for r in client.room_recordings.list(session_id=session_id)]
    assert len(recordings) == 4
    statuses = {(r.participant_id, r.status) for r in recordings}
    assert statuses == {(bob.id, "completed"), (alice.id, "processing")}  # Bob left earlier
    await emulator.advance(5)
    recordings = [r async for r in client.room_recordings.list(session_id=session_id)]
    assert all(r.status == "completed" and r.download_url for r in recordings)
    durations = {(r.participant_id, r.type): r.duration_secs for r in recordings}
    assert durations[(alice.id, "audio")] == 120
    assert durations[(bob.id, "video")] == 60
    assert {r.codec for r in recordings if r.type == "audio"} == {"opus"}

    composition = await client.room_compositions.create(
        session_id=session_id, webhook_event_url=receiver.url("/webhooks")
    )
    assert composition.status == "enqueued"
    await emulator.advance(30)
    composition = await client.room_compositions.retrieve(composition.id)
    assert composition.status == "completed"
    assert composition.duration_secs == 120
    assert composition.download_url

    events = await receiver.wait(15)
    types = [e["data"]["event_type"] for e in events]
    assert types[:2] == ["video.room.session.started", "video.room.participant.joined"]
    assert types.count("video.room.recording.started") == 4
    assert types.count("video.room.participant.left") == 2
    assert types.count("video.room.recording.completed") == 4
    assert types.index("video.room.session.ended") > max(
        i for i, t in enumerate(types) if t == "video.room.participant.left"
    )
    assert types[-1] == "video.room.composition.completed"
    left = [e["data"]["payload"] for e in events if e["data"]["event_type"].endswith(".left")]
    assert [p["left_reason"] for p in left] == ["kicked", "left"]
    stamps = [e["data"]["occurred_at"] for e in events]
    assert stamps == sorted(stamps)
    for _, headers, body in receiver.received:
        verify_signature(emulator.webhook_public_key, headers, body)


async def test_every_resource_crud_and_filters(emulator: Emulator, client: Any) -> None:
    room = await client.rooms.create(unique_name="crud", enable_recording=True)
    updated = await client.rooms.update(room.id, max_participants=3, unique_name="crud-2")
    assert (updated.max_participants, updated.unique_name) == (3, "crud-2")
    with pytest.raises(UnprocessableEntityError):
        await client.rooms.create(unique_name="crud-2")
    found = [r.id async for r in client.rooms.list(unique_name="crud-2")]
    assert found == [room.id]
    today = date(2026, 1, 5)
    assert [r.id async for r in client.rooms.list(date_created_at=today)] == [room.id]
    assert [
        r.id async for r in client.rooms.list(date_created_at=DateFilter(gte="2026-01-06"))
    ] == []
    first_page = await client.rooms.list(page_size=1)
    assert first_page.meta.total_results == 1

    tokens = await client.rooms.generate_join_client_token(room.id, token_ttl_secs=60)
    refreshed = await client.rooms.refresh_client_token(room.id, refresh_token=tokens.refresh_token)
    participant = await emulator.join(room.id, refreshed.token, context="Zoe")
    assert (await client.room_participants.retrieve(participant.id)).context == "Zoe"
    assert [p.id async for p in client.room_participants.list(context="Zoe")] == [participant.id]
    sessions = [s.id async for s in client.rooms.list_sessions(room.id, active=True)]
    assert sessions == [participant.session_id]
    members = client.room_sessions.list_participants(participant.session_id, context="Zoe")
    assert [p.id async for p in members] == [participant.id]
    assert (await client.room_sessions.end(participant.session_id)).result == "ok"
    assert [s.id async for s in client.room_sessions.list(active=False)] == sessions

    await emulator.advance(5)
    recordings = await client.room_recordings.list(participant_id=participant.id)
    assert len(recordings.items) == 2
    audio = [r async for r in client.room_recordings.list(type="audio", status="completed")]
    assert (await client.room_recordings.retrieve(audio[0].id)).type == "audio"
    await client.room_recordings.delete(audio[0].id)
    with pytest.raises(NotFoundError):
        await client.room_recordings.retrieve(audio[0].id)
    assert await client.room_recordings.delete_many(session_id=participant.session_id) == 1

    composition = await client.room_compositions.create(session_id=participant.session_id)
    listed = [c.id async for c in client.room_compositions.list(session_id=participant.session_id)]
    assert listed == [composition.id]
    assert [c.id async for c in client.room_compositions.list(status="enqueued")] == listed
    await client.room_compositions.delete(composition.id)
    with pytest.raises(NotFoundError):
        await client.room_compositions.retrieve(composition.id)

    await client.rooms.delete(room.id)
    with pytest.raises(NotFoundError):
        await client.rooms.retrieve(room.id)
    assert [r async for r in client.rooms.list()] == []
