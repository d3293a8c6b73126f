"""``client.rooms``: create and manage video rooms and their join tokens."""

from __future__ import annotations

import logging
from typing import Any

from telnyx_video._operations import operation
from telnyx_video._query import encode_id, filter_params
from telnyx_video._retry import is_ambiguous
from telnyx_video.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    ErrorCode,
    TelnyxVideoError,
    UnprocessableEntityError,
    parse_error_details,
)
from telnyx_video.models import (
    MAX_PAGE_SIZE,
    JoinClientToken,
    RefreshedClientToken,
    Room,
    RoomSession,
)
from telnyx_video.pagination import AsyncPaginator
from telnyx_video.resources._base import AsyncResource, body_of, given, model_parser
from telnyx_video.types import NOT_GIVEN, DateArg, NotGiven

__all__ = ["AsyncRooms"]

logger = logging.getLogger("telnyx_video")


def _check_name(unique_name: object) -> None:
    """Refuse an empty or blank ``unique_name`` before anything is sent."""
    if isinstance(unique_name, str) and not unique_name.strip():
        raise ValueError(
            f"unique_name must not be empty or blank, got {unique_name!r} (pass None to "
            "create a room without a name)"
        )


def _name_taken(
    unique_name: str, sent: dict[str, Any], different: dict[str, Any]
) -> UnprocessableEntityError:
    """The 422 the API answers a create whose name is taken, naming the settings that differ."""
    settings = ", ".join(
        f"{name} is {value!r}, not {sent[name]!r}" for name, value in different.items()
    )
    code = ErrorCode.DUPLICATE_RESOURCE
    body = {
        "errors": [
            {
                "code": code.value,
                "title": code.catalog_title,
                "detail": f"A room named {unique_name!r} already exists, with other settings "
                f"than those sent ({settings}).",
                "source": {"pointer": "/unique_name"},
            }
        ]
    }
    return UnprocessableEntityError(
        status=422,
        errors=parse_error_details(body),
        body=body,
        method="POST",
        url="/rooms",
    )


