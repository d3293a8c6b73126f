"""The emulator's moving parts, shared by the HTTP app and the in-process API."""

from __future__ import annotations

from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from telnyx_video.emulator._checking import ResponseChecker
from telnyx_video.emulator._clock import Clock
from telnyx_video.emulator._faults import FaultConfig, Faults
from telnyx_video.emulator._records import ParticipantRecord
from telnyx_video.emulator._state import Settings, State
from telnyx_video.emulator._tokens import TokenIssuer
from telnyx_video.emulator._webhooks import WebhookDispatcher

__all__ = ["Core"]


class Core:
    """State, clock, webhooks, faults and response checks of one emulator."""

    def __init__(
        self,
        *,
        api_key: str,
        clock: Clock,
        settings: Settings,
        faults: FaultConfig | None,
        check_responses: bool,
        signing_key: Ed25519PrivateKey | None = None,
    ) -> None:
        self.api_key = api_key
        self.api_key_bytes = api_key.encode()
        self.clock = clock
        self.settings = settings
        self.tokens = TokenIssuer()
        self.state = State(settings, self.tokens)
        self.webhooks = WebhookDispatcher(signing_key)
        self.faults = Faults(faults)
        self.checker = ResponseChecker() if check_responses else None

    def sync(self) -> datetime:
        """Apply the transitions due by now and hand new events to the dispatcher."""
        now = self.clock.now()
        state = self.state
        if state._due and state._due[0][0] <= now:
            state.tick(now)
        self.flush()
        return now

    def flush(self) -> None:
        """Queue the events the state produced for delivery, in order."""
        outbox = self.state.outbox
        if outbox:
            for event in outbox:
                self.webhooks.submit(event)
            outbox.clear()

    def join(self, room_id: str, token: object, context: str | None) -> ParticipantRecord:
        """A participant joins a room with a client token."""
        now = self.sync()
        participant = self.state.join(room_id, token, context, now)
        self.flush()
        return participant

    def leave(self, participant_id: str) -> ParticipantRecord:
        """A participant leaves its session."""
        now = self.sync()
        participant = self.state.participant(participant_id)
        self.state.leave(participant, "left", now)
        self.flush()
        return participant

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward and apply what became due."""
        self.clock.advance(seconds)
        return self.sync()

    async def reset(self) -> None:
        """Drop every record, pending delivery, log entry and fault setting.

        Response-check violations are kept: they belong to whoever checks them.
        """
        await self.webhooks.reset()
        self.state = State(self.settings, self.tokens)
        self.faults.configure(None)
        self.faults.stats.requests_seen = 0
        self.faults.stats.faults_injected = 0
        self.faults.stats.by_kind.clear()
