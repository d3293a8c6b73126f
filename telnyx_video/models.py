"""Typed models of the Telnyx Video Rooms API.

Every model is a frozen, slotted, keyword-only ``attrs`` class. Fields the API always
returns are required; the rest default to ``None``. Timestamps are timezone-aware
`datetime` objects. Unknown response fields are ignored and unknown enum
values are kept as plain strings, so a growing API never breaks parsing.

The emulator builds its responses from these same classes, so what the client parses and
what the emulator serves cannot drift apart.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Generic, TypeVar

import attrs

__all__ = [
    "ActionResult",
    "CompositionFormat",
    "CompositionStatus",
    "DEFAULT_PAGE_SIZE",
    "DateFilter",
    "JoinClientToken",
    "MAX_PAGE_SIZE",
    "Page",
    "PaginationMeta",
    "RecordingStatus",
    "RecordingType",
    "RefreshedClientToken",
    "Room",
    "RoomComposition",
    "RoomParticipant",
    "RoomRecording",
    "RoomSession",
    "VideoRegion",
]

T = TypeVar("T")

MAX_PAGE_SIZE = 250
"""The largest ``page[size]`` the API accepts (the smallest is 1)."""
DEFAULT_PAGE_SIZE = 20
"""The ``page[size]`` the API uses when none is given."""


class RecordingStatus(enum.StrEnum):
    """Processing state of a room recording."""

    PROCESSING = "processing"
    """The recording is still being processed."""
    COMPLETED = "completed"
    """The recording is ready to download."""


class RecordingType(enum.StrEnum):
    """Media kind of a room recording."""

    AUDIO = "audio"
    """An audio-only recording."""
    VIDEO = "video"
    """A video recording."""


class CompositionStatus(enum.StrEnum):
    """Processing state of a room composition."""

    ENQUEUED = "enqueued"
    """The composition is waiting to be processed."""
    PROCESSING = "processing"
    """The composition is being rendered."""
    COMPLETED = "completed"
    """The composition is ready to download."""


class CompositionFormat(enum.StrEnum):
    """Container format of a room composition."""

    MP4 = "mp4"
    """An MP4 video file."""


@attrs.frozen(kw_only=True)
class DateFilter:
    """A date-range filter: ``eq`` for one day, ``gte``/``lte`` for a range.

    Values are `datetime.date` objects or ISO ``YYYY-MM-DD`` strings, for example
    ``DateFilter(gte=date(2026, 1, 1), lte="2026-01-31")``.
    """

    eq: date | str | None = None
    """Only this day."""
    gte: date | str | None = None
    """This day or later."""
    lte: date | str | None = None
    """This day or earlier."""


def _optional_tuple(value: Iterable[str] | None) -> tuple[str, ...] | None:
    """Accept any iterable of ids (a list, say) and store it as an immutable tuple."""
    if value is None:
        return None
    if isinstance(value, str):
        raise TypeError("video_sources must be a sequence of participant ids, not one string")
    return tuple(value)


@attrs.frozen(kw_only=True)
class VideoRegion:
    """One region of a composition layout: where sources are drawn and how they tile."""

    x_pos: int | None = None
    """Horizontal position, in pixels, of the region's top-left corner, from the left edge of the
    composition."""
    y_pos: int | None = None
    """Vertical position, in pixels, of the region's top-left corner, from the top edge of the
    composition."""
    z_pos: int | None = None
    """Stacking order: a region with a higher ``z_pos`` is drawn over one with a lower value."""
    height: int | None = None
    """Height of the region, in pixels."""
    width: int | None = None
    """Width of the region, in pixels."""
    max_columns: int | None = None
    """Most columns of the grid the sources are tiled in (by default, as many as they need)."""
    max_rows: int | None = None
    """Most rows of the grid the sources are tiled in (by default, as many as they need)."""
    video_sources: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_tuple)
    """Ids of the video recordings drawn in this region; ``["*"]`` asks for every video recording
    of the session."""


@attrs.frozen(kw_only=True)
class RoomParticipant:
    """A participant of a room session."""

    id: str
    """The participant's unique id (a UUID)."""
    session_id: str
    """Id of the room session the participant is part of."""
    record_type: str = "room_participant"
    """Always ``"room_participant"``."""
    context: str | None = None
    """The context the participant's client SDK supplied when joining (a display name, say)."""
    joined_at: datetime | None = None
    """When the participant joined the session."""
    left_at: datetime | None = None
    """When the participant left the session; ``None`` while still in it."""
    updated_at: datetime | None = None
    """When the participant was last updated."""


