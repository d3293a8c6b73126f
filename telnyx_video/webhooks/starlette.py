"""Receive Telnyx webhooks in FastAPI or Starlette (``pip install 'telnyx-video[fastapi]'``).

A [`WebhookVerifier`][telnyx_video.webhooks.starlette.WebhookVerifier] is a FastAPI dependency
that yields the verified, typed event::

    verified_event = WebhookVerifier(dedupe=LRUDedupeStore())   # key from TELNYX_PUBLIC_KEY

    @app.post("/webhooks", status_code=204)
    async def webhooks(event: Annotated[VideoEvent, Depends(verified_event)]) -> None:
        ...

and, for Starlette, makes an endpoint that calls your handler::

    Route("/webhooks", verified_event.endpoint(handle), methods=["POST"])

Both verify with [`construct_event()`][telnyx_video.webhooks.construct_event] and answer
``400`` with the reason for a delivery that fails.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import TypeAlias

try:
    import anyio
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException
    from starlette.requests import ClientDisconnect, Request
    from starlette.responses import PlainTextResponse, Response
except ImportError as exc:
    raise ImportError(
        "telnyx_video.webhooks.starlette needs Starlette (FastAPI brings it): "
        "pip install 'telnyx-video[starlette]' or 'telnyx-video[fastapi]'"
    ) from exc

from telnyx_video.errors import WebhookVerificationError
from telnyx_video.webhooks._dedupe import AnyDedupeStore
from telnyx_video.webhooks._events import VideoEvent
from telnyx_video.webhooks._gate import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_MAX_BODY_SIZE,
    Gate,
    check_body_timeout,
    check_max_body_size,
)
from telnyx_video.webhooks._verify import DEFAULT_TOLERANCE, PublicKeys

__all__ = ["EventHandler", "WebhookVerifier"]

EventHandler: TypeAlias = Callable[[VideoEvent], "Awaitable[Response | None] | Response | None"]
"""What [`endpoint()`][..WebhookVerifier.endpoint] calls: a coroutine function (or a plain one,
run in Starlette's thread pool) taking the event; it may return a response (default ``204``)."""


class WebhookVerifier:
    """Verify deliveries in Starlette or FastAPI: a FastAPI dependency, or an endpoint factory.

    A delivery that fails verification is answered ``400`` (the reason in the body), one over
    ``max_body_size`` ``413``, one whose body does not arrive within ``body_timeout`` ``408``.
    With ``dedupe``, a delivery of an event already handled is answered ``204`` without
    reaching your code; the event id is forgotten again when your code raises, so that
    Telnyx's redelivery is handled.
    """

    def __init__(
        self,
        public_key: PublicKeys | None = None,
        *,
        tolerance: float | None = DEFAULT_TOLERANCE,
        clock: Callable[[], float | datetime] | None = None,
        dedupe: AnyDedupeStore | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        body_timeout: float = DEFAULT_BODY_TIMEOUT,
    ) -> None:
        """Load the key(s) and check the settings (so a bad key fails at start-up).

        Args:
            public_key: see [`verify()`][telnyx_video.webhooks.verify]; defaults to
                ``TELNYX_PUBLIC_KEY``.
            tolerance: allowed clock skew / replay window in seconds (``None``: no check).
            clock: returns the current Unix time (for tests); defaults to the system clock.
            dedupe: a [`DedupeStore`][telnyx_video.webhooks.DedupeStore] or
                [`AsyncDedupeStore`][telnyx_video.webhooks.AsyncDedupeStore] of the event ids
                already handled, such as an
                [`LRUDedupeStore`][telnyx_video.webhooks.LRUDedupeStore].
            max_body_size: the largest body read, in bytes.
            body_timeout: how many seconds to wait for the body once the headers arrived.

        Raises:
            ConfigurationError: no key was given and ``TELNYX_PUBLIC_KEY`` is unset.
            WebhookVerificationError: a key is malformed or weak.
            ValueError: a setting is out of range.
            TypeError: ``dedupe`` is not a dedupe store.
        """
        self._max_body_size = check_max_body_size(max_body_size)
        self._body_timeout = check_body_timeout(body_timeout)
        self._gate = Gate(public_key, tolerance=tolerance, clock=clock, dedupe=dedupe)

    def __repr__(self) -> str:
        return f"<WebhookVerifier tolerance={self._gate.tolerance}>"

    async def read_event(self, request: Request) -> VideoEvent:
        """Read the request's body and turn it into the verified event (no dedupe).

        Raises:
            HTTPException: ``400`` (with the reason), ``408`` or ``413``.
        """
        remote = request.client.host if request.client else None
        body = await self._read_body(request, remote)
        try:
            return self._gate.construct_event(body, request.headers)
        except WebhookVerificationError as exc:
            raise HTTPException(400, Gate.rejected(exc, remote).strip()) from None

    async def _read_body(self, request: Request, remote: str | None) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_body_size:
            raise HTTPException(413, Gate.too_large(self._max_body_size, remote).strip())
        chunks: list[bytes] = []
        size = 0
        try:
            with anyio.fail_after(self._body_timeout):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > self._max_body_size:
                        text = Gate.too_large(self._max_body_size, remote)
                        raise HTTPException(413, text.strip())
                    chunks.append(chunk)
        except TimeoutError:
            raise HTTPException(408, Gate.timed_out(self._body_timeout, remote).strip()) from None
        except ClientDisconnect as exc:
            raise HTTPException(400, Gate.unreadable(exc, remote).strip()) from None
        return b"".join(chunks)

    async def __call__(self, request: Request) -> AsyncIterator[VideoEvent]:
        """The FastAPI dependency: yields the verified event to the path operation.

        ``Annotated[VideoEvent, Depends(verifier)]``. A duplicate ends the request with ``204``
        before the path operation runs.

        Raises:
            HTTPException: ``400``, ``408`` or ``413`` for a bad delivery; ``204`` for a
                duplicate.
        """
        event = await self.read_event(request)
        async with self._gate.once_async(event) as fresh:
            if not fresh:
                raise HTTPException(204)
            yield event

    def endpoint(self, handler: EventHandler) -> Callable[[Request], Awaitable[Response]]:
        """A Starlette endpoint (mount it on a ``POST`` route) that calls ``handler`` with each
        verified event and answers ``204`` (or what ``handler`` returns)."""
        if not callable(handler):
            raise TypeError(f"a webhook handler must be callable, not {handler!r}")
        is_async = inspect.iscoroutinefunction(handler)

        async def endpoint(request: Request) -> Response:
            try:
                event = await self.read_event(request)
            except HTTPException as exc:
                return PlainTextResponse(f"{exc.detail}\n", status_code=exc.status_code)
            async with self._gate.once_async(event) as fresh:
                if not fresh:
                    return Response(status_code=204)
                result = handler(event) if is_async else await run_in_threadpool(handler, event)
                if inspect.isawaitable(result):
                    result = await result
            return result if isinstance(result, Response) else Response(status_code=204)

        endpoint.__name__ = getattr(handler, "__name__", "webhook_endpoint")
        endpoint.__doc__ = getattr(handler, "__doc__", None)
        return endpoint
