"""The emulator on a background thread, with blocking methods, for synchronous code."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

from telnyx_video.emulator._emulator import Emulator
from telnyx_video.emulator._faults import FaultConfig, FaultStats
from telnyx_video.emulator._webhooks import WebhookDelivery
from telnyx_video.models import RoomParticipant

__all__ = ["EmulatorThread"]

T = TypeVar("T")


class EmulatorThread:
    """An [`Emulator`][telnyx_video.emulator.Emulator] served by its own event loop on a daemon
    thread.

    Takes the same arguments as [`Emulator`][telnyx_video.emulator.Emulator]; its methods block::

        with EmulatorThread(api_key="test-key") as emu:
            client = VideoClient(api_key=emu.api_key, base_url=emu.base_url)
            emu.join(room_id, token)
            emu.advance(10)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._args = args
        self._kwargs = kwargs
        self._emulator: Emulator | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None

    def __repr__(self) -> str:
        return f"<EmulatorThread {self._emulator!r}>"

    def start(self) -> EmulatorThread:
        """Start the thread and wait until the emulator is serving (idempotent)."""
        if self._thread is not None:
            return self
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        thread = threading.Thread(
            target=self._serve, args=(ready,), name="telnyx-video-emulator", daemon=True
        )
        thread.start()
        try:
            ready.result()
        except BaseException:
            thread.join()
            raise
        self._thread = thread
        return self

    def _serve(self, ready: concurrent.futures.Future[None]) -> None:
        asyncio.run(self._main(ready))

    async def _main(self, ready: concurrent.futures.Future[None]) -> None:
        try:
            emulator = Emulator(*self._args, **self._kwargs)
            await emulator.start()
        except BaseException as exc:
            ready.set_exception(exc)
            return
        self._emulator = emulator
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        ready.set_result(None)
        try:
            await self._stopped.wait()
        finally:
            await emulator.close()

    def close(self) -> None:
        """Stop the emulator and join the thread (idempotent)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        assert self._loop is not None
        assert self._stopped is not None
        self._loop.call_soon_threadsafe(self._stopped.set)
        thread.join()

    def __enter__(self) -> EmulatorThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def emulator(self) -> Emulator:
        """The underlying [`Emulator`][telnyx_video.emulator.Emulator] (use its async methods on its
        own loop only)."""
        if self._emulator is None or self._thread is None:
            raise RuntimeError("the emulator thread is not running; use 'with' or start()")
        return self._emulator

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        emulator_loop = self._loop
        if emulator_loop is None or self._thread is None:
            coro.close()
            raise RuntimeError("the emulator thread is not running; use 'with' or start()")
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("blocking EmulatorThread methods cannot run on its own thread")
        return asyncio.run_coroutine_threadsafe(coro, emulator_loop).result(timeout)

    @property
    def base_url(self) -> str:
        """The API base URL: ``http://127.0.0.1:<port>/v2``."""
        return self.emulator.base_url

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:<port>`` (control API under ``/_emulator/``)."""
        return self.emulator.root_url

    @property
    def ui_url(self) -> str:
        """The dashboard: ``http://127.0.0.1:<port>/_emulator/ui`` (see
        [`Emulator.ui_url`][telnyx_video.emulator.Emulator.ui_url])."""
        return self.emulator.ui_url

    @property
    def api_key(self) -> str:
        """The API key the emulator accepts."""
        return self.emulator.api_key

    @property
    def webhook_public_key(self) -> str:
        """Base64 Ed25519 public key of webhook signatures."""
        return self.emulator.webhook_public_key

    def now(self) -> datetime:
        """The emulated current time."""
        return self.emulator.now()

    def join(self, room_id: str, token: str, context: str | None = None) -> RoomParticipant:
        """Blocking [`Emulator.join()`][telnyx_video.emulator.Emulator.join]."""
        return self._run(self.emulator.join(room_id, token, context))

    def leave(self, participant_id: str) -> RoomParticipant:
        """Blocking [`Emulator.leave()`][telnyx_video.emulator.Emulator.leave]."""
        return self._run(self.emulator.leave(participant_id))

    def advance(self, seconds: float) -> datetime:
        """Blocking [`Emulator.advance()`][telnyx_video.emulator.Emulator.advance]."""
        return self._run(self.emulator.advance(seconds))

    def reset(self) -> None:
        """Blocking [`Emulator.reset()`][telnyx_video.emulator.Emulator.reset] (state, webhooks,
        faults and clock)."""
        self._run(self.emulator.reset())

    def wait_for_webhooks(
        self, count: int, timeout: float = 5.0, *, outcome: str | None = "delivered"
    ) -> list[WebhookDelivery]:
        """Blocking
        [`Emulator.wait_for_webhooks()`][telnyx_video.emulator.Emulator.wait_for_webhooks]."""
        return self._run(self.emulator.wait_for_webhooks(count, timeout, outcome=outcome))

    def configure_faults(self, config: FaultConfig | None = None, **settings: Any) -> FaultConfig:
        """[`Emulator.configure_faults()`][telnyx_video.emulator.Emulator.configure_faults], applied
        on the emulator's loop."""

        async def configure() -> FaultConfig:
            return self.emulator.configure_faults(config, **settings)

        return self._run(configure())

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Every delivery attempt so far, oldest first."""

        async def read() -> list[WebhookDelivery]:
            return self.emulator.webhook_deliveries

        return self._run(read())

    @property
    def fault_stats(self) -> FaultStats:
        """Counters: API requests seen and faults injected."""
        return self.emulator.fault_stats

    @property
    def response_violations(self) -> list[str]:
        """Contract violations of sent responses (with ``check_responses=True``)."""
        return self.emulator.response_violations
