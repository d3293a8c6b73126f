"""HTTP transport: one aiohttp session, authentication, timeouts, retries and logging.

This is the only module that talks to aiohttp's client. Resources hand it a method, a path,
an encoded query and a JSON body; it returns the decoded ``data`` of a success or raises a
typed error from [`telnyx_video.errors`][telnyx_video.errors].
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from yarl import URL

from telnyx_video._retry import (
    SAFE_METHODS,
    RetryPolicy,
    is_retryable_status,
    parse_retry_after,
)
from telnyx_video._version import __version__
from telnyx_video.types import NOT_GIVEN, NotGiven

if TYPE_CHECKING:
    import aiohttp

from telnyx_video.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ConfigurationError,
    find_request_id,
    make_status_error,
)

__all__ = ["DEFAULT_BASE_URL", "Response", "Transport"]

logger = logging.getLogger("telnyx_video")

DEFAULT_BASE_URL: Final = "https://api.telnyx.com/v2"
USER_AGENT: Final = f"telnyx-video-python/{__version__}"


class _Headers(dict[str, str]):
    """Request headers whose repr hides the ``Authorization`` value (tracebacks, debuggers)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr({k: ("***" if k == "Authorization" else v) for k, v in self.items()})

    __str__ = __repr__


#: ``aiohttp``, imported with the first session (importing it is most of our import cost).
_aiohttp: Any = None


def _load_aiohttp() -> Any:
    """The aiohttp module, imported on first use."""
    global _aiohttp
    if _aiohttp is None:
        import aiohttp

        _aiohttp = aiohttp
    return _aiohttp


class Response:
    """A successful response: status, decoded JSON body (``None`` if empty), request id."""

    __slots__ = ("body", "request_id", "status")

    def __init__(self, status: int, body: Any, request_id: str | None) -> None:
        self.status = status
        self.body = body
        self.request_id = request_id

    def __repr__(self) -> str:
        return f"Response(status={self.status}, request_id={self.request_id!r})"


def is_loopback_host(host: str | None) -> bool:
    """Whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if not host:
        return False
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_timeout(value: object, error: type[ValueError] = ValueError) -> float | None:
    """A timeout in seconds: a finite number > 0, or ``None`` for no limit."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value < float("inf")
    ):
        raise error(f"timeout must be a number of seconds > 0, or None; got {value!r}")
    return float(value)


