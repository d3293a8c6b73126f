"""The emulated account: rooms, sessions, participants, recordings, compositions, and the rules
that change them.

All mutations happen here, on the event loop's thread. Each mutation appends the webhook
events it causes to ``State.outbox`` (the SDK's own event models), in the order real rooms
emit them; timed transitions (recordings finishing, compositions processing) go to the
[`Scheduler`][telnyx_video.emulator._clock.Scheduler] and run with the instant they were due,
so events stay chronological.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import attrs
from attrs import AttrsInstance

from telnyx_video.emulator import _contract
from telnyx_video.emulator._errors import EmulatorError, bad_request, forbidden, not_found
from telnyx_video.emulator._records import (
    CompositionRecord,
    ParticipantRecord,
    RecordingRecord,
    RoomRecord,
    SessionRecord,
    WebhookTarget,
)
from telnyx_video.emulator._settings import Settings
from telnyx_video.emulator._tokens import ACCESS, REFRESH, TokenError, TokenIssuer, join_grants
from telnyx_video.emulator._webhooks import Outgoing
from telnyx_video.errors import ErrorCode
from telnyx_video.models import CompositionStatus, RecordingStatus, RecordingType, VideoRegion
from telnyx_video.webhooks._events import (
    CompositionCompleted,
    CompositionCompletedPayload,
    ParticipantJoined,
    ParticipantJoinedPayload,
    ParticipantLeft,
    ParticipantLeftPayload,
    RecordingCompleted,
    RecordingCompletedPayload,
    RecordingStarted,
    RecordingStartedPayload,
    SessionEnded,
    SessionEndedPayload,
    SessionStarted,
    SessionStartedPayload,
    VideoEvent,
)

if TYPE_CHECKING:
    from telnyx_video.emulator._media import MediaLinks

__all__ = ["State"]

P = TypeVar("P", bound=AttrsInstance)
P_contra = TypeVar("P_contra", contravariant=True)
Schedule = Callable[[datetime, Callable[[datetime], None]], None]


class _EventClass(Protocol[P_contra]):
    """An event class whose payload is a ``P_contra``, such as ``SessionStarted``."""

    def __call__(self, *, id: str, occurred_at: datetime, payload: P_contra) -> VideoEvent: ...


#: A room's settings: what creating a room takes (the contract's CreateRoomRequest).
_ROOM_FIELDS = tuple((_contract.operation("CreateRoom").body_schema or {})["properties"])
#: Path parameters and the records they name: (collection, noun in a 404).
_KINDS = {
    "room_id": ("rooms", "room"),
    "room_session_id": ("sessions", "room session"),
    "room_participant_id": ("participants", "room participant"),
    "room_recording_id": ("recordings", "room recording"),
    "room_composition_id": ("compositions", "room composition"),
}
_REGION_FIELDS = frozenset(a.name for a in attrs.fields(VideoRegion))


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


def _payload(cls: type[P], record: object, **values: Any) -> P:
    """A ``cls`` payload about ``record``: ``values``, and each other field copied from the
    record's attribute of the same name."""
    copied = {f.name: getattr(record, f.name) for f in attrs.fields(cls) if f.name not in values}
    return cls(**copied, **values)


