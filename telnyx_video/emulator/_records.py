"""Mutable in-memory records of the emulator, and their conversion to the shared models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telnyx_video.models import (
    CompositionStatus,
    RecordingStatus,
    Room,
    RoomComposition,
    RoomParticipant,
    RoomRecording,
    RoomSession,
    VideoRegion,
)

__all__ = [
    "CompositionRecord",
    "ParticipantRecord",
    "RecordingRecord",
    "RoomRecord",
    "SessionRecord",
    "WebhookTarget",
]


@dataclass(slots=True, frozen=True)
class WebhookTarget:
    """Where a resource's webhook events go: its URLs and delivery timeout."""

    url: str | None
    failover_url: str | None
    timeout_secs: int | None


@dataclass(slots=True, eq=False)
class RoomRecord:
    """A room as the emulator stores it."""

    id: str
    created_at: datetime
    updated_at: datetime
    max_participants: int = 10
    enable_recording: bool = False
    unique_name: str | None = None
    webhook_event_url: str | None = None
    webhook_event_failover_url: str | None = None
    webhook_timeout_secs: int | None = None
    active_session_id: str | None = None
    session_ids: list[str] = field(default_factory=list)

    def webhook_target(self) -> WebhookTarget:
        """Where this resource's webhook events go, as of now."""
        return WebhookTarget(
            self.webhook_event_url, self.webhook_event_failover_url, self.webhook_timeout_secs
        )

    def to_model(self, sessions: tuple[RoomSession, ...] = ()) -> Room:
        """The public model of this room (``sessions`` embedded when given)."""
        return Room(
            id=self.id,
            created_at=self.created_at,
            updated_at=self.updated_at,
            max_participants=self.max_participants,
            enable_recording=self.enable_recording,
            unique_name=self.unique_name,
            active_session_id=self.active_session_id,
            webhook_event_url=self.webhook_event_url,
            webhook_event_failover_url=self.webhook_event_failover_url,
            webhook_timeout_secs=self.webhook_timeout_secs,
            sessions=sessions,
        )


@dataclass(slots=True, eq=False)
class SessionRecord:
    """A room session."""

    id: str
    room_id: str
    created_at: datetime
    updated_at: datetime
    active: bool = True
    ended_at: datetime | None = None
    participant_ids: list[str] = field(default_factory=list)

    def to_model(self, participants: tuple[RoomParticipant, ...] = ()) -> RoomSession:
        """The public model of this session (``participants`` embedded when given)."""
        return RoomSession(
            id=self.id,
            room_id=self.room_id,
            active=self.active,
            created_at=self.created_at,
            updated_at=self.updated_at,
            ended_at=self.ended_at,
            participants=participants,
        )


@dataclass(slots=True, eq=False)
class ParticipantRecord:
    """A participant of a session; ``muted`` and ``left_reason`` are internal."""

    id: str
    session_id: str
    room_id: str
    joined_at: datetime
    updated_at: datetime
    context: str | None = None
    left_at: datetime | None = None
    left_reason: str | None = None
    muted: bool = False

    @property
    def present(self) -> bool:
        """Whether the participant is still in the session."""
        return self.left_at is None

    def to_model(self) -> RoomParticipant:
        """The public model of this participant."""
        return RoomParticipant(
            id=self.id,
            session_id=self.session_id,
            context=self.context,
            joined_at=self.joined_at,
            left_at=self.left_at,
            updated_at=self.updated_at,
        )


@dataclass(slots=True, eq=False)
class RecordingRecord:
    """One participant's audio or video recording."""

    id: str
    room_id: str
    session_id: str
    participant_id: str
    type: str
    codec: str
    started_at: datetime
    updated_at: datetime
    status: str = RecordingStatus.PROCESSING.value
    ended_at: datetime | None = None
    completed_at: datetime | None = None
    duration_secs: int | None = None
    size_mb: float | None = None
    download_url: str | None = None
    webhook: WebhookTarget | None = None
    """Where the room sent its events when the recording started: its completion goes there
    too, even once the room is deleted."""

    def to_model(self) -> RoomRecording:
        """The public model of this recording."""
        return RoomRecording(
            id=self.id,
            room_id=self.room_id,
            session_id=self.session_id,
            participant_id=self.participant_id,
            status=self.status,
            type=self.type,
            codec=self.codec,
            download_url=self.download_url,
            duration_secs=self.duration_secs,
            size_mb=self.size_mb,
            started_at=self.started_at,
            ended_at=self.ended_at,
            completed_at=self.completed_at,
            created_at=self.started_at,
            updated_at=self.updated_at,
        )


@dataclass(slots=True, eq=False)
class CompositionRecord:
    """A composition of one ended session."""

    id: str
    room_id: str
    session_id: str
    user_id: str
    format: str
    resolution: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    video_layout: dict[str, Any] | None = None
    status: str = CompositionStatus.ENQUEUED.value
    completed_at: datetime | None = None
    duration_secs: int | None = None
    size_mb: float | None = None
    download_url: str | None = None
    webhook_event_url: str | None = None
    webhook_event_failover_url: str | None = None
    webhook_timeout_secs: int | None = None

    def webhook_target(self) -> WebhookTarget:
        """Where this resource's webhook events go, as of now."""
        return WebhookTarget(
            self.webhook_event_url, self.webhook_event_failover_url, self.webhook_timeout_secs
        )

    def to_model(self) -> RoomComposition:
        """The public model of this composition."""
        layout = (
            {name: VideoRegion(**region) for name, region in self.video_layout.items()}
            if self.video_layout is not None
            else None
        )
        return RoomComposition(
            id=self.id,
            status=self.status,
            room_id=self.room_id,
            session_id=self.session_id,
            user_id=self.user_id,
            format=self.format,
            resolution=self.resolution,
            video_layout=layout,
            download_url=self.download_url,
            duration_secs=self.duration_secs,
            size_mb=self.size_mb,
            started_at=self.started_at,
            ended_at=self.ended_at,
            completed_at=self.completed_at,
            created_at=self.created_at,
            updated_at=self.updated_at,
            webhook_event_url=self.webhook_event_url,
            webhook_event_failover_url=self.webhook_event_failover_url,
            webhook_timeout_secs=self.webhook_timeout_secs,
        )
