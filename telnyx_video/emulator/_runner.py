"""The emulator on a background thread, with blocking methods, for synchronous code.

The thread is a ``telnyx_video._loop_thread.LoopThread``; the blocking methods and the
properties are taken from [`Emulator`][telnyx_video.emulator.Emulator] (`_blocking()`,
`_attribute()`), so each exists once, with its signature and types, on ``Emulator``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from operator import attrgetter
from types import TracebackType
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from telnyx_video._loop_thread import LoopThread
from telnyx_video.emulator._emulator import Emulator
from telnyx_video.emulator._faults import FaultConfig

__all__ = ["EmulatorThread"]

P = ParamSpec("P")
R = TypeVar("R")

_NOT_RUNNING = "the emulator thread is not running; use 'with' or start()"


class _Blocking(Generic[P, R]):
    """An [`Emulator`][telnyx_video.emulator.Emulator] method, called on the emulator's loop
    from any thread and waited for (coroutine methods are awaited there): `_blocking()`."""

    def __init__(self, method: Callable[..., Any]) -> None:
        self._method = method

    @overload
    def __get__(self, thread: None, owner: type[Any]) -> _Blocking[P, R]: ...

    @overload
    def __get__(self, thread: EmulatorThread, owner: type[Any]) -> Callable[P, R]: ...

    def __get__(
        self, thread: EmulatorThread | None, owner: type[Any]
    ) -> _Blocking[P, R] | Callable[P, R]:
        if thread is None:
            return self
        method = self._method

        def blocking(*args: P.args, **kwargs: P.kwargs) -> R:
            result: R = thread._call(method, *args, **kwargs)
            return result

        return blocking


@overload
def _blocking(method: Callable[Concatenate[Emulator, P], Awaitable[R]]) -> _Blocking[P, R]: ...


@overload
def _blocking(method: Callable[Concatenate[Emulator, P], R]) -> _Blocking[P, R]: ...


def _blocking(method: Callable[..., Any]) -> _Blocking[..., Any]:
    """The blocking twin of an [`Emulator`][telnyx_video.emulator.Emulator] method."""
    return _Blocking(method)


class _Attribute(Generic[R]):
    """An [`Emulator`][telnyx_video.emulator.Emulator] property, read in the calling thread, or
    on the emulator's loop (``on_loop=True``) for state that the loop changes as it runs."""

    def __init__(self, prop: Callable[[Emulator], R], *, on_loop: bool = False) -> None:
        self._on_loop = on_loop
        self._name = ""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, thread: None, owner: type[Any]) -> _Attribute[R]: ...

    @overload
    def __get__(self, thread: EmulatorThread, owner: type[Any]) -> R: ...

    def __get__(self, thread: EmulatorThread | None, owner: type[Any]) -> _Attribute[R] | R:
        if thread is None:
            return self
        read: Callable[[Emulator], R] = attrgetter(self._name)
        value: R = thread._call(read) if self._on_loop else read(thread.emulator)
        return value


class EmulatorThread:
    """An [`Emulator`][telnyx_video.emulator.Emulator] served by its own event loop on a daemon
    thread.

    Takes the same arguments as [`Emulator`][telnyx_video.emulator.Emulator]; its methods block::

        with EmulatorThread(api_key="test-key") as emu:
            client = VideoClient(api_key=emu.api_key, base_url=emu.base_url)
            emu.join(room_id, token)
            emu.advance(10)

    Raises:
        RuntimeError: a method or property used before `start()` or after `close()`, or
            from the emulator's own thread.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._args = args
        self._kwargs = kwargs
        self._emulator: Emulator | None = None
        self._thread: LoopThread | None = None

    def __repr__(self) -> str:
        return f"<EmulatorThread {self._emulator!r}>"

    def start(self) -> EmulatorThread:
        """Start the thread and wait until the emulator is serving (idempotent)."""
        if self._thread is not None:
            return self
        thread = LoopThread(
            "telnyx-video-emulator",
            owner="EmulatorThread",
            hint="use the Emulator's own (async) methods there",
        )
        try:
            self._emulator = thread.call(self._serve)
        except BaseException:
            thread.stop()
            raise
        self._thread = thread
        return self

    async def _serve(self) -> Emulator:
        return await Emulator(*self._args, **self._kwargs).start()

    def close(self) -> None:
        """Stop the emulator and join the thread (idempotent)."""
        thread, self._thread = self._thread, None
        if thread is not None and self._emulator is not None:
            thread.stop(self._emulator.close)

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
            raise RuntimeError(_NOT_RUNNING)
        return self._emulator

    def _call(self, method: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """``method(emulator, ...)`` on the emulator's loop, awaited there if need be."""
        thread = self._thread
        if thread is None:
            raise RuntimeError(_NOT_RUNNING)
        emulator = self.emulator

        async def run() -> Any:
            result = method(emulator, *args, **kwargs)
            return await result if isinstance(result, Awaitable) else result

        return thread.call(run)

    base_url = _Attribute(Emulator.base_url)
    """The API base URL: ``http://127.0.0.1:<port>/v2``."""
    root_url = _Attribute(Emulator.root_url)
    """``http://127.0.0.1:<port>`` (control API under ``/_emulator/``)."""
    ui_url = _Attribute(Emulator.ui_url)
    """The dashboard: ``http://127.0.0.1:<port>/_emulator/ui``."""
    api_key = _Attribute(Emulator.api_key)
    """The API key the emulator accepts."""
    webhook_public_key = _Attribute(Emulator.webhook_public_key)
    """Base64 Ed25519 public key of webhook signatures."""
    fault_stats = _Attribute(Emulator.fault_stats)
    """Counters: API requests seen and faults injected."""
    response_violations = _Attribute(Emulator.response_violations)
    """Contract violations of sent responses (with ``check_responses=True``)."""
    webhook_deliveries = _Attribute(Emulator.webhook_deliveries, on_loop=True)
    """Every delivery attempt so far, oldest first (read on the emulator's loop)."""

    now = _blocking(Emulator.now)
    """[`Emulator.now()`][telnyx_video.emulator.Emulator.now]: the emulated current time."""
    join = _blocking(Emulator.join)
    """Blocking [`Emulator.join()`][telnyx_video.emulator.Emulator.join]."""
    leave = _blocking(Emulator.leave)
    """Blocking [`Emulator.leave()`][telnyx_video.emulator.Emulator.leave]."""
    advance = _blocking(Emulator.advance)
    """Blocking [`Emulator.advance()`][telnyx_video.emulator.Emulator.advance]."""
    reset = _blocking(Emulator.reset)
    """Blocking [`Emulator.reset()`][telnyx_video.emulator.Emulator.reset] (state, webhooks,
    faults and clock)."""
    wait_for_webhooks = _blocking(Emulator.wait_for_webhooks)
    """Blocking
    [`Emulator.wait_for_webhooks()`][telnyx_video.emulator.Emulator.wait_for_webhooks]."""

    def configure_faults(self, config: FaultConfig | None = None, **settings: Any) -> FaultConfig:
        """[`Emulator.configure_faults()`][telnyx_video.emulator.Emulator.configure_faults], applied
        on the emulator's loop."""
        # Spelled out: mypy cannot take a signature with **settings after self from a method.
        result: FaultConfig = self._call(Emulator.configure_faults, config, **settings)
        return result
