"""``AsyncVideoClient``: the entry point of the async API."""

from __future__ import annotations

import os
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from telnyx_video._retry import RetryPolicy, check_max_retries, check_timeout
from telnyx_video._transport import (
    DEFAULT_BASE_URL,
    Transport,
    check_base_url,
)
from telnyx_video.errors import ConfigurationError
from telnyx_video.types import DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT, TraceConfigs

if TYPE_CHECKING:
    import aiohttp

from telnyx_video.resources import (
    AsyncRoomCompositions,
    AsyncRoomParticipants,
    AsyncRoomRecordings,
    AsyncRooms,
    AsyncRoomSessions,
)

__all__ = ["AsyncVideoClient"]


def _is_control(char: str) -> bool:
    """A control character (Unicode category Cc: C0, DEL, C1): never part of a key."""
    return char < " " or "\x7f" <= char <= "\x9f"


def _check_api_key(key: object) -> str:
    """The API key, stripped; refused without quoting it (it is a secret)."""
    if key is not None and not isinstance(key, str):
        raise ConfigurationError(f"api_key must be a str, got {type(key).__name__}")
    if not key or not key.strip():
        raise ConfigurationError(
            "no API key: pass api_key=... or set the TELNYX_API_KEY environment variable"
        )
    key = key.strip()
    where = next((i for i, char in enumerate(key) if _is_control(char)), None)
    if where is not None:
        # A header cannot carry it (aiohttp would refuse every call, untyped, with the key
        # in its frames); say where it is, never what the key is.
        raise ConfigurationError(
            f"api_key has a control character at index {where} (a stray newline or NUL "
            "from where it was pasted or read?)"
        )
    return key


def _check_trace_configs(trace_configs: object, session: object) -> None:
    if session is not None:
        raise ConfigurationError(
            "trace_configs applies to the client's own session; pass them to the "
            "aiohttp.ClientSession you supply instead"
        )
    # Checked by shape: the real class would mean importing aiohttp now.
    if (
        not isinstance(trace_configs, Sequence)
        or isinstance(trace_configs, str | bytes)
        or not all(callable(getattr(i, "trace_config_ctx", None)) for i in trace_configs)
    ):
        raise ConfigurationError(
            f"trace_configs must be a sequence of aiohttp.TraceConfig, got {trace_configs!r:.80}"
        )


class AsyncVideoClient:
    """Async client of the Telnyx Video Rooms API.

    Use it as an async context manager (or call [`close()`][telnyx_video.AsyncVideoClient.close]):

        async with AsyncVideoClient() as client:
            room = await client.rooms.create(unique_name="standup")

    Args:
        api_key: the Telnyx API key; defaults to the ``TELNYX_API_KEY`` environment variable.
        base_url: defaults to ``TELNYX_BASE_URL``, then ``https://api.telnyx.com/v2``. Plain
            ``http`` is refused unless the host is loopback or ``allow_insecure_http=True``.
        timeout: seconds for each attempt of a request (``None``: no limit).
        max_retries: retries after the first attempt, for failures that are safe to retry.
        session: an ``aiohttp.ClientSession`` to use; it is never closed by the client (and
            keeps aiohttp's own one-time resend of GET/DELETE on a dropped connection, which
            the client's own session turns off so that ``max_retries`` is exact).
        retry_policy: backoff settings (see [`RetryPolicy`][telnyx_video.RetryPolicy]).
        user_agent: a product token prepended to the SDK's own User-Agent.
        allow_insecure_http: allow a plain-http base URL to a non-loopback host.
        max_response_size: the largest response body accepted, in bytes after decompression
            (default 16 MiB); a larger one raises
            [`APIResponseTooLargeError`][telnyx_video.errors.APIResponseTooLargeError].
        trace_configs: ``aiohttp.TraceConfig`` objects for the client's own session, for
            example OpenTelemetry's (see the tracing guide); with ``session``, configure
            tracing on that session instead.

    Raises:
        ConfigurationError: no API key, a key that cannot be sent, a bad base URL or option.
    """

    __slots__ = (
        "_transport",
        "room_compositions",
        "room_participants",
        "room_recordings",
        "room_sessions",
        "rooms",
    )

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        session: aiohttp.ClientSession | None = None,
        retry_policy: RetryPolicy | None = None,
        user_agent: str | None = None,
        allow_insecure_http: bool = False,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        trace_configs: TraceConfigs | None = None,
    ) -> None:
        key = _check_api_key(api_key if api_key is not None else os.environ.get("TELNYX_API_KEY"))
        check_max_retries(max_retries, ConfigurationError)
        if (
            isinstance(max_response_size, bool)
            or not isinstance(max_response_size, int)
            or max_response_size < 1
        ):
            raise ConfigurationError(
                f"max_response_size must be a number of bytes >= 1, got {max_response_size!r}"
            )
        if trace_configs is not None:
            _check_trace_configs(trace_configs, session)
        timeout = check_timeout(timeout, ConfigurationError)
        url = check_base_url(
            base_url or os.environ.get("TELNYX_BASE_URL") or DEFAULT_BASE_URL,
            allow_insecure_http=allow_insecure_http,
        )
        self._transport = Transport(
            api_key=key,
            base_url=url,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy or RetryPolicy(),
            session=session,
            user_agent=user_agent,
            max_response_size=max_response_size,
            trace_configs=trace_configs,
            allow_insecure_http=allow_insecure_http,
        )
        self.rooms: AsyncRooms = AsyncRooms(self._transport)
        """Rooms: create, list, retrieve, update, delete, sessions, join tokens."""
        self.room_sessions: AsyncRoomSessions = AsyncRoomSessions(self._transport)
        """Room sessions: list, retrieve, participants, end, kick, mute, unmute."""
        self.room_participants: AsyncRoomParticipants = AsyncRoomParticipants(self._transport)
        """Room participants: list, retrieve."""
        self.room_recordings: AsyncRoomRecordings = AsyncRoomRecordings(self._transport)
        """Room recordings: list, retrieve, delete, delete_many."""
        self.room_compositions: AsyncRoomCompositions = AsyncRoomCompositions(self._transport)
        """Room compositions: list, create, retrieve, delete."""

    @property
    def base_url(self) -> str:
        """The API root this client talks to."""
        return str(self._transport.base_url)

    @property
    def closed(self) -> bool:
        """Whether the client was closed."""
        return self._transport.closed

    def __repr__(self) -> str:
        transport = getattr(self, "_transport", None)  # None if __init__ raised
        base_url = str(transport.base_url) if transport is not None else None
        return f"{type(self).__name__}(base_url={base_url!r})"

    async def close(self) -> None:
        """Release the HTTP session (unless it was supplied by the caller)."""
        await self._transport.close()

    async def __aenter__(self) -> AsyncVideoClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
