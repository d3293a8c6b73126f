"""The emulator's moving parts, shared by the HTTP app and the in-process API."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from telnyx_video.emulator._checking import ResponseChecker
from telnyx_video.emulator._clock import Clock
from telnyx_video.emulator._faults import FaultConfig, Faults
from telnyx_video.emulator._records import ParticipantRecord
from telnyx_video.emulator._state import Settings, State
from telnyx_video.emulator._tokens import TokenIssuer
from telnyx_video.emulator._webhooks import DEFAULT_WEBHOOK_LOG_SIZE, WebhookDispatcher

__all__ = ["Core"]

logger = logging.getLogger("telnyx_video.emulator")


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
        control_token: str | None = None,
        webhook_log_size: int = DEFAULT_WEBHOOK_LOG_SIZE,
    ) -> None:
        self.api_key = api_key
        self.api_key_bytes = api_key.encode()
        self.control_token_bytes = control_token.encode() if control_token is not None else None
        self.clock = clock
        self.settings = settings
        self.tokens = TokenIssuer()
        self.state = State(settings, self.tokens)
        self.webhooks = WebhookDispatcher(signing_key, log_size=webhook_log_size)
        self.faults = Faults(faults)
        self.checker = ResponseChecker() if check_responses else None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_due: datetime | None = None

    # -- timed transitions on a real-time clock --------------------------------------------

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Apply timed transitions on ``loop`` as they fall due, when the clock follows real
        time; with a frozen clock only `advance()` moves time, so nothing is scheduled.
        """
        self._loop = loop if not self.clock.frozen else None
        self._arm()

    def detach(self) -> None:
        """Stop the transition timer (the emulator is closing)."""
        self._loop = None
        self._arm()

    def _arm(self) -> None:
        """Point the timer at the earliest pending transition (or cancel it)."""
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        due = self.state._due
        loop = self._loop
        if not due or loop is None or loop.is_closed():
            self._timer_due = None
            return
        when = self._timer_due = due[0][0]
        delay = (when - self.clock.now()).total_seconds()
        # A millisecond late rather than early: datetime and the loop's clock differ slightly.
        self._timer = loop.call_later(max(0.0, delay) + 0.001, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_due = None
        try:
            self.sync()
        except Exception:  # a bug must not stop later transitions
            logger.exception("emulator: applying timed transitions failed")
            self.state.outbox.clear()
            self._arm()

    # -- state changes ---------------------------------------------------------------------

    def sync(self) -> datetime:
        """Apply the transitions due by now and hand new events to the dispatcher."""
        now = self.clock.now()
        state = self.state
        if state._due and state._due[0][0] <= now:
            state.tick(now)
        self.flush()
        return now

    def flush(self) -> None:
        """Queue the events the state produced for delivery, in order, and rearm the timer
        for the next timed transition."""
        outbox = self.state.outbox
        if outbox:
            for event in outbox:
                self.webhooks.submit(event)
            outbox.clear()
        if self._loop is not None:
            due = self.state._due
            if (due[0][0] if due else None) != self._timer_due:
                self._arm()

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
        """Drop every record, pending delivery, log entry and fault setting, and rewind the
        clock (see [`Clock.reset()`][telnyx_video.emulator.Clock.reset]).

        Response-check violations are kept: they belong to whoever checks them.
        """
        # All at once, with no await in between: a request handled meanwhile sees either the
        # old emulator or the new one, never half of each.
        stopping = self.webhooks.discard()
        self.state = State(self.settings, self.tokens)
        self.clock.reset()
        self._arm()
        self.faults.configure(None)
        self.faults.stats.requests_seen = 0
        self.faults.stats.faults_injected = 0
        self.faults.stats.by_kind.clear()
        await self.webhooks.stopped(stopping)
