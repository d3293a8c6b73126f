"""An aiohttp.web receiver: verify, parse and dispatch webhook deliveries."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, TypeAlias, TypeVar, overload

from aiohttp import web

from telnyx_video.errors import WebhookVerificationError
from telnyx_video.webhooks._dedupe import AnyDedupeStore
from telnyx_video.webhooks._events import VideoEvent, WebhookEvent
from telnyx_video.webhooks._gate import DEFAULT_BODY_TIMEOUT, Gate, check_body_timeout, logger
from telnyx_video.webhooks._verify import DEFAULT_TOLERANCE, Body, PublicKeys

__all__ = ["Handler", "WebhookReceiver"]

E = TypeVar("E", bound=WebhookEvent)
Handler: TypeAlias = Callable[[E], "Awaitable[object] | object"]
"""A sync or async callable taking one event; its return value is ignored."""

F = TypeVar("F", bound=Callable[[Any], object])

_ANY = "*"


class WebhookReceiver:
    """Receive Telnyx webhooks in an ``aiohttp.web`` app (or dispatch them from any framework).

    ::

        receiver = WebhookReceiver(public_key="...")   # or TELNYX_PUBLIC_KEY

        @receiver.on(SessionStarted)                   # by class (subclasses included) ...
        async def started(event: SessionStarted) -> None: ...

        @receiver.on("video.room.participant.left")    # ... or by event type string
        def left(event: WebhookEvent) -> None: ...

        app = web.Application()
        receiver.add_routes(app, "/webhooks/telnyx")   # or: app = receiver.create_app(path)

    Each delivery is verified, parsed and handed to every matching handler in registration
    order, then answered ``204``. Bad signatures, stale timestamps, malformed bodies and bodies
    that cannot be read (a bad ``Content-Encoding``, a broken upload) get ``400`` (with the
    reason as text) and reach no handler; a body that does not arrive within ``body_timeout``
    gets ``408``. A handler that raises is logged and the delivery answered ``500`` so that
    Telnyx retries it: keep handlers short (queue long work) and idempotent (``event.id``
    identifies an event across retries), or pass ``dedupe=`` to drop redeliveries.

    The public key is loaded once, when the receiver is created: a missing or malformed key
    fails there, not on the first delivery.
    """

    def __init__(
        self,
        public_key: PublicKeys | None = None,
        *,
        tolerance: float | None = DEFAULT_TOLERANCE,
        clock: Callable[[], float | datetime] | None = None,
        dedupe: AnyDedupeStore | None = None,
        body_timeout: float = DEFAULT_BODY_TIMEOUT,
    ) -> None:
        """Create a receiver.

        Args:
            public_key: see [`verify()`][telnyx_video.webhooks.verify]; defaults to
                ``TELNYX_PUBLIC_KEY``.
            tolerance: allowed clock skew / replay window in seconds (``None``: no check).
            clock: returns the current Unix time (for tests); defaults to the system clock.
            dedupe: a store of the event ids already handled (for example an
                [`LRUDedupeStore`][telnyx_video.webhooks.LRUDedupeStore]): a delivery of an
                event handled before is answered ``204`` without calling the handlers. An id
                is forgotten again when a handler raises, so the redelivery is handled.
            body_timeout: how many seconds to wait for the body once the headers arrived
                (finite, > 0); a client that stalls longer gets ``408``.

        Raises:
            ValueError: ``tolerance`` or ``body_timeout`` is out of range.
            TypeError: ``dedupe`` is not a dedupe store.
        """
        self._body_timeout = check_body_timeout(body_timeout)
        self._gate = Gate(public_key, tolerance=tolerance, clock=clock, dedupe=dedupe)
        self._handlers: list[tuple[str | type[WebhookEvent], Handler[Any]]] = []

    def __repr__(self) -> str:
        return f"<WebhookReceiver handlers={len(self._handlers)} tolerance={self._gate.tolerance}>"

    # -- registration ----------------------------------------------------------------------

    @overload
    def on(self, event: type[E]) -> Callable[[Handler[E]], Handler[E]]: ...

    @overload
    def on(self, event: str) -> Callable[[F], F]: ...

    def on(self, event: str | type[WebhookEvent]) -> Callable[[Handler[Any]], Handler[Any]]:
        """Register a handler (decorator) for an event class or an ``event_type`` string.

        A class matches its instances, so ``on(WebhookEvent)`` sees every event and
        ``on(UnknownEvent)`` every event type without a model; ``"*"`` also matches all. Handlers
        may be plain functions or coroutine functions. With a string, the handler gets whatever
        [`parse_event()`][telnyx_video.webhooks.parse_event] returns for that type (the typed class,
        or [`UnknownEvent`][telnyx_video.webhooks.UnknownEvent]); register the class to have that
        checked statically.
        """
        if isinstance(event, str):
            if not event:
                raise ValueError("the event type must be a non-empty string")
        elif not (isinstance(event, type) and issubclass(event, WebhookEvent)):
            raise TypeError(
                f"on() takes an event type string or a WebhookEvent subclass, not {event!r}"
            )

        def register(handler: Handler[Any]) -> Handler[Any]:
            if not callable(handler):
                raise TypeError(f"a webhook handler must be callable, not {handler!r}")
            self._handlers.append((event, handler))
            return handler

        return register

    def handlers_for(self, event: WebhookEvent) -> list[Handler[Any]]:
        """The handlers an event is dispatched to, in registration order."""
        matched = []
        for key, handler in self._handlers:
            if isinstance(key, str):
                if key in (_ANY, event.event_type):
                    matched.append(handler)
            elif isinstance(event, key):
                matched.append(handler)
        return matched

    # -- framework-agnostic core -----------------------------------------------------------

    def construct_event(self, body: Body, headers: Mapping[str, Any]) -> VideoEvent:
        """Verify a delivery with this receiver's key(s) and tolerance, and parse it (see
        [`construct_event()`][telnyx_video.webhooks.construct_event])."""
        return self._gate.construct_event(body, headers)

    async def dispatch(self, event: WebhookEvent) -> None:
        """Call every matching handler with ``event`` (awaiting async ones), in order."""
        for handler in self.handlers_for(event):
            result = handler(event)
            if inspect.isawaitable(result):
                await result

    # -- aiohttp.web -----------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The ``aiohttp.web`` request handler: mount it on a ``POST`` route."""
        try:
            async with asyncio.timeout(self._body_timeout):
                body = await request.read()
        except web.HTTPException:
            raise  # 413: over the application's client_max_size
        except TimeoutError:
            text = Gate.timed_out(self._body_timeout, request.remote)
            response = web.Response(status=408, text=text)
            response.force_close()
            return response
        except Exception as exc:  # a bad Content-Encoding, a broken chunked upload, ...
            response = web.Response(status=400, text=Gate.unreadable(exc, request.remote))
            response.force_close()
            return response
        try:
            event = self.construct_event(body, request.headers)
        except WebhookVerificationError as exc:
            return web.Response(status=400, text=Gate.rejected(exc, request.remote))
        try:
            async with self._gate.once_async(event) as fresh:
                if fresh:
                    await self.dispatch(event)
        except Exception:
            logger.exception(
                "webhook handler failed for %s event %s; answering 500 so Telnyx retries",
                event.event_type,
                event.id,
            )
            return web.Response(status=500, text="webhook handler failed\n")
        return web.Response(status=204)

    def add_routes(self, app: web.Application, path: str = "/") -> None:
        """Add ``POST path`` to ``app``, answered by
        [`handle()`][telnyx_video.webhooks.WebhookReceiver.handle]."""
        app.router.add_post(path, self.handle)

    def create_app(self, path: str = "/", **kwargs: Any) -> web.Application:
        """A new ``web.Application`` with this receiver at ``POST path``.

        ``kwargs`` go to ``web.Application`` (for example ``client_max_size``).
        """
        app = web.Application(**kwargs)
        self.add_routes(app, path)
        return app