class State:
    """Everything the emulated account holds, and the rules that change it."""

    def __init__(
        self, settings: Settings, tokens: TokenIssuer, schedule: Schedule, media: MediaLinks
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self.schedule = schedule
        self.media = media
        self.rooms: dict[str, RoomRecord] = {}
        self.sessions: dict[str, SessionRecord] = {}
        self.participants: dict[str, ParticipantRecord] = {}
        self.recordings: dict[str, RecordingRecord] = {}
        self.compositions: dict[str, CompositionRecord] = {}
        self.names: dict[str, str] = {}
        self.outbox: list[Outgoing] = []

    # -- lookups ---------------------------------------------------------------------------

    def find(self, param: str, ident: str) -> Any:
        """The record a path parameter (``room_id``...) names, else a 404 error."""
        collection, noun = _KINDS[param]
        found = getattr(self, collection).get(ident)
        if found is None:
            raise not_found(noun, ident)
        return found

    def present(self, session: SessionRecord) -> list[ParticipantRecord]:
        """The participants still in the session, in join order."""
        return [p for pid in session.participant_ids if (p := self.participants[pid]).present]

    # -- rooms -----------------------------------------------------------------------------

    def _claim_name(self, name: str | None, room_id: str) -> None:
        owner = self.names.get(name) if name is not None else None
        if owner is not None and owner != room_id:
            raise EmulatorError(
                422,
                ErrorCode.DUPLICATE_RESOURCE,
                f"A room named {name!r} already exists.",
                pointer="/unique_name",
            )

    def create_room(self, body: Mapping[str, Any], now: datetime) -> RoomRecord:
        """Create a room from a validated body with the contract's defaults."""
        room = RoomRecord(
            id=str(uuid.uuid4()),
            created_at=now,
            updated_at=now,
            max_participants=body["max_participants"],
            enable_recording=body["enable_recording"],
        )
        self.update_room(room, {k: v for k, v in body.items() if v is not None}, now)
        self.rooms[room.id] = room
        return room

    def update_room(self, room: RoomRecord, body: Mapping[str, Any], now: datetime) -> None:
        """Apply a validated body (``null`` clears an optional setting)."""
        if "unique_name" in body:
            self._claim_name(body["unique_name"], room.id)
            if room.unique_name is not None:
                self.names.pop(room.unique_name, None)
            if body["unique_name"] is not None:
                self.names[body["unique_name"]] = room.id
        for key in _ROOM_FIELDS:
            if key in body:
                setattr(room, key, body[key])
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
        """A join token and its refresh token for the room, with the same grants."""
        grants = join_grants(room.id, self.settings.user_id)
        token, expires = self.tokens.issue(ACCESS, grants, ttl, now)
        refresh, refresh_expires = self.tokens.issue(REFRESH, grants, refresh_ttl, now)
        return {
            "token": token,
            "token_expires_at": expires,
            "refresh_token": refresh,
            "refresh_token_expires_at": refresh_expires,
        }

    def refresh_token(
        self, room: RoomRecord, refresh_token: str, ttl: int, now: datetime
    ) -> dict[str, Any]:
        """A new join token with the grants of a valid refresh token for the room, else 403."""
        try:
            claims = self.tokens.verify(refresh_token, REFRESH, room.id, now)
        except TokenError as exc:
            raise forbidden(str(exc)) from None
        token, expires = self.tokens.issue(ACCESS, claims["grants"], ttl, now)
        return {"token": token, "token_expires_at": expires}

    # -- lifecycle -------------------------------------------------------------------------

    def _emit(
        self,
        kind: _EventClass[P],
        payload: P,
        now: datetime,
        room_id: str,
        target: WebhookTarget | None = None,
    ) -> None:
        """Queue a ``kind`` event of ``now`` with ``payload`` for ``target``, by default the
        room's current webhook settings (nothing is sent for a room that no longer exists and
        no target)."""
        if target is None:
            room = self.rooms.get(room_id)
            if room is None:
                return
            target = room.webhook_target()
        if target.url or target.failover_url:
            event = kind(id=str(uuid.uuid4()), occurred_at=now, payload=payload)
            self.outbox.append(Outgoing(event, target, room_id))

    def join(self, room_id: str, token: Any, context: Any, now: datetime) -> ParticipantRecord:
        """A participant joins the room with a client token; the first join opens a session."""
        room = self.find("room_id", room_id)
        if not isinstance(token, str) or not token:
            raise EmulatorError(
                422, ErrorCode.MISSING_REQUIRED_PARAMETER, "A client token is required.",
                pointer="/token",
            )  # fmt: skip
        if context is not None and not _is_text(context):
            raise bad_request("context must be a string of Unicode text.", pointer="/context")
        try:
            self.tokens.verify(token, ACCESS, room.id, now)
        except TokenError as exc:
            raise forbidden(str(exc)) from None
        session = self.sessions.get(room.active_session_id or "")
        if session is not None and len(self.present(session)) >= room.max_participants:
            raise forbidden(
                f"The room is full: it already has its maximum of {room.max_participants} "
                "participants."
            )
        if session is None:
            session = SessionRecord(
                id=str(uuid.uuid4()), room_id=room.id, created_at=now, updated_at=now
            )
            self.sessions[session.id] = session
            room.session_ids.append(session.id)
            room.active_session_id = session.id
            room.updated_at = now
            payload = _payload(SessionStartedPayload, session, session_id=session.id)
            self._emit(SessionStarted, payload, now, room.id)
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
        joined = _payload(ParticipantJoinedPayload, participant, participant_id=participant.id)
        self._emit(ParticipantJoined, joined, now, room.id)
        if room.enable_recording:
            for kind in (RecordingType.AUDIO.value, RecordingType.VIDEO.value):
                self._start_recording(room, participant, kind, now)
        return participant

    def _start_recording(
        self, room: RoomRecord, participant: ParticipantRecord, kind: str, now: datetime
    ) -> None:
        codec = "opus" if kind == RecordingType.AUDIO.value else self.settings.video_codec
        recording = RecordingRecord(
            id=str(uuid.uuid4()),
            room_id=room.id,
            session_id=participant.session_id,
            participant_id=participant.id,
            type=kind,
            codec=codec,
            started_at=now,
            updated_at=now,
            webhook=room.webhook_target(),
        )
        self.recordings[recording.id] = recording
        payload = _payload(RecordingStartedPayload, recording, recording_id=recording.id)
        self._emit(RecordingStarted, payload, now, room.id)

    def leave(self, participant: ParticipantRecord, reason: str, now: datetime) -> None:
        """The participant leaves; the last one out ends the session."""
        if not participant.present:
            raise bad_request("The participant has already left the session.")
        self._depart(participant, reason, now)
        session = self.sessions[participant.session_id]
        if session.active and not self.present(session):
            self._close_session(session, now, "all_participants_left")

    def _depart(self, participant: ParticipantRecord, reason: str, now: datetime) -> None:
        participant.left_at = participant.updated_at = now
        participant.left_reason = reason
        self.sessions[participant.session_id].updated_at = now
        left = _payload(
            ParticipantLeftPayload,
            participant,
            participant_id=participant.id,
            duration_secs=_seconds(participant.joined_at, now),
        )
        self._emit(ParticipantLeft, left, now, participant.room_id)
        due = now + timedelta(seconds=self.settings.recording_processing_secs)
        for recording in self.recordings.values():
            if recording.participant_id == participant.id and recording.ended_at is None:
                recording.ended_at = recording.updated_at = now
                self.schedule(due, functools.partial(self._complete_recording, recording.id))

    def _close_session(self, session: SessionRecord, now: datetime, reason: str) -> None:
        session.active = False
        session.ended_at = session.updated_at = now
        room = self.rooms.get(session.room_id)
        if room is not None and room.active_session_id == session.id:
            room.active_session_id = None
            room.updated_at = now
        ended = _payload(
            SessionEndedPayload,
            session,
            session_id=session.id,
            duration_secs=_seconds(session.created_at, now),
            ended_reason=reason,
        )
        self._emit(SessionEnded, ended, now, session.room_id)

    def end_session(self, session: SessionRecord, now: datetime, reason: str = "ended") -> None:
        """End an active session, kicking everyone still in it."""
        if not session.active:
            raise bad_request("No private_ip for room")  # what the live API answers
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
            raise bad_request("The room session has ended.")
        wanted = None if participants in ("all", None) else set(participants)
        skipped = set(exclude)
        chosen = [
            p
            for p in self.present(session)
            if (wanted is None or p.id in wanted) and p.id not in skipped
        ]
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
        if session_id is None:
            raise EmulatorError(
                422, ErrorCode.MISSING_REQUIRED_PARAMETER, "session_id is required.",
                pointer="/session_id",
            )  # fmt: skip
        session = self.sessions.get(session_id)
        if session is None:
            raise EmulatorError(
                422,
                ErrorCode.ASSOCIATED_RESOURCE_DOES_NOT_EXIST,
                f"No room session with id {session_id!r} exists.",
                pointer="/session_id",
            )
        if session.active:
            raise bad_request(
                "A composition needs an ended session; this one is still active.",
                pointer="/session_id",
            )
        layout = self._layout(session, body.get("video_layout"))
        composition = CompositionRecord(
            id=str(uuid.uuid4()),
            room_id=session.room_id,
            session_id=session.id,
            user_id=self.settings.user_id,
            format=body.get("format") or "mp4",
            resolution=body.get("resolution") or "1280x720",
            created_at=now,
            updated_at=now,
            video_layout=layout,
            webhook_event_url=body.get("webhook_event_url"),
            webhook_event_failover_url=body.get("webhook_event_failover_url"),
            webhook_timeout_secs=body.get("webhook_timeout_secs"),
        )
        self.compositions[composition.id] = composition
        due = now + timedelta(seconds=self.settings.composition_queue_secs)
        self.schedule(due, functools.partial(self._advance_composition, composition.id))
        return composition

    def _layout(self, session: SessionRecord, layout: Any) -> dict[str, Any] | None:
        """The regions of a validated ``video_layout`` (known fields only), whose sources must
        be ``"*"`` or video recordings of the session."""
        if layout is None:
            return None
        videos = {
            r.id
            for r in self.recordings.values()
            if r.session_id == session.id and r.type == RecordingType.VIDEO.value
        }
        regions: dict[str, Any] = {}
        for name, region in layout.items():
            for index, source in enumerate(region.get("video_sources") or ()):
                if source != "*" and source not in videos:
                    raise bad_request(
                        f"{source!r} is not a video recording of room session {session.id}.",
                        pointer=f"/video_layout/{name.replace('~', '~0').replace('/', '~1')}"
                        f"/video_sources/{index}",
                    )
            regions[name] = {k: v for k, v in region.items() if k in _REGION_FIELDS}
        return regions

    # -- timed transitions -----------------------------------------------------------------

    def _complete_recording(self, recording_id: str, when: datetime) -> None:
        recording = self.recordings.get(recording_id)
        if recording is None or recording.ended_at is None:
            return
        duration = _seconds(recording.started_at, recording.ended_at)
        rate = 0.015 if recording.type == RecordingType.AUDIO.value else 0.25
        recording.status = RecordingStatus.COMPLETED.value
        recording.completed_at = recording.updated_at = when
        recording.duration_secs = duration
        recording.size_mb = round(max(duration, 1) * rate, 3)
        self.media.sign(recording, "recordings", when)
        payload = _payload(RecordingCompletedPayload, recording, recording_id=recording.id)
        self._emit(RecordingCompleted, payload, when, recording.room_id, recording.webhook)

    def _advance_composition(self, composition_id: str, when: datetime) -> None:
        composition = self.compositions.get(composition_id)
        if composition is None:
            return
        composition.updated_at = when
        if composition.status == CompositionStatus.ENQUEUED.value:
            composition.status = CompositionStatus.PROCESSING.value
            composition.started_at = when
            due = when + timedelta(seconds=self.settings.composition_processing_secs)
            self.schedule(due, functools.partial(self._advance_composition, composition.id))
            return
        session = self.sessions[composition.session_id]
        duration = _seconds(session.created_at, session.ended_at or session.created_at)
        composition.status = CompositionStatus.COMPLETED.value
        composition.ended_at = composition.completed_at = when
        composition.duration_secs = duration
        composition.size_mb = round(max(duration, 1) * 0.3, 3)
        self.media.sign(composition, "compositions", when)
        payload = _payload(CompositionCompletedPayload, composition, composition_id=composition.id)
        target = composition.webhook_target()
        self._emit(CompositionCompleted, payload, when, composition.room_id, target)
