"""The emulator's moving parts, shared by the HTTP app and the in-process API."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telnyx_video.emulator._clock import Clock, Scheduler
from telnyx_video.emulator._faults import FaultConfig, Faults
from telnyx_video.emulator._media import MediaLinks
from telnyx_video.emulator._records import ParticipantRecord
from telnyx_video.emulator._settings import Settings
from telnyx_video.emulator._state import State
from telnyx_video.emulator._tokens import TokenIssuer
from telnyx_video.emulator._validation import ResponseChecker
from telnyx_video.emulator._webhooks import WebhookDispatcher

__all__ = ["Core"]

logger = logging.getLogger("telnyx_video.emulator")


class Core:
    """State, clock, scheduler, webhooks, faults and response checks of one emulator."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock,
        faults: FaultConfig | None = None,
        check_responses: bool = False,
        any_host: bool = False,
    ) -> None:
        self.settings = settings
        self.api_key_bytes = settings.api_key.encode()
        token = settings.control_token
        self.control_token_bytes = token.encode() if token is not None else None
        self.any_host = any_host
        """Whether requests may name any ``Host`` (the emulator was bound to a public address)."""
        self.clock = clock
        self.media = MediaLinks(settings.media_url_ttl_secs)
        self.tokens = TokenIssuer()
        self.faults = Faults(faults)
        self.webhooks = WebhookDispatcher(
            faults=self.faults,
            wait=self.wait,
            retry_delays=settings.webhook_retry_delays,
            log_size=settings.webhook_log_size,
        )
        self.checker = ResponseChecker() if check_responses else None
        self.scheduler = Scheduler()
        self.state = State(settings, self.tokens, self.scheduler.at, self.media)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_due: datetime | None = None

    def serve_media_from(self, root_url: str) -> None:
        """Make ``download_url`` point under ``root_url`` (known once the server is bound)."""
        self.media.root = root_url

    # -- what is due, on a real-time clock -------------------------------------------------

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Run what falls due on ``loop`` by itself when the clock follows real time; with a
        frozen clock only ``advance()`` moves time, so nothing is timed."""
        self._loop = loop if not self.clock.frozen else None
        self._arm()

    def detach(self) -> None:
        """Stop the timer (the emulator is closing)."""
        self._loop = None
        self._arm()

    def _arm(self) -> None:
        """Point the timer at the earliest due instant (or cancel it)."""
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        due, loop = self.scheduler.next_due, self._loop
        self._timer_due = due
        if due is None or loop is None or loop.is_closed():
            return
        delay = (due - self.clock.now()).total_seconds()
        # A millisecond late rather than early: datetime and the loop's clock differ slightly.
        self._timer = loop.call_later(max(0.0, delay) + 0.001, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = self._timer_due = None
        try:
            self.sync()
        except Exception:  # a bug must not stop later transitions
            logger.exception("emulator: applying timed transitions failed")
            self.state.outbox.clear()
            self._arm()

    async def wait(self, seconds: float) -> None:
        """Wait ``seconds`` on the emulator's clock (a frozen clock: until advanced past)."""
        if seconds <= 0:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake(_: datetime) -> None:
            if not done.done():
                done.set_result(None)

        self.scheduler.at(self.clock.now() + timedelta(seconds=seconds), wake)
        self.flush()
        await done

    # -- state changes ---------------------------------------------------------------------

    def sync(self) -> datetime:
        """Run what is due by now and hand new events to the dispatcher."""
        now = self.clock.now()
        due = self.scheduler.next_due
        if due is not None and due <= now:
            self.scheduler.run_due(now)
        self.flush()
        return now

    def flush(self) -> None:
        """Queue the events the state produced for delivery, in order, and point the timer at
        the next due instant."""
        outbox = self.state.outbox
        for item in outbox:
            self.webhooks.submit(item)
        outbox.clear()
        if self._loop is not None and self.scheduler.next_due != self._timer_due:
            self._arm()

    def join(self, room_id: str, token: object, context: object) -> ParticipantRecord:
        """A participant joins a room with a client token."""
        participant = self.state.join(room_id, token, context, self.sync())
        self.flush()
        return participant

    def leave(self, participant_id: str) -> ParticipantRecord:
        """A participant leaves its session."""
        now = self.sync()
        participant: ParticipantRecord = self.state.find("room_participant_id", participant_id)
        self.state.leave(participant, "left", now)
        self.flush()
        return participant

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward and run what became due."""
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
        self.scheduler = Scheduler()
        self.state = State(self.settings, self.tokens, self.scheduler.at, self.media)
        self.clock.reset()
        self._arm()
        self.faults.configure(None)
        self.faults.stats.requests_seen = self.faults.stats.faults_injected = 0
        self.faults.stats.by_kind.clear()
        await self.webhooks.stopped(stopping)
