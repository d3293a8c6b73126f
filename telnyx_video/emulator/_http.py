"""HTTP plumbing: the aiohttp application, its middleware, bodies, answers and guards.

Every request first passes the ``Host`` check (loopback names only, against DNS rebinding),
then has its body read (a body that cannot be decoded is a 400 on any route). API requests
(under ``/v2``) then get the injected faults and, unless the contract says ``security: []``,
the bearer check; control requests (under ``/_emulator/``) the loopback-peer check, the
web-page check and, when set, the control token. Errors become Telnyx error bodies.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError

from telnyx_video.emulator._core import Core
from telnyx_video.emulator._errors import EmulatorError, error_entry
from telnyx_video.emulator._faults import FaultPlan
from telnyx_video.emulator._loopback import is_loopback_host
from telnyx_video.emulator._records import dumps
from telnyx_video.emulator._validation import NO_BODY
from telnyx_video.errors import ErrorCode

__all__ = [
    "API_PREFIX",
    "CONTROL_PREFIX",
    "CORE",
    "MAX_JSON_DEPTH",
    "Handler",
    "check_bearer",
    "decode_json",
    "error_response",
    "json_response",
    "new_app",
    "refuse_web_pages",
]

logger = logging.getLogger("telnyx_video.emulator")

API_PREFIX = "/v2"
CONTROL_PREFIX = "/_emulator/"
CORE = web.AppKey("core", Core)
#: How deeply a request body may nest arrays and objects (the top-level object is 1): the
#: API's deepest body is far shallower, and deeper ones only serve to exhaust the stack.
MAX_JSON_DEPTH = 64

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON response (compact, UTF-8)."""
    return web.Response(body=dumps(data), status=status, content_type="application/json")