class AsyncRooms(AsyncResource):
    """Create and manage rooms and their join tokens.

    Its operations are under ``/rooms``.
    """

    __slots__ = ()

    @operation("ListRooms")
    def list(
        self,
        *,
        unique_name: str | None = None,
        date_created_at: DateArg | None = None,
        date_updated_at: DateArg | None = None,
        include_sessions: bool | None = None,
        page_size: int | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[Room]:
        """List rooms, newest first, optionally filtered by name or date.

        Args:
            unique_name: only the room with this name.
            date_created_at: only rooms created on this day, or in this range.
            date_updated_at: only rooms updated on this day, or in this range.
            include_sessions: embed each room's sessions.
        """
        query = filter_params(
            unique_name=unique_name,
            date_created_at=date_created_at,
            date_updated_at=date_updated_at,
        )
        if include_sessions is not None:
            query.append(("include_sessions", include_sessions))
        return self._paginate(
            Room,
            "/rooms",
            query,
            page_size=page_size,
            timeout=timeout,
            max_retries=max_retries,
        )

    @operation("CreateRoom")
    async def create(
        self,
        *,
        unique_name: str | None = None,
        max_participants: int | None = None,
        enable_recording: bool | None = None,
        webhook_event_url: str | None = None,
        webhook_event_failover_url: str | None = None,
        webhook_timeout_secs: int | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Room:
        """Create a room.

        With a ``unique_name``, creation is safe to retry: after an ambiguous failure
        (timeout, 5xx, connection dropped after sending, unreadable answer) the room is
        looked up by name before trying again. A room found with that name is returned
        only if it has every setting passed here; one with other settings is not ours,
        and the call fails as the API would have said it
        ([`UnprocessableEntityError`][telnyx_video.errors.UnprocessableEntityError], code
        10012). Without a name, such failures are raised rather than risk a duplicate room.

        Args:
            unique_name: a name unique in your account.
            max_participants: the most participants at once (2-50, default 10); more are
                refused when they join.
            enable_recording: record each participant's audio and video (default off).
            webhook_event_url: where the room's events are POSTed (a URL with a scheme).
            webhook_event_failover_url: where events go when the first URL fails.
            webhook_timeout_secs: seconds to wait for the webhook URL (0-30).

        Raises:
            ValueError: ``unique_name`` is empty or blank.
        """
        _check_name(unique_name)
        body = given(
            unique_name=unique_name,
            max_participants=max_participants,
            enable_recording=enable_recording,
            webhook_event_url=webhook_event_url,
            webhook_event_failover_url=webhook_event_failover_url,
            webhook_timeout_secs=webhook_timeout_secs,
        )
        if unique_name is None:
            return await self._data(
                Room, "POST", "/rooms", body=body, timeout=timeout, max_retries=max_retries
            )

        async def adopt(failure: TelnyxVideoError) -> Room | None:
            return await self._adopt(unique_name, body, failure, timeout, max_retries)

        # The transport's one retry loop, told to retry ambiguous failures because adopt()
        # looks the room up after each one before another POST is sent.
        return await self._request(
            model_parser(Room),
            "POST",
            "/rooms",
            body=body,
            timeout=timeout,
            max_retries=max_retries,
            retry_ambiguous=True,
            recover=adopt,
        )

    async def _adopt(
        self,
        unique_name: str,
        sent: dict[str, Any],
        failure: TelnyxVideoError,
        timeout: float | None | NotGiven,
        max_retries: int | NotGiven,
    ) -> Room | None:
        """After a failed POST /rooms that may have created the room: find it by name.

        Returns the room if it has every field we sent (ours: the failed attempt created
        it), ``None`` if there is no such room (the transport retries or raises
        ``failure``). A room of that name with other settings is not ours: for an ambiguous
        failure, raise the 422 the API would have answered; otherwise (the API's own 422, an
        unreadable 2xx) raise ``failure``. If the lookup fails too, ``failure`` is raised,
        noting the lookup's error, since the room may or may not exist.
        """
        lookup_error: TelnyxVideoError | None = None
        try:
            room = await self._find_by_name(unique_name, timeout, max_retries)
        except (APIConnectionError, APIStatusError, APIResponseValidationError) as exc:
            lookup_error = exc
        if lookup_error is not None:
            failure.add_note(
                f"looking room {unique_name!r} up by name failed too, so it may or may not "
                f"exist: {lookup_error}"
            )
            raise failure
        if room is None:
            return None
        different = {
            name: getattr(room, name)
            for name, value in sent.items()
            if getattr(room, name) != value
        }
        if not different:
            logger.info(
                "POST /rooms failed (%s) but room %r exists with the settings sent; using it",
                type(failure).__name__,
                unique_name,
                extra={
                    "method": "POST",
                    "path": "/rooms",
                    "status": getattr(failure, "status", None),
                    "request_id": getattr(failure, "request_id", None),
                },
            )
            return room
        if is_ambiguous(failure) and not isinstance(failure, APIResponseValidationError):
            raise _name_taken(unique_name, sent, different) from failure
        raise failure  # the API's own answer (its 422, say), or a 2xx we could not read

    async def _find_by_name(
        self, unique_name: str, timeout: float | None | NotGiven, max_retries: int | NotGiven
    ) -> Room | None:
        """The room named exactly ``unique_name``, if any (the filter may match loosely)."""
        rooms = self.list(
            unique_name=unique_name,
            page_size=MAX_PAGE_SIZE,
            timeout=timeout,
            max_retries=max_retries,
        )
        async for room in rooms:
            if room.unique_name == unique_name:
                return room
        return None

    @operation("ViewRoom")
    async def retrieve(
        self,
        room_id: str,
        *,
        include_sessions: bool | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Room:
        """Fetch one room by id.

        Args:
            room_id: the room's id.
            include_sessions: embed the room's sessions.
        """
        query = [("include_sessions", include_sessions)] if include_sessions is not None else None
        return await self._data(
            Room,
            "GET",
            f"/rooms/{encode_id(room_id, 'room_id')}",
            query=query,
            timeout=timeout,
            max_retries=max_retries,
        )

    @operation("UpdateRoom")
    async def update(
        self,
        room_id: str,
        *,
        unique_name: str | None | NotGiven = NOT_GIVEN,
        max_participants: int | NotGiven = NOT_GIVEN,
        enable_recording: bool | NotGiven = NOT_GIVEN,
        webhook_event_url: str | None | NotGiven = NOT_GIVEN,
        webhook_event_failover_url: str | None | NotGiven = NOT_GIVEN,
        webhook_timeout_secs: int | None | NotGiven = NOT_GIVEN,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Room:
        """Change a room's settings. Only the arguments you pass are sent; ``None`` clears.

        Args:
            room_id: the room's id.
            unique_name: the room's new name, unique in your account.
            max_participants: the new limit of participants at once (2-50).
            enable_recording: whether to record participants who join from now on.
            webhook_event_url: the new URL the room's events are POSTed to.
            webhook_event_failover_url: the new URL used when the first one fails.
            webhook_timeout_secs: the new number of seconds to wait for the webhook URL (0-30).

        Raises:
            ValueError: ``unique_name`` is empty or blank.
        """
        _check_name(unique_name)
        body = body_of(
            unique_name=unique_name,
            max_participants=max_participants,
            enable_recording=enable_recording,
            webhook_event_url=webhook_event_url,
            webhook_event_failover_url=webhook_event_failover_url,
            webhook_timeout_secs=webhook_timeout_secs,
        )
        return await self._data(
            Room,
            "PATCH",
            f"/rooms/{encode_id(room_id, 'room_id')}",
            body=body,
            timeout=timeout,
            max_retries=max_retries,
        )

    @operation("DeleteRoom")
    async def delete(
        self,
        room_id: str,
        *,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> None:
        """Delete a room; its participants are kicked and its active session ends.

        Args:
            room_id: the room's id.
        """
        await self._delete(
            f"/rooms/{encode_id(room_id, 'room_id')}", timeout=timeout, max_retries=max_retries
        )

    @operation("RetrieveListRoomSessions")
    def list_sessions(
        self,
        room_id: str,
        *,
        active: bool | None = None,
        date_created_at: DateArg | None = None,
        date_updated_at: DateArg | None = None,
        date_ended_at: DateArg | None = None,
        include_participants: bool | None = None,
        page_size: int | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[RoomSession]:
        """List the sessions of one room, optionally filtered.

        Args:
            room_id: the room's id.
            active: only sessions that are (or, with ``False``, are not) active.
            date_created_at: only sessions created on this day, or in this range.
            date_updated_at: only sessions updated on this day, or in this range.
            date_ended_at: only sessions ended on this day, or in this range.
            include_participants: embed each session's participants.
        """
        path = f"/rooms/{encode_id(room_id, 'room_id')}/sessions"
        query = filter_params(
            active=active,
            date_created_at=date_created_at,
            date_updated_at=date_updated_at,
            date_ended_at=date_ended_at,
        )
        if include_participants is not None:
            query.append(("include_participants", include_participants))
        return self._paginate(
            RoomSession,
            path,
            query,
            page_size=page_size,
            timeout=timeout,
            max_retries=max_retries,
        )

    @operation("CreateRoomClientToken")
    async def generate_join_client_token(
        self,
        room_id: str,
        *,
        token_ttl_secs: int | None = None,
        refresh_token_ttl_secs: int | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> JoinClientToken:
        """Create a client token (10-3600 s, default 600) to join the room.

        A refresh token (60-86400 s, default 3600) comes with it, for
        [`refresh_client_token()`][..refresh_client_token].

        Args:
            room_id: the room's id.
            token_ttl_secs: the token's lifetime in seconds (10-3600, default 600).
            refresh_token_ttl_secs: the refresh token's lifetime in seconds (60-86400, default
                3600).
        """
        body = given(token_ttl_secs=token_ttl_secs, refresh_token_ttl_secs=refresh_token_ttl_secs)
        return await self._data(
            JoinClientToken,
            "POST",
            f"/rooms/{encode_id(room_id, 'room_id')}/actions/generate_join_client_token",
            body=body,
            timeout=timeout,
            max_retries=max_retries,
        )

    @operation("RefreshRoomClientToken")
    async def refresh_client_token(
        self,
        room_id: str,
        *,
        refresh_token: str,
        token_ttl_secs: int | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> RefreshedClientToken:
        """Get a new client token for the room from a refresh token.

        Args:
            room_id: the room's id.
            refresh_token: the refresh token that came with a join token.
            token_ttl_secs: the new token's lifetime in seconds (10-3600, default 600).

        Raises:
            ValueError: ``refresh_token`` is empty or not a string.
        """
        if not isinstance(refresh_token, str) or not refresh_token:
            raise ValueError("refresh_token must be a non-empty string")
        body = given(refresh_token=refresh_token, token_ttl_secs=token_ttl_secs)
        return await self._data(
            RefreshedClientToken,
            "POST",
            f"/rooms/{encode_id(room_id, 'room_id')}/actions/refresh_client_token",
            body=body,
            timeout=timeout,
            max_retries=max_retries,
        )
