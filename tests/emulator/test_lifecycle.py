"""Room lifecycle on the emulator: sessions, participants, actions, recordings, compositions."""

from __future__ import annotations

import aiohttp
import pytest

from telnyx_video import AsyncVideoClient, UnprocessableEntityError
from telnyx_video.emulator import Emulator, EmulatorError
from telnyx_video.models import Room


async def _join(emu: Emulator, client: AsyncVideoClient, room: Room, context: str) -> str:
    tokens = await client.rooms.generate_join_client_token(room.id)
    return (await emu.join(room.id, tokens.token, context=context)).id


async def test_sessions_open_and_close(emu: Emulator, client: AsyncVideoClient) -> None:
    room = await client.rooms.create()
    alice = await _join(emu, client, room, "Alice")
    bob = await _join(emu, client, room, "Bob")
    room = await client.rooms.retrieve(room.id)
    assert room.active_session_id is not None
    session = await client.room_sessions.retrieve(room.active_session_id, include_participants=True)
    assert session.active
    assert {p.context for p in session.participants} == {"Alice", "Bob"}
    await emu.leave(alice)
    with pytest.raises(EmulatorError) as info:
        await emu.leave(alice)
    assert info.value.status == 422
    assert (await client.room_sessions.retrieve(session.id)).active
    await emu.advance(7)
    await emu.leave(bob)
    ended = await client.room_sessions.retrieve(session.id)
    assert not ended.active
    assert ended.ended_at == emu.now()
    assert (await client.rooms.retrieve(room.id)).active_session_id is None
    left = await client.room_participants.retrieve(bob)
    assert left.left_at == emu.now()
    # The next join opens a new session.
    await _join(emu, client, room, "Carol")
    sessions = await client.rooms.list_sessions(room.id)
    assert [s.active for s in sessions.items] == [True, False]  # newest first


async def test_max_participants(emu: Emulator, client: AsyncVideoClient) -> None:
    room = await client.rooms.create(max_participants=2)
    first = await _join(emu, client, room, "a")
    await _join(emu, client, room, "b")
    with pytest.raises(EmulatorError) as info:
        await _join(emu, client, room, "c")
    assert (info.value.status, info.value.code) == (403, "10010")
    await emu.leave(first)
    await _join(emu, client, room, "c")


async def test_kick_mute_unmute_end(emu: Emulator, client: AsyncVideoClient) -> None:
    room = await client.rooms.create()
    ids = [await _join(emu, client, room, name) for name in ("a", "b", "c", "d")]
    session_id = (await client.rooms.retrieve(room.id)).active_session_id
    assert session_id is not None
    await client.room_sessions.mute(session_id, participants="all", exclude=[ids[0]])
    await client.room_sessions.unmute(
        session_id, participants=[ids[1], "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0"]
    )
    result = await client.room_sessions.kick(
        session_id,
        participants=[ids[0], ids[1], "7b61621f-62e0-4aad-ab11-9fd19e272e73"],
        exclude=[ids[1]],
    )
    assert result.result == "ok"
    present = await client.room_sessions.list_participants(session_id)
    assert {p.id for p in present.items if p.left_at is None} == set(ids[1:])
    kicked = await client.room_participants.retrieve(ids[0])
    assert kicked.left_at is not None
    await client.room_sessions.end(session_id)
    session = await client.room_sessions.retrieve(session_id, include_participants=True)
    assert not session.active
    assert all(p.left_at is not None for p in session.participants)
    with pytest.raises(UnprocessableEntityError):
        await client.room_sessions.end(session_id)
    with pytest.raises(UnprocessableEntityError):
        await client.room_sessions.kick(session_id, participants="all")


async def test_kicking_everyone_ends_the_session(emu: Emulator, client: AsyncVideoClient) -> None:
    room = await client.rooms.create()
    await _join(emu, client, room, "a")
    session_id = (await client.rooms.retrieve(room.id)).active_session_id
    assert session_id is not None
    await client.room_sessions.kick(session_id, participants="all")
    assert not (await client.room_sessions.retrieve(session_id)).active