def check_max_retries(value: object, error: type[ValueError] = ValueError) -> int:
    """A retry count: an integer >= 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise error(f"max_retries must be an integer >= 0, got {value!r}")
    return value


def check_base_url(base_url: str, *, allow_insecure_http: bool) -> URL:
    """Validate a base URL: absolute http(s), and plain http only for loopback or opt-in."""
    url = URL(base_url.rstrip("/"))
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            f"base_url must be an absolute http(s) URL such as {DEFAULT_BASE_URL!r}, "
            f"got {base_url!r}"
        )
    if url.scheme == "http" and not (allow_insecure_http or is_loopback_host(url.host)):
        raise ConfigurationError(
            f"refusing to send the API key over plain http to {url.host!r}; use https, "
            "or pass allow_insecure_http=True if you really mean it"
        )
    if url.user or url.password:
        raise ConfigurationError("base_url must not carry credentials")
    if url.query_string or url.fragment:
        raise ConfigurationError(f"base_url must not have a query or fragment, got {base_url!r}")
    return url


class Transport:
    """Sends requests for one client; owns (or borrows) one ``aiohttp.ClientSession``."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: URL,
        timeout: float | None,
        max_retries: int,
        retry_policy: RetryPolicy,
        session: aiohttp.ClientSession | None,
        user_agent: str | None,
    ) -> None:
        self.base_url = base_url
        self._base = str(base_url)
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_policy = retry_policy
        self._session = session
        self._owns_session = session is None
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        agent = USER_AGENT if user_agent is None else f"{user_agent} {USER_AGENT}"
        self._headers: Mapping[str, str] = _Headers(
            {
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "User-Agent": agent,
            }
        )
        self._json_headers: Mapping[str, str] = _Headers(
            {**self._headers, "Content-Type": "application/json"}
        )
        self._timeouts: dict[float | None, aiohttp.ClientTimeout] = {}

    def __repr__(self) -> str:
        return f"Transport(base_url={self._base!r})"

    @property
    def closed(self) -> bool:
        """Whether `close()` was called."""
        return self._closed

    def _client_timeout(self, seconds: float | None) -> aiohttp.ClientTimeout:
        cached = self._timeouts.get(seconds)
        if cached is None:
            cached = self._timeouts[seconds] = _load_aiohttp().ClientTimeout(total=seconds)
        return cached

    def _get_session(self) -> aiohttp.ClientSession:
        aiohttp = _load_aiohttp()
        if self._closed:
            raise RuntimeError("this client is closed; create a new one")
        loop = asyncio.get_running_loop()
        if self._session is None:
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100, ttl_dns_cache=300),
                auto_decompress=True,
            )
            # aiohttp silently sends a GET/DELETE a second time when the connection drops;
            # our retry policy decides instead, so max_retries means what it says.
            if hasattr(session, "_retry_connection"):
                session._retry_connection = False
            self._session = session
            self._loop = loop
        elif self._owns_session and self._loop is not loop:
            raise RuntimeError(
                "this client was first used in another event loop; an aiohttp session "
                "cannot move between loops, so create one client per loop"
            )
        return self._session

    def forget_after_fork(self) -> None:
        """In a forked child: let go of the parent's session without closing it.

        Its sockets are the parent's, still in use there, so nothing may be closed or sent
        from the child; but aiohttp logs "Unclosed client session" / "Unclosed connector"
        when such objects are collected, on every worker exit. Mark them closed, no I/O.
        """
        session, self._session = self._session, None
        self._loop = None
        if session is None or not self._owns_session:
            return
        connector = getattr(session, "_connector", None)
        if connector is not None and hasattr(connector, "_closed"):
            connector._closed = True
        if hasattr(session, "_connector"):
            session._connector = None

    async def close(self) -> None:
        """Close the session if we created it. Safe to call twice."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session and not session.closed:
            await session.close()

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        body: Any = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_ambiguous: bool | None = None,
    ) -> Response:
        """Send one API request with retries, returning the decoded success response.

        ``retry_ambiguous`` overrides whether failures that may have reached the server
        (timeouts, 5xx, connections dropped after sending) are retried; by default only
        safe methods (GET, DELETE) retry them.
        """
        retries = (
            self.max_retries
            if isinstance(max_retries, NotGiven)
            else check_max_retries(max_retries)
        )
        seconds = self.timeout if isinstance(timeout, NotGiven) else check_timeout(timeout)
        if retry_ambiguous is None:
            retry_ambiguous = method in SAFE_METHODS
        url = URL(f"{self._base}{path}{'?' + query if query else ''}", encoded=True)
        data: bytes | None = None
        headers = self._headers
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode()
            headers = self._json_headers
        client_timeout = self._client_timeout(seconds)
        attempt = 0
        # Set once an attempt failed in a way that may have reached the server: a DELETE
        # retried after that and answered 404 did its job on an earlier attempt.
        maybe_applied = False
        while True:
            started = time.perf_counter()
            try:
                response = await self._send(
                    method, url, path, data, headers, client_timeout, attempt
                )
            except APIConnectionError as exc:
                if self._closed or attempt >= retries or (exc.maybe_sent and not retry_ambiguous):
                    raise
                maybe_applied = maybe_applied or exc.maybe_sent
                delay = self.retry_policy.backoff(attempt)
                self._log_retry(method, path, attempt, started, f"{type(exc).__name__}", delay)
            except APIStatusError as exc:
                if exc.status == 404 and maybe_applied and method == "DELETE":
                    logger.info(
                        "%s %s answered 404 on a retry: an earlier attempt deleted it",
                        method,
                        path,
                        extra={"method": method, "path": path, "attempt": attempt + 1},
                    )
                    return Response(204, None, exc.request_id)
                retryable = exc.status == 429 or (
                    retry_ambiguous and is_retryable_status(exc.status)
                )
                hint = parse_retry_after(exc.headers.get("retry-after")) if retryable else None
                delay_or_none = self.retry_policy.delay(attempt, hint) if retryable else None
                if self._closed or attempt >= retries or delay_or_none is None:
                    raise
                maybe_applied = maybe_applied or exc.status != 429
                delay = delay_or_none
                self._log_retry(method, path, attempt, started, f"HTTP {exc.status}", delay)
            else:
                return response
            attempt += 1
            await asyncio.sleep(delay)

    async def _send(
        self,
        method: str,
        url: URL,
        path: str,
        data: bytes | None,
        headers: Mapping[str, str],
        client_timeout: aiohttp.ClientTimeout,
        attempt: int,
    ) -> Response:
        session = self._get_session()
        aiohttp = _aiohttp
        started = time.perf_counter()
        broken: APIConnectionError | None = None
        try:
            async with session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=client_timeout,
                allow_redirects=False,
                raise_for_status=False,  # even if a caller's session says otherwise
            ) as resp:
                raw = await resp.read()
                status = resp.status
                resp_headers = resp.headers
                reason = resp.reason or ""
        # Each failure is raised after its handler, not from it: aiohttp's exceptions and
        # the frames they carry hold our request headers (the key), and a chained cause or
        # context would hand them to every traceback printer and error tracker.
        except TimeoutError:
            broken = APITimeoutError(
                f"{method} {path} timed out after {client_timeout.total} s",
                method=method,
                url=path,
            )
        except aiohttp.ClientConnectorError as exc:
            # The connection was never established: nothing reached the server.
            broken = APIConnectionError(
                f"{method} {path}: cannot connect to {url.host}:{url.port} ({exc.strerror})",
                method=method,
                url=path,
                maybe_sent=False,
            )
        except aiohttp.ClientResponseError as exc:
            broken = APIConnectionError(
                f"{method} {path}: malformed response ({type(exc).__name__}: {exc.message})",
                method=method,
                url=path,
            )
        except (aiohttp.ClientError, OSError) as exc:
            broken = APIConnectionError(
                f"{method} {path}: connection failed ({type(exc).__name__}: {exc})",
                method=method,
                url=path,
            )
        if broken is not None:
            raise broken
        if logger.isEnabledFor(logging.DEBUG):
            elapsed = time.perf_counter() - started
            logger.debug(
                "%s %s -> %s in %.1f ms (attempt %d)",
                method,
                path,
                status,
                elapsed * 1000,
                attempt + 1,
                extra={
                    "method": method,
                    "path": path,
                    "status": status,
                    "attempt": attempt + 1,
                    "elapsed": elapsed,
                },
            )
        if status >= 300:  # redirects are not followed: a 3xx is not a success either
            raise make_status_error(
                status=status,
                raw_body=raw,
                headers=resp_headers,
                method=method,
                url=path,
                reason=reason,
            )
        request_id = find_request_id(resp_headers)
        if not raw or status == 204:
            return Response(status, None, request_id)
        try:
            decoded = json.loads(raw)
        except (ValueError, RecursionError) as exc:  # not JSON, or nested absurdly deep
            raise APIResponseValidationError(
                f"{method} {path} answered {status} with a body that is not JSON: {raw[:120]!r}",
                status=status,
                body=raw.decode("utf-8", "replace"),
                request_id=request_id,
            ) from exc
        return Response(status, decoded, request_id)

    def _log_retry(
        self, method: str, path: str, attempt: int, started: float, why: str, delay: float
    ) -> None:
        logger.info(
            "%s %s failed (%s) on attempt %d; retrying in %.3f s",
            method,
            path,
            why,
            attempt + 1,
            delay,
            extra={
                "method": method,
                "path": path,
                "attempt": attempt + 1,
                "elapsed": time.perf_counter() - started,
                "retry_delay": delay,
                "reason": why,
            },
        )
