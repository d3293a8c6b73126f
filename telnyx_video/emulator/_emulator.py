"""The in-process emulator: an async context manager around the aiohttp app."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from types import TracebackType
from typing import Any

from aiohttp import web

from telnyx_video.emulator import _api, _control, _dashboard
from telnyx_video.emulator._clock import Clock
from telnyx_video.emulator._core import Core
from telnyx_video.emulator._faults import FaultConfig, FaultStats
from telnyx_video.emulator._http import API_PREFIX, CONTROL_PREFIX, new_app
from telnyx_video.emulator._loopback import is_loopback_host
from telnyx_video.emulator._records import PARTICIPANTS
from telnyx_video.emulator._settings import DEFAULT_RETRY_DELAYS, DEFAULT_WEBHOOK_LOG_SIZE, Settings
from telnyx_video.emulator._webhooks import WebhookDelivery
from telnyx_video.models import RoomParticipant

__all__ = ["Emulator"]

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

    ``clock`` (a [`Clock`][telnyx_video.emulator.Clock]) drives token expiry, processing and
    webhook retries. By default it follows real time, and what falls due (recordings
    completing, compositions being picked up and finishing, webhook retries) happens by itself;
    with a frozen clock (``Clock(start=...)``) it happens only when
    [`advance()`][telnyx_video.emulator.Emulator.advance] moves time past it. The timings
    (``recording_processing_secs``, ``composition_queue_secs``, ``composition_processing_secs``)
    say how long recordings take to complete after a participant leaves, and compositions to be
    picked up and processed.

    Webhooks go to loopback URLs only, one at a time per room and in order: up to 3 attempts
    per URL, ``webhook_retry_delays`` seconds apart on the emulator's clock (1 s then 2 s by
    default), then as many to the failover URL; each attempt is bounded by the resource's
    ``webhook_timeout_secs`` (2 s when null). [`close()`][telnyx_video.emulator.Emulator.close]
    cancels deliveries in flight. The delivery log
    ([`webhook_deliveries`][telnyx_video.emulator.Emulator.webhook_deliveries], ``GET
    /_emulator/webhooks``) keeps the latest ``webhook_log_size`` attempts.

    ``faults`` (a [`FaultConfig`][telnyx_video.emulator.FaultConfig]) injects failures into API
    requests and webhook deliveries. ``check_responses=True`` validates every response against
    the contract and records problems in
    [`response_violations`][telnyx_video.emulator.Emulator.response_violations]. ``strict=True``
    refuses unknown ``filter[...]`` members (the real API ignores them, and so does the emulator
    by default, logging them). ``api_key`` defaults to a random key.

    The emulator answers requests naming a loopback ``Host`` only (against DNS rebinding),
    unless ``host`` is a non-loopback address, which serves other machines on purpose. The
    control API under ``/_emulator/`` (join, leave, advance, reset, faults, the webhook log, a
    snapshot) answers loopback peers only, refuses requests made by web pages (an ``Origin`` or a
    cross-site ``Sec-Fetch-Site`` header) and takes JSON bodies only; it needs no API key. Set
    ``control_token`` to also require ``Authorization: Bearer <control_token>`` on it; media
    downloads (``/_emulator/media/...``, the ``download_url`` of recordings and compositions)
    need no token: like the pre-signed storage URLs they stand for, each link is signed and
    works for ``media_url_ttl_secs`` on the emulator's clock (then ``403``); the API shows a
    fresh link once one is past half its life.

    Raises:
        ValueError: for a setting out of range (a negative delay, a blank key...).
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
        strict: bool = False,
        recording_processing_secs: float = 5.0,
        composition_queue_secs: float = 1.0,
        composition_processing_secs: float = 10.0,
        video_codec: str = "vp8",
        control_token: str | None = None,
        webhook_log_size: int = DEFAULT_WEBHOOK_LOG_SIZE,
        webhook_retry_delays: Iterable[float] = DEFAULT_RETRY_DELAYS,
        media_url_ttl_secs: float = 600.0,
    ) -> None:
        given = {"api_key": api_key} if api_key is not None else {}
        settings = Settings(
            **given,
            control_token=control_token,
            recording_processing_secs=recording_processing_secs,
            composition_queue_secs=composition_queue_secs,
            composition_processing_secs=composition_processing_secs,
            video_codec=video_codec,
            webhook_retry_delays=webhook_retry_delays,
            webhook_log_size=webhook_log_size,
            media_url_ttl_secs=media_url_ttl_secs,
            strict=strict,
        )
        self._host = host
        self._port = port
        self._core = Core(
            settings,
            clock=clock if clock is not None else Clock(),
            faults=faults,
            check_responses=check_responses,
            any_host=not is_loopback_host(host),
        )
        self._app = new_app(self._core)
        _api.add_routes(self._app.router, API_PREFIX)
        _control.add_routes(self._app.router, CONTROL_PREFIX.rstrip("/"))
        _dashboard.add_routes(self._app.router)
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
        self._core.serve_media_from(self._root_url)
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
    def ui_url(self) -> str:
        """The dashboard, a page that shows and drives the emulator:
        ``http://127.0.0.1:<port>/_emulator/ui`` (add ``#token=<control token>`` when one
        is set, or enter it when the page asks)."""
        return self.root_url + _dashboard.UI_PATH

    @property
    def api_key(self) -> str:
        """The only API key the emulator accepts."""
        return self._core.settings.api_key

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
        return PARTICIPANTS.to_model(self._core.join(room_id, token, context))

    async def leave(self, participant_id: str) -> RoomParticipant:
        """The participant leaves; the last one out ends the session."""
        return PARTICIPANTS.to_model(self._core.leave(participant_id))

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