def error_response(exc: EmulatorError) -> web.Response:
    """The Telnyx-shaped response of an [`EmulatorError`][telnyx_video.emulator.EmulatorError]."""
    response = json_response(exc.body(), exc.status)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def check_bearer(request: web.Request, expected: bytes, what: str) -> None:
    """401 unless ``Authorization: Bearer <expected>`` (scheme case-insensitive), compared in
    constant time; ``what`` names the secret in the error (never its value)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    given = token.strip().encode("utf-8", "replace")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, expected):
        raise EmulatorError(
            401,
            ErrorCode.AUTHENTICATION_FAILED,
            f"The request needs 'Authorization: Bearer <{what}>' with a valid {what}.",
        )


def decode_json(request: web.Request, raw: bytes) -> Any:
    """``raw`` (the request's body) decoded as JSON, or ``NO_BODY`` when it is blank: 415
    unless the content type is JSON, 400 unless it is valid, not too deep, and encodable."""
    if not raw.strip():
        return NO_BODY
    content_type = request.content_type
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise EmulatorError(
            415,
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            f"Send JSON with 'Content-Type: application/json', not {content_type[:60]!r}.",
        )
    try:
        body = json.loads(raw)
        if b"\\u" in raw:  # escapes can smuggle in lone surrogates, which no answer could encode
            dumps(body)
    except RecursionError:
        raise _too_deep() from None
    except ValueError:  # UnicodeError is a ValueError
        raise EmulatorError(
            400, ErrorCode.INVALID_JSON, "The request body is not valid JSON."
        ) from None
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _nested_deeper(body):
        raise _too_deep()
    return body


def _too_deep() -> EmulatorError:
    return EmulatorError(
        400,
        ErrorCode.INVALID_JSON,
        f"The request body is nested too deeply (more than {MAX_JSON_DEPTH} levels).",
    )


def _nested_deeper(value: Any) -> bool:
    """Whether ``value`` nests arrays and objects more than ``MAX_JSON_DEPTH`` levels."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, dict | list):
                if depth >= MAX_JSON_DEPTH:
                    return True
                stack.append((child, depth + 1))
    return False


# -- guards ---------------------------------------------------------------------------------


def _check_host(request: web.Request, core: Core) -> None:
    """Refuse ``Host`` names other than loopback ones: a web page that rebinds its own name to
    127.0.0.1 must reach neither the control API nor ``/v2`` with the well-known key (browsers
    always send ``Host``; an HTTP/1.0 tool may not)."""
    host = request.headers.get("Host")
    if host is None or core.any_host:
        return
    if not is_loopback_host(_host_name(host)):
        raise EmulatorError(
            403,
            ErrorCode.AUTHORIZATION_FAILED,
            f"The emulator answers loopback host names only, not {host[:80]!r}; start it "
            "with an explicit public host to serve other names.",
        )


def _check_control_peer(request: web.Request) -> None:
    if not is_loopback_host(request.remote):
        raise EmulatorError(
            403, ErrorCode.AUTHORIZATION_FAILED, "The control API answers loopback clients only."
        )


def _host_name(host: str) -> str:
    """The name in a ``Host`` header value (``[::1]:8787`` -> ``::1``)."""
    return host[1 : host.find("]")] if host.startswith("[") else host.rsplit(":", 1)[0]


def _from_own_page(request: web.Request, fetch_site: str) -> bool:
    """Whether a browser sent the request for a page of the emulator's own loopback origin
    (the dashboard): ``Sec-Fetch-Site: same-origin``, a loopback ``Host`` and, when there is
    an ``Origin``, exactly ``http://<Host>``. Neither header can be set by a page's script."""
    host = request.headers.get("Host")
    if fetch_site != "same-origin" or host is None or not is_loopback_host(_host_name(host)):
        return False
    origin = request.headers.get("Origin")
    return origin is None or origin == f"http://{host}"


def refuse_web_pages(request: web.Request) -> None:
    """403 for a request a browser sends on behalf of a web page other than the emulator's own.

    Any page a local browser shows could otherwise POST to ``/_emulator/reset`` (a "simple"
    cross-origin request needs no preflight): browsers mark such requests with ``Origin``
    (every POST) or a cross-site ``Sec-Fetch-Site``, which curl or the SDK never send. The
    dashboard's requests are same-origin ones from a loopback origin, and pass.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site", "").strip().lower()
    if "Origin" not in request.headers and fetch_site in ("", "none"):
        return  # not a page's request: a tool, or the user typing the URL
    if not _from_own_page(request, fetch_site):
        raise EmulatorError(
            403,
            ErrorCode.AUTHORIZATION_FAILED,
            "The control API refuses requests made by web pages other than its own dashboard "
            "(Origin or Sec-Fetch-Site header).",
        )


async def _read_body(request: web.Request) -> None:
    """Read the body once (handlers get it cached): one that cannot be decoded is a 400."""
    if not request.body_exists:
        return
    try:
        await request.read()
    except RequestPayloadError:
        request.content.feed_eof()  # nothing more to read: answer, then close the connection
        encoding = request.headers.get("Content-Encoding", "")[:40]
        raise EmulatorError(
            400,
            ErrorCode.BAD_REQUEST,
            f"The request body cannot be read (Content-Encoding: {encoding!r}).",
        ) from None


# -- the middleware -------------------------------------------------------------------------


def _fault_response(request: web.Request, plan: FaultPlan, core: Core) -> web.Response:
    if plan.kind == "drop":
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)
    if plan.kind == "rate_limit":
        response = error_response(
            EmulatorError(429, ErrorCode.TOO_MANY_REQUESTS, "Slow down (injected fault).")
        )
        retry_after = core.faults.config.retry_after
        response.headers["Retry-After"] = f"{retry_after:g}"
        return response
    return error_response(EmulatorError(plan.status, ErrorCode.UNEXPECTED_ERROR, "Injected fault."))


async def _handle_api(request: web.Request, handler: Handler, core: Core) -> web.StreamResponse:
    faults = core.faults
    if faults.config.latency_ms:
        await asyncio.sleep(faults.latency)  # the injected latency itself
    plan = faults.plan(request.method, request.path)
    if plan is not None and not plan.after:
        return _fault_response(request, plan, core)
    operation = getattr(request.match_info.handler, "operation", None)
    response: web.StreamResponse
    try:
        if operation is None or operation.authenticated:
            check_bearer(request, core.api_key_bytes, "API key")
        response = await handler(request)
    except EmulatorError as exc:
        response = error_response(exc)
    finally:
        core.flush()
    if plan is not None:
        return _fault_response(request, plan, core)
    if core.checker is not None and operation is not None and isinstance(response, web.Response):
        body = response.body
        core.checker.check(
            operation.operation_id, response.status, body if isinstance(body, bytes) else None
        )
    return response


@web.middleware
async def _middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    core = request.app[CORE]
    response: web.StreamResponse
    try:
        _check_host(request, core)
        await _read_body(request)
        if request.path.startswith(CONTROL_PREFIX):
            _check_control_peer(request)
            try:
                response = await handler(request)
            finally:
                core.flush()
        else:
            response = await _handle_api(request, handler, core)
    except EmulatorError as exc:
        response = error_response(exc)
    except web.HTTPException as exc:
        response = _http_error(exc)
    except Exception:
        logger.exception("emulator: unexpected error handling %s %s", request.method, request.path)
        detail = "The emulator failed unexpectedly; see its log."
        response = json_response({"errors": [error_entry(ErrorCode.UNEXPECTED_ERROR, detail)]}, 500)
    if request.content.exception() is not None:
        response.force_close()  # the body could not be read to its end
    response.headers["x-request-id"] = str(uuid.uuid4())
    return response


def _http_error(exc: web.HTTPException) -> web.Response:
    if exc.status == 404:
        error = EmulatorError(404, ErrorCode.RESOURCE_NOT_FOUND, "No such route in the Video API.")
    elif exc.status == 405:
        error = EmulatorError(405, ErrorCode.BAD_REQUEST, "This route does not support the method.")
    else:
        error = EmulatorError(exc.status, ErrorCode.BAD_REQUEST, exc.reason or "HTTP error")
    response = error_response(error)
    if "Allow" in exc.headers:
        response.headers["Allow"] = exc.headers["Allow"]
    return response


def new_app(core: Core) -> web.Application:
    """An aiohttp application around ``core`` with the emulator's middleware (routes are added
    by ``_api`` and ``_control``).

    Starting the app starts timed transitions (on a real-time clock) and webhook delivery;
    cleaning it up stops both.
    """
    app = web.Application(middlewares=[_middleware], client_max_size=1024**2)
    app[CORE] = core
    app.on_startup.append(_on_startup)
    app.on_cleanup.append(_on_cleanup)
    return app


async def _on_startup(app: web.Application) -> None:
    core = app[CORE]
    core.webhooks.open()
    core.attach(asyncio.get_running_loop())


async def _on_cleanup(app: web.Application) -> None:
    core = app[CORE]
    core.detach()
    await core.webhooks.close()
