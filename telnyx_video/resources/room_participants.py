"""``client.room_participants``: who joined which session, and when."""

from __future__ import annotations

from telnyx_video._operations import operation
from telnyx_video._query import encode_id, filter_params
from telnyx_video.models import RoomParticipant
from telnyx_video.pagination import AsyncPaginator
from telnyx_video.resources._base import AsyncResource
from telnyx_video.types import NOT_GIVEN, DateArg, NotGiven

__all__ = ["AsyncRoomParticipants"]


class AsyncRoomParticipants(AsyncResource):
    """Inspect participants: who joined which session, and when.

    Its operations are under ``/room_participants``.
    """

    __slots__ = ()

    @operation("ListRoomParticipants")
    def list(
        self,
        *,
        session_id: str | None = None,
        context: str | None = None,
        date_joined_at: DateArg | None = None,
        date_left_at: DateArg | None = None,
        date_updated_at: DateArg | None = None,
        page_size: int | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[RoomParticipant]:
        """List participants across sessions, optionally filtered.

        Args:
            session_id: only participants of this session.
            context: only participants who joined with this context.
            date_joined_at: only participants who joined on this day, or in this range.
            date_left_at: only participants who left on this day, or in this range.
            date_updated_at: only participants updated on this day, or in this range.
        """
        query = filter_params(
            session_id=session_id,
            context=context,
            date_joined_at=date_joined_at,
            date_left_at=date_left_at,
            date_updated_at=date_updated_at,
        )
        return self._paginate(
            RoomParticipant,
            "/room_participants",
            query,
            page_size=page_size,
            timeout=timeout,
            max_retries=max_retries,
        )

    @operation("ViewRoomParticipant")
    async def retrieve(
        self,
        room_participant_id: str,
        *,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> RoomParticipant:
        """Fetch one participant by id.

        Args:
            room_participant_id: the participant's id.
        """
        path = f"/room_participants/{encode_id(room_participant_id, 'room_participant_id')}"
        return await self._data(
            RoomParticipant, "GET", path, timeout=timeout, max_retries=max_retries
        )
