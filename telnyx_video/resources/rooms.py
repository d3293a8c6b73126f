"""``client.rooms``: create and manage video rooms and their join tokens."""

from __future__ import annotations

import asyncio
import logging

from telnyx_video._query import encode_id, filter_params
from telnyx_video.errors import (
    APIConnectionError,
    APIStatusError,
    ErrorCode,
    RateLimitError,
    UnprocessableEntityError,
)
from telnyx_video.models import JoinClientToken, RefreshedClientToken, Room, RoomSession
from telnyx_video.pagination import AsyncPaginator
from telnyx_video.resources._base import AsyncResource, body_of, given
from telnyx_video.types import NOT_GIVEN, DateArg, NotGiven

__all__ = ["AsyncRooms"]

logger = logging.getLogger("telnyx_video")


def _is_ambiguous(exc: Exception) -> bool:
    """Whether a failed create may nevertheless have created the room."""
    if isinstance(exc, APIConnectionError):
        return exc.maybe_sent
    return isinstance(exc, APIStatusError) and (exc.status >= 500 or exc.status == 408)


class AsyncRooms(AsyncResource):
    """Rooms: ``/rooms``."""

    __slots__ = ()

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

        ``include_sessions=True`` embeds each room's sessions.
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
        (timeout, 5xx, connection dropped after sending) the room is looked up by name
        before trying again, so exactly one room exists and is returned. Without a name,
        such failures are raised rather than risk a duplicate room.
        """
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
        # One retry loop, here: the transport makes single attempts (max_retries=0), so
        # max_retries bounds the POSTs sent, whatever mix of failures happens.
        budget = self._transport.max_retries if isinstance(max_retries, NotGiven) else max_retries
        policy = self._transport.retry_policy
        attempt = 0
        ambiguous: APIStatusError | APIConnectionError | None = None
        while True:
            try:
                return await self._data(
                    Room, "POST", "/rooms", body=body, timeout=timeout, max_retries=0
                )
            except UnprocessableEntityError as exc:
                # A retry of a create whose first try did go through: the name is now taken.
                if ambiguous is None or exc.code != ErrorCode.DUPLICATE_RESOURCE:
                    raise
                existing = await self._lookup_after(ambiguous, unique_name, timeout, max_retries)
                if existing is None:
                    raise
                return existing
            except (APIStatusError, APIConnectionError) as exc:
                delay: float | None
                if _is_ambiguous(exc):
                    ambiguous = exc
                    # The room may exist now, even after the last allowed attempt: look first.
                    existing = await self._lookup_after(exc, unique_name, timeout, max_retries)
                    if existing is not None:
                        logger.info(
                            "POST /rooms failed ambiguously (%s) but room %r exists; using it",
                            type(exc).__name__,
                            unique_name,
                            extra={"method": "POST", "path": "/rooms", "attempt": attempt + 1},
                        )
                        return existing
                    delay = policy.backoff(attempt)
                elif isinstance(exc, RateLimitError):
                    delay = policy.delay(attempt, exc.retry_after)
                elif isinstance(exc, APIConnectionError):  # never reached the server
                    delay = policy.backoff(attempt)
                else:
                    raise
                if delay is None or attempt >= budget:
                    raise
                logger.info(
                    "POST /rooms for %r failed (%s); retrying in %.3f s",
                    unique_name,
                    type(exc).__name__,
                    delay,
                    extra={
                        "method": "POST",
                        "path": "/rooms",
                        "attempt": attempt + 1,
                        "retry_delay": delay,
                        "reason": type(exc).__name__,
                    },
                )
                attempt += 1
                await asyncio.sleep(delay)

    async def _lookup_after(
        self,
        failure: APIStatusError | APIConnectionError,
        unique_name: str,
        timeout: float | None | NotGiven,
        max_retries: int | NotGiven,
    ) -> Room | None:
        """Look the room up after an ambiguous failure.

        If the lookup fails too, the ambiguous failure is what the caller must hear about
        (the room may exist), so it is raised, with the lookup's error noted on it.
        """
        try:
            return await self._find_by_name(unique_name, timeout, max_retries)
        except (APIStatusError, APIConnectionError) as lookup_error:
            failure.add_note(
                f"looking room {unique_name!r} up by name failed too, so it may or may not "
                f"exist: {lookup_error}"
            )
            raise failure from None

    async def _find_by_name(
        self, unique_name: str, timeout: float | None | NotGiven, max_retries: int | NotGiven
    ) -> Room | None:
        """The room named exactly ``unique_name``, if any (the filter may match loosely)."""
        rooms = self.list(
            unique_name=unique_name, page_size=50, timeout=timeout, max_retries=max_retries
        )
        async for room in rooms:
            if room.unique_name == unique_name:
                return room
        return None

    async def retrieve(
        self,
        room_id: str,
        *,
        include_sessions: bool | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Room:
        """Fetch one room by id."""
        query = [("include_sessions", include_sessions)] if include_sessions is not None else None
        return await self._data(
            Room,
            "GET",
            f"/rooms/{encode_id(room_id, 'room_id')}",
            query=query,
            timeout=timeout,
            max_retries=max_retries,
        )

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
        """Change a room's settings. Only the arguments you pass are sent; ``None`` clears."""
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

    async def delete(
        self,
        room_id: str,
        *,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> None:
        """Delete a room; its participants are kicked and its active session ends."""
        await self._call(
            "DELETE",
            f"/rooms/{encode_id(room_id, 'room_id')}",
            timeout=timeout,
            max_retries=max_retries,
        )

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
        """List the sessions of one room."""
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

    async def refresh_client_token(
        self,
        room_id: str,
        *,
        refresh_token: str,
        token_ttl_secs: int | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> RefreshedClientToken:
        """Get a new client token for the room from a refresh token."""
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
