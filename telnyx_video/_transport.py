"""HTTP transport: one aiohttp session, authentication, timeouts, retries and logging.

This is the only module that talks to aiohttp's client. Resources hand it a method, a path,
an encoded query, a JSON body and a parser of the answer; it returns what the parser makes
of a 2xx answer, or raises a typed error from [`telnyx_video.errors`][telnyx_video.errors].
Which failures are retried is decided by `telnyx_video._retry`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

from yarl import URL

from telnyx_video import _json
from telnyx_video._read_buffer import raise_mmap_threshold
from telnyx_video._retry import (
    SAFE_METHODS,
    RetryPolicy,
    check_max_retries,
    check_timeout,
    done_by_earlier_attempt,
    is_ambiguous,
    retry_delay,
)
from telnyx_video._version import __version__
from telnyx_video.types import DEFAULT_MAX_RESPONSE_SIZE, NOT_GIVEN, NotGiven, TraceConfigs

if TYPE_CHECKING:
    import aiohttp

from telnyx_video.errors import (
    APIConnectionError,
    APIResponseTooLargeError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ConfigurationError,
    TelnyxVideoError,
    find_request_id,
    make_status_error,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "MediaSink",
    "Recover",
    "Response",
    "Transport",
]

T = TypeVar("T")

Recover = Callable[[TelnyxVideoError], Awaitable[T | None]]
"""``Transport.request``'s ``recover`` hook: look at a failure, return a result or ``None``."""

logger = logging.getLogger("telnyx_video")

DEFAULT_BASE_URL: Final = "https://api.telnyx.com/v2"
USER_AGENT: Final = f"telnyx-video-python/{__version__}"


class MediaSink(Protocol):
    """Where ``Transport.fetch_media`` puts a file: how much of it is there, the ETag of
    what is there (when the storage can send the rest of it), how to add to it and how to
    start over."""

    size: int
    etag: str | None

    async def write(self, data: bytes) -> None:
        """Append ``data``."""

    async def restart(self) -> bool:
        """Drop what is there; ``False`` if that cannot be done."""


