"""Receive Telnyx webhooks in Django (``pip install 'telnyx-video[django]'``).

[`webhook_view()`][telnyx_video.webhooks.django.webhook_view] turns a function of the request
and the verified, typed event into a view::

    @webhook_view(dedupe=LRUDedupeStore())        # key from TELNYX_PUBLIC_KEY
    def telnyx_webhook(request: HttpRequest, event: VideoEvent) -> None:
        ...

    urlpatterns = [path("webhooks/telnyx", telnyx_webhook)]

The view verifies with [`construct_event()`][telnyx_video.webhooks.construct_event], answers
``400`` with the reason for a delivery that fails, and is exempt from CSRF checks (Telnyx
cannot send a CSRF token; the signature is the proof of origin).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, TypeAlias, cast, overload

try:
    from django.http import (
        HttpRequest,
        HttpResponse,
        HttpResponseBadRequest,
        HttpResponseNotAllowed,
    )
    from django.http.response import HttpResponseBase
    from django.views.decorators.csrf import csrf_exempt
except ImportError as exc:
    raise ImportError(
        "telnyx_video.webhooks.django needs Django: pip install 'telnyx-video[django]'"
    ) from exc

from telnyx_video.errors import WebhookVerificationError
from telnyx_video.webhooks._dedupe import AnyDedupeStore
from telnyx_video.webhooks._events import VideoEvent
from telnyx_video.webhooks._gate import Gate
from telnyx_video.webhooks._verify import DEFAULT_TOLERANCE, PublicKeys

__all__ = ["WebhookView", "webhook_view"]

P = ParamSpec("P")

_SyncView: TypeAlias = Callable[Concatenate[HttpRequest, VideoEvent, P], "HttpResponseBase | None"]
_AsyncView: TypeAlias = Callable[
    Concatenate[HttpRequest, VideoEvent, P], "Awaitable[HttpResponseBase | None]"
]


def _no_content() -> HttpResponse:
    return HttpResponse(status=204)


class WebhookView:
    """The decorator [`webhook_view()`][telnyx_video.webhooks.django.webhook_view] returns."""

    def __init__(self, gate: Gate) -> None:
        self._gate = gate

    def _event(self, request: HttpRequest) -> VideoEvent | HttpResponseBase:
        """The verified event, or the answer to a delivery that is not one."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        remote = request.META.get("REMOTE_ADDR")
        try:
            body = request.body  # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE
        except OSError as exc:  # UnreadablePostError: the client went away mid-body
            return HttpResponseBadRequest(Gate.unreadable(exc, remote), content_type="text/plain")
        try:
            return self._gate.construct_event(body, request.headers)
        except WebhookVerificationError as exc:
            return HttpResponseBadRequest(Gate.rejected(exc, remote), content_type="text/plain")

    @overload
    def __call__(
        self, view: _AsyncView[P]
    ) -> Callable[Concatenate[HttpRequest, P], Coroutine[Any, Any, HttpResponseBase]]: ...

    @overload
    def __call__(
        self, view: _SyncView[P]
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]: ...

    def __call__(
        self, view: _SyncView[P] | _AsyncView[P]
    ) -> (
        Callable[Concatenate[HttpRequest, P], HttpResponseBase]
        | Callable[Concatenate[HttpRequest, P], Coroutine[Any, Any, HttpResponseBase]]
    ):
        """Wrap ``view(request, event, *args, **kwargs)`` into a Django view."""
        if not callable(view):
            raise TypeError(f"webhook_view() decorates a view function, not {view!r}")
        if inspect.iscoroutinefunction(view):
            return csrf_exempt(self._async_view(view))
        self._gate.check_sync()
        return csrf_exempt(self._sync_view(cast("_SyncView[P]", view)))

    def _sync_view(
        self, view: _SyncView[P]
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            event = self._event(request)
            if isinstance(event, HttpResponseBase):
                return event
            with self._gate.once(event) as fresh:
                if not fresh:
                    return _no_content()
                response = view(request, event, *args, **kwargs)
            return response if response is not None else _no_content()

        return wrapper

    def _async_view(
        self, view: _AsyncView[P]
    ) -> Callable[Concatenate[HttpRequest, P], Coroutine[Any, Any, HttpResponseBase]]:
        @functools.wraps(view)
        async def wrapper(
            request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponseBase:
            event = self._event(request)
            if isinstance(event, HttpResponseBase):
                return event
            async with self._gate.once_async(event) as fresh:
                if not fresh:
                    return _no_content()
                response = await view(request, event, *args, **kwargs)
            return response if response is not None else _no_content()

        return wrapper


def webhook_view(
    public_key: PublicKeys | None = None,
    *,
    tolerance: float | None = DEFAULT_TOLERANCE,
    clock: Callable[[], float | datetime] | None = None,
    dedupe: AnyDedupeStore | None = None,
) -> WebhookView:
    """A decorator making ``view(request, event, *args, **kwargs)`` a webhook view.

    The view answers ``POST`` only (``405`` otherwise) and is CSRF-exempt. Each delivery is
    verified and parsed; one that fails is answered ``400`` with the reason and never reaches
    ``view``. ``view`` gets the typed event and may return a response (default ``204``). A
    coroutine function makes an async view. The body is read through ``request.body``, so
    Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bounds it; the server bounds the time to read it.

    Args:
        public_key: see [`verify()`][telnyx_video.webhooks.verify]; defaults to
            ``TELNYX_PUBLIC_KEY``. Loaded here, so a bad key fails at import time.
        tolerance: allowed clock skew / replay window in seconds (``None``: no check).
        clock: returns the current Unix time (for tests); defaults to the system clock.
        dedupe: a store of the event ids already handled, such as an
            [`LRUDedupeStore`][telnyx_video.webhooks.LRUDedupeStore]: a duplicate is answered
            ``204`` without calling ``view``; an id is forgotten again when ``view`` raises, so
            that Telnyx's redelivery is handled. A sync view needs a
            [`DedupeStore`][telnyx_video.webhooks.DedupeStore]; an async view takes either
            flavour.

    Raises:
        ConfigurationError: no key was given and ``TELNYX_PUBLIC_KEY`` is unset.
        WebhookVerificationError: a key is malformed or weak.
        ValueError: ``tolerance`` is out of range.
        TypeError: ``dedupe`` is not a dedupe store (or an async one for a sync view).
    """
    return WebhookView(Gate(public_key, tolerance=tolerance, clock=clock, dedupe=dedupe))
