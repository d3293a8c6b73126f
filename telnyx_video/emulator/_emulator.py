"""The in-process emulator: an async context manager around the aiohttp app."""

from __future__ import annotations

import secrets
from datetime import datetime
from types import TracebackType
from typing import Any

from aiohttp import web

from telnyx_video.emulator._app import API_PREFIX, build_app
from telnyx_video.emulator._clock import Clock
from telnyx_video.emulator._core import Core
from telnyx_video.emulator._faults import FaultConfig, FaultStats
from telnyx_video.emulator._state import Settings
from telnyx_video.emulator._webhooks import DEFAULT_WEBHOOK_LOG_SIZE, WebhookDelivery
from telnyx_video.models import RoomParticipant

__all__ = ["Emulator"]

#: The longest configurable processing delay (a year), so scheduled instants stay valid.
_MAX_DELAY = 365 * 24 * 3600.0
#: How long closing waits for requests in flight before cancelling them.
_SHUTDOWN_TIMEOUT = 1.0


class Emulator:
    """A stateful, in-memory Telnyx Video API served over HTTP on loopback.

    ::

        async with Emulator(api_key="test-key") as emu:
            client = AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url)
            ...
            participant = await emu.join(room.id, token.token, context="Alice")
            await emu.advance(10)                       # recordings complete
            deliveries = await emu.wait_for_webhooks(5)

    ``clock`` (a [`Clock`][telnyx_video.emulator.Clock]) drives token expiry and processing. By
    default it follows real time, and timed transitions (recordings completing, compositions being
    picked up and finishing) happen by themselves when due, with their webhooks; with a frozen clock
    (``Clock(start=...)``) they happen only when
    [`advance()`][telnyx_video.emulator.Emulator.advance] moves time past them.
    [`advance()`][telnyx_video.emulator.Emulator.advance] works with either clock. The timings
    (``recording_processing_secs``, ``composition_queue_secs``, ``composition_processing_secs``) say
    how long recordings take to complete after a participant leaves, and compositions to be picked
    up and processed.

    ``faults`` (a [`FaultConfig`][telnyx_video.emulator.FaultConfig]) injects failures into API
    requests. ``check_responses=True`` validates every response against the contract and records
    problems in [`response_violations`][telnyx_video.emulator.Emulator.response_violations] (needs
    ``jsonschema``). ``api_key`` defaults to a random key.

    The control API under ``/_emulator/`` (join, leave, advance, reset, faults, the webhook
    log) answers loopback peers only, refuses requests made by web pages (an ``Origin`` or a
    cross-site ``Sec-Fetch-Site`` header) and takes JSON bodies only; it needs no API key.
    Set ``control_token`` to also require ``Authorization: Bearer <control_token>`` on it,
    e.g. when other local users or processes must not drive the emulator; media downloads
    (``/_emulator/media/...``, the ``download_url`` of recordings and compositions) stay open
    to loopback peers, like the pre-signed URLs they stand for.

    Webhooks go to loopback URLs only, one at a time per room and in order; each attempt is bounded
    by the room's (or composition's) ``webhook_timeout_secs`` (10 s when unset), so a receiver that
    never answers delays only its own room. [`close()`][telnyx_video.emulator.Emulator.close]
    cancels deliveries in flight. The delivery log
    ([`webhook_deliveries`][telnyx_video.emulator.Emulator.webhook_deliveries], ``GET
    /_emulator/webhooks``) keeps the latest ``webhook_log_size`` attempts (10,000 by default), so a
    long-running emulator does not grow without bound;
    [`wait_for_webhooks()`][telnyx_video.emulator.Emulator.wait_for_webhooks] still counts every
    attempt since the start or the last [`reset()`][telnyx_video.emulator.Emulator.reset].
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        faults: FaultConfig | None = None,
        check_responses: bool = False,
        recording_processing_secs: float = 5.0,
        composition_queue_secs: float = 1.0,
        composition_processing_secs: float = 10.0,
        video_codec: str = "vp8",
        control_token: str | None = None,
        webhook_log_size: int = DEFAULT_WEBHOOK_LOG_SIZE,
    ) -> None:
        if api_key is not None and (not isinstance(api_key, str) or not api_key.strip()):
            raise ValueError("api_key must be a non-empty string")
        if control_token is not None and (
            not isinstance(control_token, str) or not control_token.strip()
        ):
            raise ValueError("control_token must be a non-empty string")
        if (
            isinstance(webhook_log_size, bool)
            or not isinstance(webhook_log_size, int)
            or webhook_log_size < 1
        ):
            raise ValueError("webhook_log_size must be a positive integer")
        for name, value in (
            ("recording_processing_secs", recording_processing_secs),
            ("composition_queue_secs", composition_queue_secs),
            ("composition_processing_secs", composition_processing_secs),
        ):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 <= value <= _MAX_DELAY
            ):
                raise ValueError(f"{name} must be a number of seconds from 0 to {_MAX_DELAY}")
        self._host = host
        self._port = port
        settings = Settings(
            recording_processing_secs=recording_processing_secs,
            composition_queue_secs=composition_queue_secs,
            composition_processing_secs=composition_processing_secs,
            video_codec=video_codec,
        )
        self._core = Core(
            api_key=api_key or f"emulator-{secrets.token_urlsafe(16)}",
            clock=clock if clock is not None else Clock(),
            settings=settings,
            faults=faults,
            check_responses=check_responses,
            control_token=control_token,
            webhook_log_size=webhook_log_size,
        )
        self._app = build_app(self._core)
        self._runner: web.AppRunner | None = None
        self._root_url: str | None = None

    def __repr__(self) -> str:
        where = self._root_url or "not started"
        return f"<Emulator {where}>"

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> Emulator:
        """Bind and serve (idempotent); returns ``self``."""
        if self._runner is not None:
            return self
        runner = web.AppRunner(
            self._app, access_log=None, handle_signals=False, shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        host, port = runner.addresses[0][:2]
        host_text = f"[{host}]" if ":" in host else host
        self._root_url = f"http://{host_text}:{port}"
        self._core.settings.media_root = self._root_url
        return self

    async def close(self) -> None:
        """Stop serving, timed transitions and webhook deliveries, pending or in flight
        (idempotent)."""
        runner, self._runner = self._runner, None
        self._core.detach()
        await self._core.webhooks.close()
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- addresses and keys ----------------------------------------------------------------

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:<port>``: the control API lives under ``/_emulator/``."""
        if self._root_url is None:
            raise RuntimeError("the emulator is not started; use 'async with' or start()")
        return self._root_url

    @property
    def base_url(self) -> str:
        """The API base URL to give a client: ``http://127.0.0.1:<port>/v2``."""
        return self.root_url + API_PREFIX

    @property
    def api_key(self) -> str:
        """The only API key the emulator accepts."""
        return self._core.api_key

    @property
    def webhook_public_key(self) -> str:
        """Base64 Ed25519 public key that verifies the emulator's webhook signatures."""
        return self._core.webhooks.public_key

    @property
    def app(self) -> web.Application:
        """The aiohttp application (to mount or serve it yourself)."""
        return self._app

    @property
    def clock(self) -> Clock:
        """The emulator's clock."""
        return self._core.clock

    def now(self) -> datetime:
        """The emulated current time."""
        return self._core.clock.now()

    # -- control ---------------------------------------------------------------------------

    async def join(self, room_id: str, token: str, context: str | None = None) -> RoomParticipant:
        """A participant joins ``room_id`` with a client token from
        ``rooms.generate_join_client_token``; raises
        [`EmulatorError`][telnyx_video.emulator.EmulatorError] (403 for a bad or expired token or a
        full room, 404 for an unknown room).
        """
        return self._core.join(room_id, token, context).to_model()

    async def leave(self, participant_id: str) -> RoomParticipant:
        """The participant leaves; the last one out ends the session."""
        return self._core.leave(participant_id).to_model()

    async def advance(self, seconds: float) -> datetime:
        """Move the clock forward and apply what became due (recordings, compositions)."""
        return self._core.advance(seconds)

    async def reset(self) -> None:
        """Drop every resource, pending webhook, log entry and fault setting, and undo every
        [`advance()`][telnyx_video.emulator.Emulator.advance] (a frozen clock goes back to its
        start, a real-time one to real time).
        """
        await self._core.reset()

    async def wait_for_webhooks(
        self, count: int, timeout: float = 5.0, *, outcome: str | None = "delivered"
    ) -> list[WebhookDelivery]:
        """Wait until ``count`` delivery attempts with ``outcome`` happened since the start (or the
        last [`reset()`][telnyx_video.emulator.Emulator.reset]) and return the first ``count`` of
        them, oldest first.

        ``outcome=None`` counts every attempt (delivered, failed and skipped). Attempts that
        fell out of the log (more than ``webhook_log_size`` ago) count but cannot be
        returned. Raises `TimeoutError` listing what was recorded when ``timeout``
        runs out.
        """
        return await self._core.webhooks.wait_for(count, timeout, outcome)

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """The delivery attempts so far (the latest ``webhook_log_size``), oldest first."""
        return self._core.webhooks.log

    def configure_faults(self, config: FaultConfig | None = None, **settings: Any) -> FaultConfig:
        """Replace the fault settings: a [`FaultConfig`][telnyx_video.emulator.FaultConfig] or its
        fields as keywords.

        ``configure_faults()`` with nothing turns faults off. Counters keep counting.
        """
        if config is not None and settings:
            raise TypeError("pass a FaultConfig or keyword settings, not both")
        if config is None and settings:
            config = FaultConfig(**settings)
        return self._core.faults.configure(config)

    @property
    def fault_stats(self) -> FaultStats:
        """Counters: API requests seen and faults injected."""
        return self._core.faults.stats

    @property
    def response_violations(self) -> list[str]:
        """Contract violations of sent responses (with ``check_responses=True``)."""
        checker = self._core.checker
        return checker.violations if checker is not None else []