class _Headers(dict[str, str]):
    """Request headers whose repr hides the ``Authorization`` value (tracebacks, debuggers)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr({k: ("***" if k == "Authorization" else v) for k, v in self.items()})

    __str__ = __repr__


#: ``aiohttp``, imported with the first session (importing it is most of our import cost).
_aiohttp: Any = None
#: ``aiohttp.ClientTimeout()`` without any limit: each attempt is timed by ``_Deadline``.
_NO_TIMEOUT: Any = None
#: Methods aiohttp gives a default Content-Type, and how to tell it not to.
_BODY_METHODS: Final = frozenset({"POST", "PATCH", "PUT"})
_NO_CONTENT_TYPE: Final = ("Content-Type",)
#: Bytes of a media file handed to the writer at a time (fewer, larger writes).
MEDIA_PIECE: Final = 1024 * 1024
#: ``Content-Range: bytes <start>-<end>/<total or *>`` of a 206 answer.
_CONTENT_RANGE: Final = re.compile(r"bytes (?P<start>\d{1,18})-\d{1,18}/(?P<total>\d{1,18}|\*)")
#: How much of a media error answer is read (for its message).
_ERROR_BODY_LIMIT: Final = 64 * 1024
#: ``Response.body`` before it is decoded.
_UNREAD: Final[Any] = object()


def _load_aiohttp() -> Any:
    """The aiohttp module, imported on first use."""
    global _aiohttp, _NO_TIMEOUT
    if _aiohttp is None:
        import aiohttp

        _NO_TIMEOUT = aiohttp.ClientTimeout()
        _aiohttp = aiohttp
        raise_mmap_threshold()  # before the first read: see _read_buffer
    return _aiohttp


class Response:
    """An HTTP answer with a 2xx status: status, raw body, request id.

    [`body`][..body] decodes the JSON on first use, so a caller that has no use for the body
    (a DELETE) never fails on an unreadable one.
    """

    __slots__ = ("_body", "method", "path", "raw", "request_id", "status")

    def __init__(
        self, status: int, raw: bytes, request_id: str | None, method: str = "", path: str = ""
    ) -> None:
        self.status = status
        self.raw = raw
        self.request_id = request_id
        self.method = method
        self.path = path
        self._body: Any = _UNREAD

    @property
    def body(self) -> Any:
        """The decoded JSON body, ``None`` if empty.

        Decoded by ``telnyx_video._json`` (orjson when installed): strict JSON, so a body
        holding ``NaN`` or ``Infinity`` is not JSON either.

        Raises:
            APIResponseValidationError: the body is not JSON.
        """
        body = self._body
        if body is _UNREAD:
            body = self._body = self._decode()
        return body

    def _decode(self) -> Any:
        raw = self.raw
        if not raw or self.status == 204:
            return None
        try:
            return _json.loads(raw)
        except (ValueError, RecursionError) as exc:  # not JSON, or nested absurdly deep
            raise APIResponseValidationError(
                f"{self.method} {self.path} answered {self.status} with a body that is not "
                f"JSON: {raw[:120]!r}",
                status=self.status,
                body=raw.decode("utf-8", "replace"),
                request_id=self.request_id,
            ) from exc

    def __repr__(self) -> str:
        return f"Response(status={self.status}, request_id={self.request_id!r})"


class _TooLarge(Response):
    """A 2xx whose body was over ``max_response_size``: reading its body raises."""

    __slots__ = ("_limit",)

    def __init__(
        self, status: int, request_id: str | None, method: str, path: str, limit: int
    ) -> None:
        super().__init__(status, b"", request_id, method, path)
        self._limit = limit

    def _decode(self) -> Any:
        raise APIResponseTooLargeError(
            f"{self.method} {self.path} answered {self.status} with a body over the client's "
            f"max_response_size ({self._limit} bytes, decompressed); it was not read further",
            status=self.status,
            request_id=self.request_id,
            limit=self._limit,
        )


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
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        trace_configs: TraceConfigs | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        self.base_url = base_url
        self.allow_insecure_http = allow_insecure_http
        self._base = str(base_url)
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_policy = retry_policy
        self.max_response_size = max_response_size
        self._trace_configs = list(trace_configs) if trace_configs is not None else None
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
        # Media links carry their own authorisation: the key never goes to them.
        self._media_headers: Mapping[str, str] = {"Accept": "*/*", "User-Agent": agent}

    def __repr__(self) -> str:
        return f"Transport(base_url={self._base!r})"

    @property
    def closed(self) -> bool:
        """Whether `close()` was called."""
        return self._closed

    def _get_session(self) -> aiohttp.ClientSession:
        aiohttp = _load_aiohttp()
        if self._closed:
            raise RuntimeError("this client is closed; create a new one")
        loop = asyncio.get_running_loop()
        if self._session is None:
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100, ttl_dns_cache=300),
                auto_decompress=True,
                trace_configs=self._trace_configs,
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
        parse: Callable[[Response], T],
        *,
        query: str = "",
        body: Any = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_ambiguous: bool | None = None,
        recover: Recover[T] | None = None,
    ) -> T:
        """Send one API request with retries; return what ``parse`` makes of the 2xx answer.

        An attempt is sending, reading and parsing: an answer ``parse`` refuses (raising
        [`APIResponseValidationError`][telnyx_video.errors.APIResponseValidationError]) fails
        its attempt like any other failure. Failures are classified by `telnyx_video._retry`.

        Args:
            method: the HTTP method.
            path: the path under the base URL, already encoded.
            parse: turns a 2xx [`Response`][..Response] into the result.
            query: the encoded query string, without ``?``.
            body: a JSON-serialisable body, or ``None`` for no body (and no Content-Type).
            timeout: seconds for each attempt; defaults to the client's.
            max_retries: retries after the first attempt; defaults to the client's.
            retry_ambiguous: whether failures that may have been carried out (timeouts,
                5xx, connections dropped after sending) are retried; by default only for
                safe methods (GET, DELETE).
            recover: called with the failure after an ambiguous or unreadable answer, and
                before giving up when an earlier attempt was ambiguous; a result other than
                ``None`` is returned as the request's, and it may raise instead.

        Raises:
            TelnyxVideoError: the last failure, when no retry is left or allowed.
            ValueError: ``timeout`` or ``max_retries`` is not valid.
        """
        retries = self.max_retries if max_retries is NOT_GIVEN else check_max_retries(max_retries)
        seconds = self.timeout if timeout is NOT_GIVEN else check_timeout(timeout)
        if retry_ambiguous is None:
            retry_ambiguous = method in SAFE_METHODS
        url = URL(f"{self._base}{path}?{query}" if query else self._base + path, encoded=True)
        if body is None:
            data = None
            headers = self._headers
            # aiohttp labels a body-less POST application/octet-stream: say nothing instead.
            skip = _NO_CONTENT_TYPE if method in _BODY_METHODS else None
        else:
            data = _json.dumps(body)
            headers = self._json_headers
            skip = None
        # A cancellation requested while we work is the caller's, whatever else happened.
        task = asyncio.current_task()
        cancelling = task.cancelling() if task is not None else 0
        attempt = 0
        # Set once an attempt failed in a way that may have been carried out.
        ambiguous_before = False
        while True:
            started = time.perf_counter()
            try:
                return parse(
                    await self._send(method, url, path, data, headers, skip, seconds, attempt)
                )
            except (APIConnectionError, APIStatusError, APIResponseValidationError) as exc:
                failure: TelnyxVideoError = exc
            if task is not None and task.cancelling() > cancelling:
                # The caller cancelled us while the attempt failed (or some library swallowed
                # the CancelledError): the caller wins, never a retry or our own error.
                raise asyncio.CancelledError
            delay = (
                None
                if self._closed or attempt >= retries
                else retry_delay(
                    self.retry_policy, failure, attempt, retry_ambiguous=retry_ambiguous
                )
            )
            ambiguous = is_ambiguous(failure)
            if recover is not None and (ambiguous or (ambiguous_before and delay is None)):
                recovered = await recover(failure)
                if recovered is not None:
                    return recovered
            elif ambiguous_before and done_by_earlier_attempt(method, failure):
                logger.info(
                    "%s %s answered 404 on a retry: an earlier attempt did it",
                    method,
                    path,
                    extra=_failure_fields(method, path, attempt, failure),
                )
                return parse(Response(204, b"", _request_id(failure), method, path))
            if delay is None:
                raise failure
            ambiguous_before = ambiguous_before or ambiguous
            self.log_retry(method, path, attempt, started, failure, delay)
            attempt += 1
            await asyncio.sleep(delay)

    async def _send(
        self,
        method: str,
        url: URL,
        path: str,
        data: bytes | None,
        headers: Mapping[str, str],
        skip_auto_headers: tuple[str, ...] | None,
        seconds: float | None,
        attempt: int,
    ) -> Response:
        """One attempt: send, read the body (at most ``max_response_size``), classify."""
        loop = asyncio.get_running_loop()
        session = self._session
        if session is None or self._closed or self._loop is not loop:
            session = self._get_session()
        limit = self.max_response_size
        started = time.perf_counter()
        # Our own deadline, not aiohttp's: it tells a cancellation from outside (the caller's
        # deadline, task.cancel(), Ctrl-C) from its own expiry, so the caller's always wins;
        # aiohttp's timer can swallow it.
        deadline = None if seconds is None else _Deadline(loop, seconds)
        expired = False
        broken: TelnyxVideoError | None = None
        try:
            try:
                async with session.request(
                    method,
                    url,
                    data=data,
                    headers=headers,
                    skip_auto_headers=skip_auto_headers,
                    timeout=_NO_TIMEOUT,
                    allow_redirects=False,
                    raise_for_status=False,  # even if a caller's session says otherwise
                ) as resp:
                    status = resp.status
                    resp_headers = resp.headers
                    # The whole (decompressed) body, or None once it is over the limit:
                    # aiohttp decompresses as it streams, a bounded piece at a time, and
                    # stops reading the socket while its buffer is full, so memory stays
                    # near the limit whatever the server sends.
                    content = resp.content
                    chunks: list[bytes] = []
                    size = 0
                    raw: bytes | None = None
                    while chunk := await content.readany():
                        size += len(chunk)
                        if size > limit:
                            break
                        chunks.append(chunk)
                    else:
                        raw = b"".join(chunks)
            finally:
                expired = deadline is not None and deadline.stop()
        except asyncio.CancelledError:
            if not expired:
                raise
            broken = APITimeoutError(
                f"{method} {path} timed out after {seconds} s", method=method, url=path
            )
        except (_aiohttp.ClientError, OSError) as exc:
            broken = _connection_failure(exc, method, path, url, seconds)
        # Raised after its handler, not from it: aiohttp's exceptions and the frames they
        # carry hold our request headers (the key), and a chained cause or context would
        # hand them to every traceback printer and error tracker.
        if broken is not None:
            raise broken
        request_id = find_request_id(resp_headers)
        if logger.isEnabledFor(logging.DEBUG):
            _log_answer(method, path, status, attempt, request_id, time.perf_counter() - started)
        if 200 <= status < 300:
            if raw is None:  # an error only for a caller that reads the body
                return _TooLarge(status, request_id, method, path, limit)
            return Response(status, raw, request_id, method, path)
        reason = resp.reason or ""
        if status < 200:  # a final 1xx: no answer at all (aiohttp yields only 101)
            raise APIConnectionError(
                f"{method} {path}: malformed response (final status {status} {reason})",
                method=method,
                url=path,
            )
        # 3xx included: redirects are not followed (they could take the key elsewhere).
        error = make_status_error(
            status=status,
            raw_body=raw or b"",
            headers=resp_headers,
            method=method,
            url=path,
            reason=reason,
        )
        if raw is None:
            error.add_note(f"its body was over max_response_size ({limit} bytes) and not read")
        raise error

    async def fetch_media(
        self,
        url: URL,
        sink: MediaSink,
        *,
        timeout: float | None,
        max_size: int | None,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> str | None:
        """One attempt at a media file: GET ``url`` without the API key into ``sink``, in
        pieces of up to ``MEDIA_PIECE`` bytes; return the file's Content-Type.

        When ``sink`` already holds the start of the file and knows its strong ETag, only the
        rest is asked for (``Range`` with ``If-Range``); a storage that answers with the whole
        file instead gets ``sink`` restarted. ``timeout`` bounds the wait for the answer and
        then each wait for more of the body (a large file may take as long as it needs while
        it keeps coming). Redirects are followed (nothing secret is sent). A body shorter
        than announced, or a file larger than ``max_size``, fails the attempt.

        Raises:
            APIStatusError: a non-2xx answer (the storage's error text in the message).
            APIConnectionError: no answer, a stall longer than ``timeout``, a cut body, a
                range other than the one asked for.
            APIResponseTooLargeError: the file is larger than ``max_size``.
        """
        loop = asyncio.get_running_loop()
        session = self._session
        if session is None or self._closed or self._loop is not loop:
            session = self._get_session()
        shown = str(url.with_query(None).with_fragment(None))  # the signature stays out
        headers = self._media_headers
        if sink.size and sink.etag is not None:
            headers = {**headers, "Range": f"bytes={sink.size}-", "If-Range": sink.etag}
        timed = _Timed(loop, timeout)
        broken: TelnyxVideoError
        try:
            resp = await timed(
                session.get(
                    url,
                    headers=headers,
                    timeout=_NO_TIMEOUT,
                    allow_redirects=True,
                    max_redirects=5,
                    raise_for_status=False,
                )
            )
            async with resp:
                if not 200 <= resp.status < 300:
                    raw = await timed(resp.content.read(_ERROR_BODY_LIMIT))
                    raise make_status_error(
                        status=resp.status,
                        raw_body=raw,
                        headers=resp.headers,
                        method="GET",
                        url=shown,
                        reason=resp.reason or "",
                    )
                identity = resp.headers.get("Content-Encoding", "identity") == "identity"
                length = resp.content_length if identity else None
                if resp.status == 206:
                    start, total = _content_range(resp.headers.get("Content-Range"))
                    if start != sink.size or (length is not None and start + length != total):
                        raise APIConnectionError(
                            f"GET {shown}: asked for bytes {sink.size}- and got "
                            f"{resp.headers.get('Content-Range')!r}",
                            method="GET",
                            url=shown,
                        )
                else:
                    if sink.size and not await sink.restart():
                        raise APIConnectionError(
                            f"GET {shown}: the storage sent the whole file again, and the "
                            "destination cannot go back to its start",
                            method="GET",
                            url=shown,
                        )
                    etag = resp.headers.get("ETag")
                    resumable = resp.headers.get("Accept-Ranges") == "bytes"
                    sink.etag = etag if resumable and etag and not etag.startswith("W/") else None
                    total = length
                if max_size is not None and total is not None and total > max_size:
                    raise _media_too_large(resp.status, shown, max_size)
                received = sink.size
                piece = bytearray()
                while chunk := await timed(resp.content.readany()):
                    received += len(chunk)
                    if max_size is not None and received > max_size:
                        raise _media_too_large(resp.status, shown, max_size)
                    piece += chunk
                    if len(piece) >= MEDIA_PIECE:
                        await sink.write(bytes(piece))
                        piece.clear()
                        if progress is not None:
                            progress(received, total)
                if piece:
                    await sink.write(bytes(piece))
                if progress is not None:
                    progress(received, total)
                if total is not None and received != total:
                    raise APIConnectionError(
                        f"GET {shown}: the body ended after {received} of {total} bytes",
                        method="GET",
                        url=shown,
                    )
                return resp.headers.get("Content-Type")
        except _Expired:
            broken = APITimeoutError(
                f"GET {shown}: no data for {timeout} s", method="GET", url=shown
            )
        except (_aiohttp.ClientError, OSError) as exc:
            broken = _connection_failure(exc, "GET", shown, url, timeout)
        raise broken  # outside the handler: aiohttp's exception holds the request's frames

    def log_retry(
        self,
        method: str,
        path: str,
        attempt: int,
        started: float,
        failure: TelnyxVideoError,
        delay: float,
    ) -> None:
        """Log a failed attempt about to be retried (with the structured ``extra`` fields)."""
        fields = _failure_fields(method, path, attempt, failure)
        fields["elapsed"] = time.perf_counter() - started
        fields["retry_delay"] = delay
        logger.info(
            "%s %s failed (%s) on attempt %d; retrying in %.3f s",
            method,
            path,
            fields["reason"],
            attempt + 1,
            delay,
            extra=fields,
        )


class _Deadline:
    """An attempt's timeout: ``asyncio.timeout(seconds)``, without its async context manager.

    The same rules as ``asyncio.timeout`` (Python 3.11): at the deadline the task is
    cancelled; `stop()` says whether the attempt's ``CancelledError`` is that expiry (then
    it becomes our ``APITimeoutError``) or a cancellation from outside, which wins. A plain
    object with a timer handle costs a third of the context manager's two coroutines,
    enumerated states and event loop lookups on every request.
    """

    __slots__ = ("_cancelling", "_expired", "_handle", "_task")

    def __init__(self, loop: asyncio.AbstractEventLoop, seconds: float) -> None:
        task = asyncio.current_task(loop)
        if task is None:
            raise RuntimeError("a request must run inside an asyncio task")
        self._task = task
        self._cancelling = task.cancelling()
        self._expired = False
        self._handle: asyncio.TimerHandle | None = loop.call_at(loop.time() + seconds, self._expire)

    def _expire(self) -> None:
        self._handle = None
        self._expired = True
        self._task.cancel()

    def stop(self) -> bool:
        """Disarm the timer; whether it fired and no other cancellation came since."""
        handle = self._handle
        if handle is not None:
            self._handle = None
            handle.cancel()
        return self._expired and self._task.uncancel() <= self._cancelling


class _Expired(Exception):
    """A ``_Timed`` wait ran out (raised in place of its ``CancelledError``)."""


class _Timed:
    """Each wait of one attempt bounded by ``seconds`` (``None``: unbounded), by `_Deadline`.

    ``await timed(awaitable)``: a wait that runs out raises ``_Expired``; a cancellation from
    outside (the caller's deadline, ``task.cancel()``) stays a cancellation.
    """

    __slots__ = ("_loop", "_seconds")

    def __init__(self, loop: asyncio.AbstractEventLoop, seconds: float | None) -> None:
        self._loop = loop
        self._seconds = seconds

    async def __call__(self, awaitable: Awaitable[T]) -> T:
        if self._seconds is None:
            return await awaitable
        deadline = _Deadline(self._loop, self._seconds)
        try:
            result = await awaitable
        except asyncio.CancelledError:
            if deadline.stop():
                raise _Expired from None
            raise
        except BaseException:
            deadline.stop()
            raise
        deadline.stop()
        return result


def _content_range(value: str | None) -> tuple[int | None, int | None]:
    """``(first byte, total size)`` of a ``Content-Range: bytes a-b/n`` header; ``None``s
    for what it does not say (or a header that is not one)."""
    match = _CONTENT_RANGE.fullmatch(value.strip()) if value else None
    if match is None:
        return None, None
    total = match["total"]
    return int(match["start"]), None if total == "*" else int(total)


def _media_too_large(status: int, shown: str, limit: int) -> APIResponseTooLargeError:
    return APIResponseTooLargeError(
        f"GET {shown}: the file is larger than max_size ({limit} bytes); it was not kept",
        status=status,
        limit=limit,
    )


def _connection_failure(
    exc: BaseException, method: str, path: str, url: URL, seconds: float | None
) -> TelnyxVideoError:
    """Our error for an attempt that got no HTTP answer: the connection failed or timed out."""
    if isinstance(exc, TimeoutError):  # a timeout of the connection itself
        return APITimeoutError(
            f"{method} {path} timed out after {seconds} s", method=method, url=path
        )
    if isinstance(exc, _aiohttp.ClientConnectorError):
        # The connection was never established: nothing reached the server.
        return APIConnectionError(
            f"{method} {path}: cannot connect to {url.host}:{url.port} ({exc.strerror})",
            method=method,
            url=path,
            maybe_sent=False,
        )
    if isinstance(exc, _aiohttp.ClientResponseError):
        return APIConnectionError(
            f"{method} {path}: malformed response ({type(exc).__name__}: {exc.message})",
            method=method,
            url=path,
        )
    return APIConnectionError(
        f"{method} {path}: connection failed ({type(exc).__name__}: {exc})",
        method=method,
        url=path,
    )


def _log_answer(
    method: str, path: str, status: int, attempt: int, request_id: str | None, elapsed: float
) -> None:
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
            "request_id": request_id,
            "elapsed": elapsed,
        },
    )


def _request_id(failure: TelnyxVideoError) -> str | None:
    return getattr(failure, "request_id", None)


def _failure_fields(
    method: str, path: str, attempt: int, failure: TelnyxVideoError
) -> dict[str, Any]:
    """The structured ``extra`` fields of a log record about a failed attempt."""
    status: int | None = getattr(failure, "status", None)
    reason = f"HTTP {status}" if isinstance(failure, APIStatusError) else type(failure).__name__
    return {
        "method": method,
        "path": path,
        "status": status,
        "attempt": attempt + 1,
        "request_id": _request_id(failure),
        "reason": reason,
    }