async def test_deleting_a_room_ends_its_session(emu: Emulator, client: AsyncVideoClient) -> None:
    room = await client.rooms.create()
    await _join(emu, client, room, "a")
    session_id = (await client.rooms.retrieve(room.id)).active_session_id
    assert session_id is not None
    await client.rooms.delete(room.id)
    session = await client.room_sessions.retrieve(session_id)
    assert not session.active
    assert session.ended_at is not None


async def test_recordings(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    room = await client.rooms.create(enable_recording=True)
    alice = await _join(emu, client, room, "Alice")
    recordings = (await client.room_recordings.list(participant_id=alice)).items
    assert sorted(r.type for r in recordings) == ["audio", "video"]
    assert all(r.status == "processing" and r.started_at == emu.now() for r in recordings)
    await emu.advance(42)
    await emu.leave(alice)
    await emu.advance(4)
    assert all(
        r.status == "processing" and r.ended_at is not None
        for r in (await client.room_recordings.list()).items
    )
    await emu.advance(1)  # the 5 s processing delay is over
    done = {r.type: r for r in (await client.room_recordings.list(status="completed")).items}
    assert done["audio"].codec == "opus"
    assert done["video"].codec in ("vp8", "h264")
    for recording in done.values():
        assert recording.duration_secs == 42
        assert recording.size_mb is not None
        assert recording.size_mb > 0
        assert recording.completed_at == emu.now()
        assert recording.download_url is not None
        async with http.get(recording.download_url) as resp:  # no auth needed
            assert resp.status == 200
            assert len(await resp.read()) > 0
    assert (await client.room_recordings.list(duration_secs=42)).meta.total_results == 2  # type: ignore[union-attr]
    # filter[duration_secs] means "at least": the documented "greater or equal"
    assert (await client.room_recordings.list(duration_secs=41)).meta.total_results == 2  # type: ignore[union-attr]
    assert (await client.room_recordings.list(duration_secs=43)).items == ()
    await client.room_recordings.delete(done["audio"].id)
    assert await client.room_recordings.delete_many(type="video") == 1
    assert (await client.room_recordings.list()).items == ()


async def test_no_recordings_without_enable_recording(
    emu: Emulator, client: AsyncVideoClient
) -> None:
    room = await client.rooms.create()
    await _join(emu, client, room, "a")
    assert (await client.room_recordings.list()).items == ()


async def test_compositions(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    room = await client.rooms.create(enable_recording=True)
    alice = await _join(emu, client, room, "Alice")
    session_id = (await client.rooms.retrieve(room.id)).active_session_id
    assert session_id is not None
    with pytest.raises(UnprocessableEntityError):  # the session is still active
        await client.room_compositions.create(session_id=session_id)
    with pytest.raises(UnprocessableEntityError):  # no such session
        await client.room_compositions.create(session_id="7b61621f-62e0-4aad-ab11-9fd19e272e73")
    await emu.advance(84)
    await emu.leave(alice)
    composition = await client.room_compositions.create(session_id=session_id)
    assert composition.status == "enqueued"
    await emu.advance(1)
    assert (await client.room_compositions.retrieve(composition.id)).status == "processing"
    assert (await client.room_compositions.list(status="processing")).meta.total_results == 1  # type: ignore[union-attr]
    await emu.advance(10)
    done = await client.room_compositions.retrieve(composition.id)
    assert done.status == "completed"
    assert done.duration_secs == 84
    assert done.completed_at == emu.now()
    assert done.format == "mp4"
    assert done.resolution == "1280x720"
    assert done.download_url is not None
    async with http.get(done.download_url) as resp:
        assert resp.status == 200
        assert resp.content_type == "video/mp4"
    await client.room_compositions.delete(composition.id)
    async with http.get(done.download_url) as resp:
        assert resp.status == 404