@attrs.frozen(kw_only=True)
class RoomSession:
    """One session of a room: it starts with the first join and ends with the last leave."""

    id: str
    """The session's unique id (a UUID)."""
    room_id: str
    """Id of the room hosting the session."""
    active: bool
    """Whether the session is still going on."""
    created_at: datetime
    """When the session started."""
    updated_at: datetime
    """When the session was last updated."""
    record_type: str = "room_session"
    """Always ``"room_session"``."""
    ended_at: datetime | None = None
    """When the session ended; ``None`` while it is active."""
    participants: tuple[RoomParticipant, ...] = ()
    """The session's participants, when the API includes them (it may leave them out)."""


@attrs.frozen(kw_only=True)
class Room:
    """A video room."""

    id: str
    """The room's unique id (a UUID)."""
    created_at: datetime
    """When the room was created."""
    updated_at: datetime
    """When the room was last updated."""
    max_participants: int
    """How many participants may be in the room at once; more are refused when they try to join."""
    enable_recording: bool
    """Whether the room's sessions are recorded."""
    record_type: str = "room"
    """Always ``"room"``."""
    unique_name: str | None = None
    """A name unique among the rooms of your Telnyx account."""
    active_session_id: str | None = None
    """Id of the session going on in the room, if any."""
    webhook_event_url: str | None = None
    """Where the room's webhooks are sent (a URL with a scheme, such as ``https``)."""
    webhook_event_failover_url: str | None = None
    """Where the room's webhooks are sent when delivery to ``webhook_event_url`` fails."""
    webhook_timeout_secs: int | None = None
    """Seconds to wait for a webhook endpoint to answer before the delivery times out."""
    sessions: tuple[RoomSession, ...] = ()
    """The room's sessions, when the API includes them (it may leave them out)."""


@attrs.frozen(kw_only=True)
class RoomRecording:
    """An audio or video recording of one participant in a room session."""

    id: str
    """The recording's unique id (a UUID)."""
    room_id: str
    """Id of the room the recording was made in."""
    session_id: str
    """Id of the room session the recording was made in."""
    participant_id: str
    """Id of the participant whose media was recorded."""
    status: RecordingStatus | str
    """Whether the recording is still processing or completed (a plain string for a status this SDK
    does not know yet)."""
    type: RecordingType | str
    """Audio or video (a plain string for a type this SDK does not know yet)."""
    record_type: str = "room_recording"
    """Always ``"room_recording"``."""
    codec: str | None = None
    """The codec of the recorded media, such as ``"opus"``."""
    download_url: str | None = None
    """Where to download the recording, once it is completed."""
    duration_secs: int | None = None
    """Length of the recording, in seconds."""
    size_mb: float | None = None
    """Size of the recording, in megabytes."""
    started_at: datetime | None = None
    """When the recording started."""
    ended_at: datetime | None = None
    """When the recording ended."""
    completed_at: datetime | None = None
    """When processing finished and the recording became available."""
    created_at: datetime | None = None
    """When the recording was created."""
    updated_at: datetime | None = None
    """When the recording was last updated."""


