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
    COMPLETED = "completed"


class RecordingType(enum.StrEnum):
    """Media kind of a room recording."""

    AUDIO = "audio"
    VIDEO = "video"


class CompositionStatus(enum.StrEnum):
    """Processing state of a room composition."""

    ENQUEUED = "enqueued"
    PROCESSING = "processing"
    COMPLETED = "completed"


class CompositionFormat(enum.StrEnum):
    """Container format of a room composition."""

    MP4 = "mp4"


@attrs.frozen(kw_only=True)
class DateFilter:
    """A date-range filter: ``eq`` for one day, ``gte``/``lte`` for a range.

    Values are `datetime.date` objects or ISO ``YYYY-MM-DD`` strings, for example
    ``DateFilter(gte=date(2026, 1, 1), lte="2026-01-31")``.
    """

    eq: date | str | None = None
    gte: date | str | None = None
    lte: date | str | None = None


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
    y_pos: int | None = None
    z_pos: int | None = None
    height: int | None = None
    width: int | None = None
    max_columns: int | None = None
    max_rows: int | None = None
    video_sources: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_tuple)


@attrs.frozen(kw_only=True)
class RoomParticipant:
    """A participant of a room session."""

    id: str
    session_id: str
    record_type: str = "room_participant"
    context: str | None = None
    joined_at: datetime | None = None
    left_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class RoomSession:
    """One session of a room: it starts with the first join and ends with the last leave."""

    id: str
    room_id: str
    active: bool
    created_at: datetime
    updated_at: datetime
    record_type: str = "room_session"
    ended_at: datetime | None = None
    participants: tuple[RoomParticipant, ...] = ()


@attrs.frozen(kw_only=True)
class Room:
    """A video room."""

    id: str
    created_at: datetime
    updated_at: datetime
    max_participants: int
    enable_recording: bool
    record_type: str = "room"
    unique_name: str | None = None
    active_session_id: str | None = None
    webhook_event_url: str | None = None
    webhook_event_failover_url: str | None = None
    webhook_timeout_secs: int | None = None
    sessions: tuple[RoomSession, ...] = ()


@attrs.frozen(kw_only=True)
class RoomRecording:
    """An audio or video recording of one participant in a room session."""

    id: str
    room_id: str
    session_id: str
    participant_id: str
    status: RecordingStatus | str
    type: RecordingType | str
    record_type: str = "room_recording"
    codec: str | None = None
    download_url: str | None = None
    duration_secs: int | None = None
    size_mb: float | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    completed_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class RoomComposition:
    """A composition: several recordings of a session mixed into one video."""

    id: str
    status: CompositionStatus | str
    record_type: str = "composition"
    room_id: str | None = None
    session_id: str | None = None
    user_id: str | None = None
    format: CompositionFormat | str | None = None
    resolution: str | None = None
    video_layout: Mapping[str, VideoRegion] | None = None
    download_url: str | None = None
    duration_secs: int | None = None
    size_mb: float | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    completed_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    webhook_event_url: str | None = None
    webhook_event_failover_url: str | None = None
    webhook_timeout_secs: int | None = None


@attrs.frozen(kw_only=True)
class JoinClientToken:
    """A client token to join a room, with the refresh token that renews it."""

    token: str
    token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime


@attrs.frozen(kw_only=True)
class RefreshedClientToken:
    """A fresh client token obtained with a refresh token."""

    token: str
    token_expires_at: datetime


@attrs.frozen(kw_only=True)
class ActionResult:
    """Outcome of a session action (end, kick, mute, unmute)."""

    result: str


@attrs.frozen(kw_only=True)
class PaginationMeta:
    """Where a page sits in a listing. The API does not promise any of the fields."""

    page_number: int | None = None
    page_size: int | None = None
    total_pages: int | None = None
    total_results: int | None = None

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
    meta: PaginationMeta | None = None

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
