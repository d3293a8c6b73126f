"""The API resources, one module each."""

from telnyx_video.resources.room_compositions import AsyncRoomCompositions
from telnyx_video.resources.room_participants import AsyncRoomParticipants
from telnyx_video.resources.room_recordings import AsyncRoomRecordings
from telnyx_video.resources.room_sessions import AsyncRoomSessions
from telnyx_video.resources.rooms import AsyncRooms

__all__ = [
    "AsyncRoomCompositions",
    "AsyncRoomParticipants",
    "AsyncRoomRecordings",
    "AsyncRoomSessions",
    "AsyncRooms",
]