@attrs.frozen(kw_only=True)
class RoomComposition:
    """A composition: several recordings of a session mixed into one video."""

    id: str
    """The composition's unique id (a UUID)."""
    status: CompositionStatus | str
    """Whether the composition is enqueued, processing or completed (a plain string for a status
    this SDK does not know yet)."""
    record_type: str = "composition"
    """Always ``"composition"``."""
    room_id: str | None = None
    """Id of the room the composed session took place in."""
    session_id: str | None = None
    """Id of the room session whose recordings are composed."""
    user_id: str | None = None
    """Id of the user who requested the composition."""
    format: CompositionFormat | str | None = None
    """Container format of the resulting file (a plain string for a format this SDK does not know
    yet)."""
    resolution: str | None = None
    """Width and height of the resulting video, in pixels, such as ``"1280x720"``."""
    video_layout: Mapping[str, VideoRegion] | None = None
    """The layout: [`VideoRegion`][telnyx_video.models.VideoRegion]s by name (at most two)."""
    download_url: str | None = None
    """Where to download the composition, once it is completed."""
    duration_secs: int | None = None
    """Length of the composition, in seconds."""
    size_mb: float | None = None
    """Size of the composition, in megabytes."""
    started_at: datetime | None = None
    """When rendering started."""
    ended_at: datetime | None = None
    """When rendering ended."""
    completed_at: datetime | None = None
    """When the composition became available."""
    created_at: datetime | None = None
    """When the composition was requested."""
    updated_at: datetime | None = None
    """When the composition was last updated."""
    webhook_event_url: str | None = None
    """Where the composition's webhooks are sent (a URL with a scheme, such as ``https``)."""
    webhook_event_failover_url: str | None = None
    """Where the composition's webhooks are sent when delivery to ``webhook_event_url`` fails."""
    webhook_timeout_secs: int | None = None
    """Seconds to wait for a webhook endpoint to answer before the delivery times out."""


@attrs.frozen(kw_only=True)
class JoinClientToken:
    """A client token to join a room, with the refresh token that renews it."""

    token: str
    """The client token a participant's client SDK joins the room with."""
    token_expires_at: datetime
    """When ``token`` stops being accepted."""
    refresh_token: str
    """Exchanges for a new client token, with
    [`refresh_client_token()`][telnyx_video.resources.AsyncRooms.refresh_client_token]."""
    refresh_token_expires_at: datetime
    """When ``refresh_token`` stops being accepted."""


@attrs.frozen(kw_only=True)
class RefreshedClientToken:
    """A fresh client token obtained with a refresh token."""

    token: str
    """The new client token."""
    token_expires_at: datetime
    """When ``token`` stops being accepted."""


@attrs.frozen(kw_only=True)
class ActionResult:
    """Outcome of a session action (end, kick, mute, unmute)."""

    result: str
    """The API's verdict, ``"ok"`` when the action was accepted."""


@attrs.frozen(kw_only=True)
class PaginationMeta:
    """Where a page sits in a listing. The API does not promise any of the fields."""

    page_number: int | None = None
    """Number of this page, from 1."""
    page_size: int | None = None
    """Most items a page holds."""
    total_pages: int | None = None
    """How many pages the listing has."""
    total_results: int | None = None
    """How many items the listing has, over all its pages."""

    @property
    def last_page(self) -> int | None:
        """The number of the last page, from what the server sent; ``None`` if unknown.

        ``total_pages``, or ``total_results / page_size`` rounded up; the smaller if both.
        """
        counts = []
        if self.total_pages is not None:
            counts.append(self.total_pages)
        if self.total_results is not None and self.page_size:
            counts.append(-(-self.total_results // self.page_size))
        return min(counts) if counts else None


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a listing: its items and its
    [`PaginationMeta`][telnyx_video.models.PaginationMeta].

    ``meta`` is ``None`` only if the server left it out.
    """

    items: tuple[T, ...]
    """The items of this page, in the API's order."""
    meta: PaginationMeta | None = None
    """Where this page sits in the listing."""

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    @property
    def has_next(self) -> bool:
        """Whether the server reports more pages after this one."""
        if self.meta is None or not self.items:
            return False
        number, last = self.meta.page_number, self.meta.last_page
        return number is not None and last is not None and number < last
