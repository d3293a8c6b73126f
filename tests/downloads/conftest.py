"""Fixtures of the download tests: completed recordings and a composition on the emulator."""

from __future__ import annotations

import attrs
import pytest

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import EmulatorThread
from telnyx_video.models import RoomComposition, RoomRecording


@attrs.frozen
class Media:
    """One session's completed recordings (audio and video of one participant) and its
    completed composition."""

    recordings: tuple[RoomRecording, ...]
    composition: RoomComposition

    def recording(self, kind: str) -> RoomRecording:
        return next(r for r in self.recordings if r.type == kind)


@pytest.fixture
async def media(telnyx_emulator: EmulatorThread, telnyx_client: AsyncVideoClient) -> Media:
    """A participant talks for 8 s; the recordings and a composition complete. (The
    emulator runs on its own thread: its blocking methods are the ones to call here.)"""
    emulator = telnyx_emulator
    client = telnyx_client
    room = await client.rooms.create(enable_recording=True)
    token = await client.rooms.generate_join_client_token(room.id)
    participant = emulator.join(room.id, token.token)
    emulator.advance(8)
    emulator.leave(participant.id)
    composition = await client.room_compositions.create(session_id=participant.session_id)
    emulator.advance(60)  # recordings and the composition are done
    recordings = [r async for r in client.room_recordings.list(session_id=participant.session_id)]
    assert {r.status for r in recordings} == {"completed"}
    return Media(tuple(recordings), await client.room_compositions.retrieve(composition.id))
