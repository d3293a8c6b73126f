"""``client.room_sessions``: inspect sessions and act on their participants."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telnyx_video._operations import operation
from telnyx_video._query import encode_id, filter_params
from telnyx_video.models import ActionResult, RoomParticipant, RoomSession
from telnyx_video.pagination import AsyncPaginator
from telnyx_video.resources._base import AsyncResource
from telnyx_video.types import NOT_GIVEN, DateArg, NotGiven, Participants

__all__ = ["AsyncRoomSessions"]


def _ids(value: Any, name: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a sequence of participant ids, got {value!r:.60}")
    ids = list(value)
    for item in ids:
        if not isinstance(item, str) or not item:
            raise TypeError(f"{name} must hold non-empty id strings, got {item!r:.60}")
    return ids


def participants_body(participants: Participants, exclude: Sequence[str] | None) -> dict[str, Any]:
    """The body of kick/mute/unmute: ``"all"`` or a list of ids, and ``exclude``."""
    body: dict[str, Any] = {
        "participants": "all" if participants == "all" else _ids(participants, "participants")
    }
    if exclude is not None:
        body["exclude"] = _ids(exclude, "exclude")
    return body


class AsyncRoomSessions(AsyncResource):
    """Inspect sessions and kick, mute or unmute their participants.

    Its operations are under ``/room_sessions``.
    """

    __slots__ = ()

    @operation("ListRoomSessions")
    def list(
        self,
        *,
        room_id: str | None = None,
        active: bool | None = None,
        date_created_at: DateArg | None = None,
        date_updated_at: DateArg | None = None,
        date_ended_at: DateArg | None = None,
        include_participants: bool | None = None,
        page_size: int | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[RoomSession]:
        """List room sessions across rooms, optionally filtered.

        Args:
            room_id: only sessions of this room.
            active: only sessions that are (or, with ``False``, are not) active.
            date_created_at: only sessions created on this day, or in this range.
            date_updated_at: only sessions updated on this day, or in this range.
            date_ended_at: only sessions ended on this day, or in this range.
            include_participants: embed each session's participants.
        """
        query = filter_params(
            room_id=room_id,
            active=active,
            date_created_at=date_created_at,
            date_updated_at=date_updated_at,
            date_ended_at=date_ended_at,
        )
        if include_participants is not None:
            query.append(("include_participants", include_participants))
        return self._paginate(
            RoomSession,
            "/room_sessions",
            query,
            page_size=page_size,
            timeout=timeout,
            max_retries=max_retries,
        )

    @operation("ViewRoomSession")
    async def retrieve(
        self,
        room_session_id: str,
        *,
        include_participants: bool | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> RoomSession:
        """Fetch one room session by id.

        Args:
            room_session_id: the session's id.
            include_participants: embed the session's participants.
        """
        query = (
            [("include_participants", include_participants)]
            if include_participants is not None
            else None
        )
        return await self._data(
            RoomSession,
            "GET",
            f"/room_sessions/{encode_id(room_session_id, 'room_session_id')}",
            query=query,
            timeout=timeout,
            max_retries=max_retries,
        )

    @operation("RetrieveListRoomParticipants")
    def list_participants(
        self,
        room_session_id: str,
        *,
        context: str | None = None,
        date_joined_at: DateArg | None = None,
        date_left_at: DateArg | None = None,
        date_updated_at: DateArg | None = None,
        page_size: int | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[RoomParticipant]:
        """List the participants of one session, optionally filtered.

        Args:
            room_session_id: the session's id.
            context: only participants who joined with this context.
            date_joined_at: only participants who joined on this day, or in this range.
            date_left_at: only participants who left on this day, or in this range.
            date_updated_at: only participants updated on this day, or in this range.
        """
        path = f"/room_sessions/{encode_id(room_session_id, 'room_session_id')}/participants"
        query = filter_params(
            context=context,
            date_joined_at=date_joined_at,
            date_left_at=date_left_at,
            date_updated_at=date_updated_at,
        )
        return self._paginate(
            RoomParticipant,
            path,
            query,
            page_size=page_size,
            timeout=timeout,
            max_retries=max_retries,
        )

    async def _action(
        self,
        room_session_id: str,
        action: str,
        body: dict[str, Any] | None,
        timeout: float | None | NotGiven,
        max_retries: int | NotGiven,
    ) -> ActionResult:
        path = f"/room_sessions/{encode_id(room_session_id, 'room_session_id')}/actions/{action}"
        return await self._data(
            ActionResult, "POST", path, body=body, timeout=timeout, max_retries=max_retries
        )

    @operation("EndSession")
    async def end(
        self,
        room_session_id: str,
        *,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> ActionResult:
        """End a session; everyone still in it is kicked.

        Args:
            room_session_id: the session's id.
        """
        # The operation takes no request body: none is sent, nor a Content-Type.
        return await self._action(room_session_id, "end", None, timeout, max_retries)

    @operation("KickParticipantInSession")
    async def kick(
        self,
        room_session_id: str,
        *,
        participants: Participants,
        exclude: Sequence[str] | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> ActionResult:
        """Kick ``"all"`` or the listed participants, except those in ``exclude``.

        Args:
            room_session_id: the session's id.
            participants: ``"all"``, or the ids of the participants to kick.
            exclude: ids of participants to leave out.
        """
        body = participants_body(participants, exclude)
        return await self._action(room_session_id, "kick", body, timeout, max_retries)

    @operation("MuteParticipantInSession")
    async def mute(
        self,
        room_session_id: str,
        *,
        participants: Participants,
        exclude: Sequence[str] | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> ActionResult:
        """Mute ``"all"`` or the listed participants, except those in ``exclude``.

        Args:
            room_session_id: the session's id.
            participants: ``"all"``, or the ids of the participants to mute.
            exclude: ids of participants to leave out.
        """
        body = participants_body(participants, exclude)
        return await self._action(room_session_id, "mute", body, timeout, max_retries)

    @operation("UnmuteParticipantInSession")
    async def unmute(
        self,
        room_session_id: str,
        *,
        participants: Participants,
        exclude: Sequence[str] | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> ActionResult:
        """Unmute ``"all"`` or the listed participants, except those in ``exclude``.

        Args:
            room_session_id: the session's id.
            participants: ``"all"``, or the ids of the participants to unmute.
            exclude: ids of participants to leave out.
        """
        body = participants_body(participants, exclude)
        return await self._action(room_session_id, "unmute", body, timeout, max_retries)
