"""The emulated account: rooms, sessions, participants, recordings, compositions.

All mutations happen here, on the event loop's thread. Each mutation appends the webhook
events it causes to `State.outbox`, in the order real rooms emit them; timed
transitions (recordings finishing, compositions processing) wait in a heap and are applied
lazily by `State.tick()` with the instant they were due, so events stay chronological.
"""

from __future__ import annotations

import heapq
import itertools
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from telnyx_video.emulator import _errors as errors
from telnyx_video.emulator._errors import EmulatorError, invalid_state, not_found
from telnyx_video.emulator._records import (
    CompositionRecord,
    ParticipantRecord,
    RecordingRecord,
    RoomRecord,
    SessionRecord,
    WebhookTarget,
)
from telnyx_video.emulator._tokens import ACCESS, REFRESH, TokenError, TokenIssuer
from telnyx_video.models import CompositionStatus, RecordingStatus, RecordingType

__all__ = ["Event", "Settings", "State"]

_ROOM_FIELDS = (
    "unique_name",
    "max_participants",
    "enable_recording",
    "webhook_event_url",
    "webhook_event_failover_url",
    "webhook_timeout_secs",
)


@dataclass(slots=True, kw_only=True)
class Settings:
    """Timings and media details of the emulated platform."""

    recording_processing_secs: float = 5.0
    """Delay between a participant leaving and their recordings being ``completed``."""
    composition_queue_secs: float = 1.0
    """Delay between a composition being created and ``processing``."""
    composition_processing_secs: float = 10.0
    """Delay between ``processing`` and ``completed``."""
    video_codec: str = "vp8"
    """Codec of video recordings (``"vp8"`` or ``"h264"``); audio is always ``"opus"``."""
    media_root: str = ""
    """Root URL under which ``/_emulator/media/...`` downloads are served."""
    user_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    """The emulated account's user id (set on compositions)."""


@dataclass(slots=True, frozen=True, kw_only=True)
class Event:
    """A webhook event waiting for delivery."""

    event_type: str
    occurred_at: datetime
    payload: dict[str, Any]
    url: str | None
    failover_url: str | None
    timeout_secs: int | None
    key: str
    """Deliveries sharing a key (the room id) go out one after the other, in order."""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


def _is_text(value: object) -> bool:
    """A ``str`` that UTF-8 can encode (no lone surrogates), as every response must."""
    if not isinstance(value, str):
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds()))


