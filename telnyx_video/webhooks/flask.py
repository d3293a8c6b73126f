"""Receive Telnyx webhooks in Flask (``pip install 'telnyx-video[flask]'``).

[`webhook_view()`][telnyx_video.webhooks.flask.webhook_view] turns a function of the verified,
typed event into a view::

    @app.post("/webhooks/telnyx")
    @webhook_view(dedupe=LRUDedupeStore())        # key from TELNYX_PUBLIC_KEY
    def telnyx_webhook(event: VideoEvent) -> None:
        ...

The view verifies with [`construct_event()`][telnyx_video.webhooks.construct_event] and answers
``400`` with the reason for a delivery that fails.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Concatenate, ParamSpec, TypeAlias, cast

try:
    from flask import Response, request
    from flask.typing import ResponseReturnValue
except ImportError as exc:
    raise ImportError(
        "telnyx_video.webhooks.flask needs Flask: pip install 'telnyx-video[flask]'"
    ) from exc

from telnyx_video.errors import WebhookVerificationError
from telnyx_video.webhooks._dedupe import DedupeStore
from telnyx_video.webhooks._events import VideoEvent
from telnyx_video.webhooks._gate import DEFAULT_MAX_BODY_SIZE, Gate, check_max_body_size
from telnyx_video.webhooks._verify import DEFAULT_TOLERANCE, PublicKeys

__all__ = ["webhook_view"]

P = ParamSpec("P")

_View: TypeAlias = Callable[Concatenate[VideoEvent, P], "ResponseReturnValue | None"]


def _text(status: int, text: str) -> Response:
    return Response(text, status=status, mimetype="text/plain")


def webhook_view(
    public_key: PublicKeys | None = None,
    *,
    tolerance: float | None = DEFAULT_TOLERANCE,
    clock: Callable[[], float | datetime] | None = None,
    dedupe: DedupeStore | None = None,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
) -> Callable[[_View[P]], Callable[P, ResponseReturnValue]]:
    """A decorator making ``view(event, **url_values)`` a webhook view; route it for ``POST``.

    Each delivery is verified and parsed; one that fails is answered ``400`` with the reason and
    never reaches ``view``, one over ``max_body_size`` ``413``. ``view`` gets the typed event
    (and the URL's values) and may return anything a Flask view returns (default ``204``). The
    WSGI server bounds the time to read the body (gunicorn's ``--timeout``, waitress's
    ``channel_timeout``).

    Args:
        public_key: see [`verify()`][telnyx_video.webhooks.verify]; defaults to
            ``TELNYX_PUBLIC_KEY``. Loaded here, so a bad key fails at import time.
        tolerance: allowed clock skew / replay window in seconds (``None``: no check).
        clock: returns the current Unix time (for tests); defaults to the system clock.
        dedupe: a [`DedupeStore`][telnyx_video.webhooks.DedupeStore] of the event ids already
            handled, such as an [`LRUDedupeStore`][telnyx_video.webhooks.LRUDedupeStore]: a
            duplicate is answered ``204`` without calling ``view``; an id is forgotten again when
            ``view`` raises, so that Telnyx's redelivery is handled.
        max_body_size: the largest body read, in bytes.

    Raises:
        ConfigurationError: no key was given and ``TELNYX_PUBLIC_KEY`` is unset.
        WebhookVerificationError: a key is malformed or weak.
        ValueError: a setting is out of range.
        TypeError: ``dedupe`` is not a sync dedupe store.
    """
    limit = check_max_body_size(max_body_size)
    gate = Gate(public_key, tolerance=tolerance, clock=clock, dedupe=dedupe)
    gate.check_sync()

    def read_event() -> VideoEvent | Response:
        """The verified event, or the answer to a delivery that is not one."""
        declared = request.content_length
        too_large = declared is not None and declared > limit
        body = b"" if too_large else request.stream.read(limit + 1)  # never more than the cap
        if too_large or len(body) > limit:
            return _text(413, Gate.too_large(limit, request.remote_addr))
        try:
            # werkzeug's Headers has a case-insensitive get() and items() but is no Mapping
            return gate.construct_event(body, cast("Mapping[str, str]", request.headers))
        except WebhookVerificationError as exc:
            return _text(400, Gate.rejected(exc, request.remote_addr))

    def decorate(view: _View[P]) -> Callable[P, ResponseReturnValue]:
        if not callable(view):
            raise TypeError(f"webhook_view() decorates a view function, not {view!r}")
        if inspect.iscoroutinefunction(view):
            raise TypeError("webhook_view() takes a plain function: Flask views here are sync")

        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
            event = read_event()
            if isinstance(event, Response):
                return event
            with gate.once(event) as fresh:
                if not fresh:
                    return Response(status=204)
                result = view(event, *args, **kwargs)
            return result if result is not None else Response(status=204)

        return wrapper

    return decorate