class State:
    """Everything the emulated account holds, and the rules that change it."""

    def __init__(self, settings: Settings, tokens: TokenIssuer) -> None:
        self.settings = settings
        self.tokens = tokens
        self.rooms: dict[str, RoomRecord] = {}
        self.sessions: dict[str, SessionRecord] = {}
        self.participants: dict[str, ParticipantRecord] = {}
        self.recordings: dict[str, RecordingRecord] = {}
        self.compositions: dict[str, CompositionRecord] = {}
        self.names: dict[str, str] = {}
        self.outbox: list[Event] = []
        self._due: list[tuple[datetime, int, str, str]] = []
        self._seq = itertools.count()

    # -- lookups ---------------------------------------------------------------------------

    def room(self, room_id: str) -> RoomRecord:
        """The room, else a 404 error."""
        found = self.rooms.get(room_id)
        if found is None:
            raise not_found("room", room_id)
        return found

    def session(self, session_id: str) -> SessionRecord:
        """The session, else a 404 error."""
        found = self.sessions.get(session_id)
        if found is None:
            raise not_found("room session", session_id)
        return found

    def participant(self, participant_id: str) -> ParticipantRecord:
        """The participant, else a 404 error."""
        found = self.participants.get(participant_id)
        if found is None:
            raise not_found("room participant", participant_id)
        return found

    def recording(self, recording_id: str) -> RecordingRecord:
        """The recording, else a 404 error."""
        found = self.recordings.get(recording_id)
        if found is None:
            raise not_found("room recording", recording_id)
        return found

    def composition(self, composition_id: str) -> CompositionRecord:
        """The composition, else a 404 error."""
        found = self.compositions.get(composition_id)
        if found is None:
            raise not_found("room composition", composition_id)
        return found

    @staticmethod
    def newest_first(records: Mapping[str, Any] | Iterable[Any]) -> list[Any]:
        """Records in reverse creation order (dicts keep insertion order)."""
        values = records.values() if isinstance(records, Mapping) else records
        return list(reversed(list(values)))

    def present(self, session: SessionRecord) -> list[ParticipantRecord]:
        """The participants still in the session, in join order."""
        return [p for pid in session.participant_ids if (p := self.participants[pid]).present]

    # -- rooms -----------------------------------------------------------------------------

    def _claim_name(self, name: str | None, room_id: str) -> None:
        if name is None:
            return
        owner = self.names.get(name)
        if owner is not None and owner != room_id:
            raise EmulatorError(
                422,
                errors.NAME_TAKEN,
                "Unique name already taken",
                f"A room named {name!r} already exists.",
                pointer="/unique_name",
            )

    def create_room(self, body: Mapping[str, Any], now: datetime) -> RoomRecord:
        """Create a room from a validated body."""
        name = body.get("unique_name")
        room = RoomRecord(id=str(uuid.uuid4()), created_at=now, updated_at=now)
        self._claim_name(name, room.id)
        for key in _ROOM_FIELDS:
            if body.get(key) is not None:
                setattr(room, key, body[key])
        self.rooms[room.id] = room
        if name is not None:
            self.names[name] = room.id
        return room

    def update_room(self, room: RoomRecord, body: Mapping[str, Any], now: datetime) -> None:
        """Apply a validated PATCH body (``null`` clears optional settings)."""
        if "unique_name" in body:
            self._claim_name(body["unique_name"], room.id)
        for key in _ROOM_FIELDS:
            if key not in body:
                continue
            value = body[key]  # null only where it means "clear" (validated by the app)
            if key == "unique_name" and room.unique_name != value:
                if room.unique_name is not None:
                    self.names.pop(room.unique_name, None)
                if value is not None:
                    self.names[value] = room.id
            setattr(room, key, value)
        room.updated_at = now

    def delete_room(self, room: RoomRecord, now: datetime) -> None:
        """Delete a room, ending its active session first."""
        if room.active_session_id is not None:
            self.end_session(self.sessions[room.active_session_id], now, "room_deleted")
        del self.rooms[room.id]
        if room.unique_name is not None and self.names.get(room.unique_name) == room.id:
            del self.names[room.unique_name]

    # -- tokens ----------------------------------------------------------------------------

    def issue_tokens(
        self, room: RoomRecord, ttl: int, refresh_ttl: int, now: datetime
    ) -> dict[str, Any]:
        """A join token and its refresh token for the room."""
        token, expires = self.tokens.issue(room.id, ACCESS, ttl, now)
        refresh, refresh_expires = self.tokens.issue(room.id, REFRESH, refresh_ttl, now)
        return {
            "token": token,
            "token_expires_at": expires,
            "refresh_token": refresh,
            "refresh_token_expires_at": refresh_expires,
        }

    def refresh_token(
        self, room: RoomRecord, refresh_token: str, ttl: int, now: datetime
    ) -> dict[str, Any]:
        """A new join token from a valid refresh token for the room, else 403."""
        try:
            self.tokens.verify(refresh_token, REFRESH, room.id, now)
        except TokenError as exc:
            raise EmulatorError(403, errors.FORBIDDEN, "Forbidden", str(exc)) from None
        token, expires = self.tokens.issue(room.id, ACCESS, ttl, now)
        return {"token": token, "token_expires_at": expires}

    # -- lifecycle -------------------------------------------------------------------------

    def _emit(
        self,
        event_type: str,
        now: datetime,
        payload: dict[str, Any],
        room_id: str,
        target: WebhookTarget | None = None,
    ) -> None:
        """Queue an event for ``target``, by default the room's current webhook settings
        (nothing is sent for a room that no longer exists and no target)."""
        if target is None:
            room = self.rooms.get(room_id)
            if room is None:
                return
            target = room.webhook_target()
        if not target.url and not target.failover_url:
            return
        self.outbox.append(
            Event(
                event_type=event_type,
                occurred_at=now,
                payload=payload,
                url=target.url,
                failover_url=target.failover_url,
                timeout_secs=target.timeout_secs,
                key=room_id,
            )
        )

    def _schedule(self, when: datetime, kind: str, ident: str) -> None:
        heapq.heappush(self._due, (when, next(self._seq), kind, ident))

    def join(
        self, room_id: str, token: Any, context: str | None, now: datetime
    ) -> ParticipantRecord:
        """A participant joins the room with a client token; the first join opens a session."""
        room = self.room(room_id)
        if not isinstance(token, str) or not token:
            raise EmulatorError(
                422, errors.MISSING_OR_INVALID, "Missing token", "A client token is required.",
                pointer="/token",
            )  # fmt: skip
        if context is not None and not _is_text(context):
            raise EmulatorError(
                422, errors.MISSING_OR_INVALID, "Invalid context",
                "context must be a string of Unicode text.", pointer="/context",
            )  # fmt: skip
        try:
            self.tokens.verify(token, ACCESS, room.id, now)
        except TokenError as exc:
            raise EmulatorError(403, errors.FORBIDDEN, "Invalid client token", str(exc)) from None
        session = self.sessions.get(room.active_session_id or "")
        if session is not None and len(self.present(session)) >= room.max_participants:
            raise EmulatorError(
                403,
                errors.ROOM_FULL,
                "Room is full",
                f"The room already has its maximum of {room.max_participants} participants.",
            )
        if session is None:
            session = SessionRecord(
                id=str(uuid.uuid4()), room_id=room.id, created_at=now, updated_at=now
            )
            self.sessions[session.id] = session
            room.session_ids.append(session.id)
            room.active_session_id = session.id
            room.updated_at = now
            self._emit(
                "video.room.session.started",
                now,
                {"room_id": room.id, "session_id": session.id},
                room.id,
            )
        participant = ParticipantRecord(
            id=str(uuid.uuid4()),
            session_id=session.id,
            room_id=room.id,
            joined_at=now,
            updated_at=now,
            context=context,
        )
        self.participants[participant.id] = participant
        session.participant_ids.append(participant.id)
        session.updated_at = now
        joined = {
            "room_id": room.id,
            "session_id": session.id,
            "participant_id": participant.id,
        }
        if context is not None:
            joined["context"] = context
        self._emit("video.room.participant.joined", now, joined, room.id)
        if room.enable_recording:
            for kind in (RecordingType.AUDIO.value, RecordingType.VIDEO.value):
                self._start_recording(room, session, participant, kind, now)
        return participant

    def _start_recording(
        self,
        room: RoomRecord,
        session: SessionRecord,
        participant: ParticipantRecord,
        kind: str,
        now: datetime,
    ) -> None:
        codec = "opus" if kind == RecordingType.AUDIO.value else self.settings.video_codec
        recording = RecordingRecord(
            id=str(uuid.uuid4()),
            room_id=room.id,
            session_id=session.id,
            participant_id=participant.id,
            type=kind,
            codec=codec,
            started_at=now,
            updated_at=now,
            webhook=room.webhook_target(),
        )
        self.recordings[recording.id] = recording
        self._emit(
            "video.room.recording.started",
            now,
            {
                "room_id": room.id,
                "session_id": session.id,
                "participant_id": participant.id,
                "recording_id": recording.id,
                "type": kind,
            },
            room.id,
        )

    def leave(self, participant: ParticipantRecord, reason: str, now: datetime) -> None:
        """The participant leaves; the last one out ends the session."""
        if not participant.present:
            raise invalid_state("The participant has already left the session.")
        self._depart(participant, reason, now)
        session = self.sessions[participant.session_id]
        if session.active and not self.present(session):
            self._close_session(session, now, "all_participants_left")

    def _depart(self, participant: ParticipantRecord, reason: str, now: datetime) -> None:
        participant.left_at = now
        participant.left_reason = reason
        participant.updated_at = now
        session = self.sessions[participant.session_id]
        session.updated_at = now
        left = {
            "room_id": participant.room_id,
            "session_id": participant.session_id,
            "participant_id": participant.id,
            "duration_secs": _seconds(participant.joined_at, now),
            "left_reason": reason,
        }
        if participant.context is not None:
            left["context"] = participant.context
        self._emit("video.room.participant.left", now, left, participant.room_id)
        delay = timedelta(seconds=self.settings.recording_processing_secs)
        for recording in self.recordings.values():
            if recording.participant_id == participant.id and recording.ended_at is None:
                recording.ended_at = now
                recording.updated_at = now
                self._schedule(now + delay, "recording", recording.id)

    def _close_session(self, session: SessionRecord, now: datetime, reason: str) -> None:
        session.active = False
        session.ended_at = now
        session.updated_at = now
        room = self.rooms.get(session.room_id)
        if room is not None and room.active_session_id == session.id:
            room.active_session_id = None
            room.updated_at = now
        self._emit(
            "video.room.session.ended",
            now,
            {
                "room_id": session.room_id,
                "session_id": session.id,
                "duration_secs": _seconds(session.created_at, now),
                "ended_reason": reason,
            },
            session.room_id,
        )

    def end_session(self, session: SessionRecord, now: datetime, reason: str = "ended") -> None:
        """End an active session, kicking everyone still in it."""
        if not session.active:
            raise invalid_state("The room session has already ended.")
        for participant in self.present(session):
            self._depart(participant, "session_ended", now)
        self._close_session(session, now, reason)

    def act(
        self,
        session: SessionRecord,
        action: str,
        participants: Any,
        exclude: Iterable[str],
        now: datetime,
    ) -> None:
        """Kick, mute or unmute ``"all"`` or the listed participants, minus ``exclude``."""
        if not session.active:
            raise invalid_state("The room session has ended.")
        present = self.present(session)
        if participants == "all" or participants is None:
            chosen = present
        else:
            wanted = set(participants)
            chosen = [p for p in present if p.id in wanted]
        skipped = set(exclude)
        chosen = [p for p in chosen if p.id not in skipped]
        for participant in chosen:
            if action == "kick":
                self._depart(participant, "kicked", now)
            else:
                participant.muted = action == "mute"
                participant.updated_at = now
        if action == "kick" and chosen and not self.present(session):
            self._close_session(session, now, "all_participants_left")

    # -- compositions ----------------------------------------------------------------------

    def create_composition(self, body: Mapping[str, Any], now: datetime) -> CompositionRecord:
        """Queue a composition of an ended session."""
        session_id = body.get("session_id")
        if not isinstance(session_id, str):
            raise EmulatorError(
                422,
                errors.MISSING_OR_INVALID,
                "Missing required parameter",
                "session_id is required.",
                pointer="/session_id",
            )
        session = self.sessions.get(session_id)
        if session is None:
            raise EmulatorError(
                422,
                errors.MISSING_OR_INVALID,
                "Invalid session",
                f"No room session with id {session_id[:80]!r} exists.",
                pointer="/session_id",
            )
        if session.active:
            raise invalid_state(
                "A composition needs an ended session; this one is still active.",
                pointer="/session_id",
            )
        layout = body.get("video_layout")
        composition = CompositionRecord(
            id=str(uuid.uuid4()),
            room_id=session.room_id,
            session_id=session.id,
            user_id=self.settings.user_id,
            format=body.get("format") or "mp4",
            resolution=body.get("resolution") or "1280x720",
            created_at=now,
            updated_at=now,
            started_at=session.created_at,
            ended_at=session.ended_at,
            video_layout=dict(layout) if isinstance(layout, Mapping) else None,
            webhook_event_url=body.get("webhook_event_url"),
            webhook_event_failover_url=body.get("webhook_event_failover_url"),
            webhook_timeout_secs=body.get("webhook_timeout_secs"),
        )
        self.compositions[composition.id] = composition
        self._schedule(
            now + timedelta(seconds=self.settings.composition_queue_secs),
            "composition",
            composition.id,
        )
        return composition

    # -- deletions -------------------------------------------------------------------------

    def delete_recordings(self, recordings: Iterable[RecordingRecord]) -> int:
        """Delete recordings; returns how many."""
        count = 0
        for recording in list(recordings):
            if self.recordings.pop(recording.id, None) is not None:
                count += 1
        return count

    # -- time ------------------------------------------------------------------------------

    def next_due(self) -> datetime | None:
        """When the next timed transition is due, if any."""
        return self._due[0][0] if self._due else None

    def tick(self, now: datetime) -> None:
        """Apply every timed transition due at ``now``, oldest first."""
        while self._due and self._due[0][0] <= now:
            when, _, kind, ident = heapq.heappop(self._due)
            if kind == "recording":
                self._complete_recording(ident, when)
            else:
                self._advance_composition(ident, when)

    def _complete_recording(self, recording_id: str, when: datetime) -> None:
        recording = self.recordings.get(recording_id)
        if recording is None or recording.ended_at is None:
            return
        duration = _seconds(recording.started_at, recording.ended_at)
        rate = 0.015 if recording.type == RecordingType.AUDIO.value else 0.25
        recording.status = RecordingStatus.COMPLETED.value
        recording.completed_at = when
        recording.updated_at = when
        recording.duration_secs = duration
        recording.size_mb = round(max(duration, 1) * rate, 3)
        recording.download_url = (
            f"{self.settings.media_root}/_emulator/media/recordings/{recording.id}"
        )
        self._emit(
            "video.room.recording.completed",
            when,
            {
                "room_id": recording.room_id,
                "session_id": recording.session_id,
                "participant_id": recording.participant_id,
                "recording_id": recording.id,
                "type": recording.type,
                "codec": recording.codec,
                "duration_secs": duration,
                "size_mb": recording.size_mb,
                "download_url": recording.download_url,
            },
            recording.room_id,
            target=recording.webhook,
        )

    def _advance_composition(self, composition_id: str, when: datetime) -> None:
        composition = self.compositions.get(composition_id)
        if composition is None:
            return
        composition.updated_at = when
        if composition.status == CompositionStatus.ENQUEUED.value:
            composition.status = CompositionStatus.PROCESSING.value
            self._schedule(
                when + timedelta(seconds=self.settings.composition_processing_secs),
                "composition",
                composition.id,
            )
            return
        duration = (
            _seconds(composition.started_at, composition.ended_at)
            if composition.started_at is not None and composition.ended_at is not None
            else 0
        )
        composition.status = CompositionStatus.COMPLETED.value
        composition.completed_at = when
        composition.duration_secs = duration
        composition.size_mb = round(max(duration, 1) * 0.3, 3)
        composition.download_url = (
            f"{self.settings.media_root}/_emulator/media/compositions/{composition.id}"
        )
        self._emit(
            "video.room.composition.completed",
            when,
            {
                "composition_id": composition.id,
                "room_id": composition.room_id,
                "session_id": composition.session_id,
                "format": composition.format,
                "resolution": composition.resolution,
                "duration_secs": duration,
                "size_mb": composition.size_mb,
                "download_url": composition.download_url,
            },
            composition.room_id,
            target=composition.webhook_target(),
        )
