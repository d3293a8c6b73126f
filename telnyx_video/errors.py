"""The exception hierarchy of telnyx-video.

Everything the SDK raises on purpose derives from
[`TelnyxVideoError`][telnyx_video.errors.TelnyxVideoError]:

    TelnyxVideoError
    ├── ConfigurationError            bad client configuration (no API key, insecure URL)
    ├── APIConnectionError            the request did not get an HTTP response
    │   └── APITimeoutError           ... because it ran out of time
    ├── APIResponseValidationError    a 2xx response did not match the documented shape
    │   └── APIResponseTooLargeError  ... or was larger than max_response_size
    ├── APIStatusError                the API answered with a 4xx or 5xx status
    │   ├── BadRequestError           400
    │   ├── AuthenticationError       401
    │   ├── PermissionDeniedError     403
    │   ├── NotFoundError             404
    │   ├── ConflictError             409
    │   ├── UnprocessableEntityError  422
    │   ├── RateLimitError            429
    │   └── InternalServerError       5xx
    └── WebhookVerificationError      a webhook delivery failed verification

No message, ``repr`` or attribute of these exceptions ever holds the API key: they are built
from the response only, never from the request headers.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from typing import Any

import attrs
from multidict import CIMultiDict

__all__ = [
    "APIConnectionError",
    "APIResponseTooLargeError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "ErrorCode",
    "ErrorDetail",
    "InternalServerError",
    "MediaNotReadyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "TelnyxVideoError",
    "UnprocessableEntityError",
    "WebhookVerificationError",
]


class ErrorCode(enum.StrEnum):
    """Codes of Telnyx's published error catalog that the Video API answers with.

    Members are the code strings found in [`ErrorDetail.code`][telnyx_video.errors.ErrorDetail]
    (``error.code == ErrorCode.DUPLICATE_RESOURCE`` is ``error.code == "10012"``);
    [`catalog_title`][telnyx_video.errors.ErrorCode.catalog_title] is the catalog's title.
    """

    INVALID_URL = "10003"
    MISSING_REQUIRED_PARAMETER = "10004"
    RESOURCE_NOT_FOUND = "10005"
    INVALID_ID = "10006"
    UNEXPECTED_ERROR = "10007"
    REQUEST_TIMEOUT = "10008"
    AUTHENTICATION_FAILED = "10009"
    AUTHORIZATION_FAILED = "10010"
    TOO_MANY_REQUESTS = "10011"
    DUPLICATE_RESOURCE = "10012"
    MISSING_ASSOCIATION = "10013"
    UNSUPPORTED_MEDIA_TYPE = "10014"
    BAD_REQUEST = "10015"
    ASSOCIATED_RESOURCE_DOES_NOT_EXIST = "10017"
    RESOURCE_IN_USE = "10021"
    INVALID_IDS = "10022"
    INVALID_JSON = "10023"

    @property
    def catalog_title(self) -> str:
        """The catalog's title of this code, such as ``"Duplicate resource"``."""
        return _CODE_TITLES[self]


_CODE_TITLES: dict[ErrorCode, str] = {
    ErrorCode.INVALID_URL: "Invalid URL",
    ErrorCode.MISSING_REQUIRED_PARAMETER: "Missing required parameter",
    ErrorCode.RESOURCE_NOT_FOUND: "Resource not found",
    ErrorCode.INVALID_ID: "Invalid ID",
    ErrorCode.UNEXPECTED_ERROR: "Unexpected error",
    ErrorCode.REQUEST_TIMEOUT: "Request timeout",
    ErrorCode.AUTHENTICATION_FAILED: "Authentication failed",
    ErrorCode.AUTHORIZATION_FAILED: "Authorization failed",
    ErrorCode.TOO_MANY_REQUESTS: "Too many requests",
    ErrorCode.DUPLICATE_RESOURCE: "Duplicate resource",
    ErrorCode.MISSING_ASSOCIATION: "Missing association",
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: "Unsupported Media Type",
    ErrorCode.BAD_REQUEST: "Bad Request",
    ErrorCode.ASSOCIATED_RESOURCE_DOES_NOT_EXIST: "Associated resource does not exist",
    ErrorCode.RESOURCE_IN_USE: "Resource in use",
    ErrorCode.INVALID_IDS: "One or more invalid IDs",
    ErrorCode.INVALID_JSON: "Invalid JSON",
}


REQUEST_ID_HEADERS = ("x-request-id", "request-id", "telnyx-request-id", "x-telnyx-request-id")


class TelnyxVideoError(Exception):
    """Base class of every error raised by telnyx-video."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take keyword-only arguments, which the default pickling cannot replay.
        return (_restore, (type(self), self.args, self.__dict__))


def _restore(
    cls: type[TelnyxVideoError], args: tuple[Any, ...], state: dict[str, Any]
) -> TelnyxVideoError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ConfigurationError(TelnyxVideoError, ValueError):
    """The client was configured in a way that cannot work (for example, no API key)."""


class APIConnectionError(TelnyxVideoError):
    """The request did not get an HTTP response: DNS, refused or dropped connection.

    ``maybe_sent`` is ``False`` only when the request certainly never reached the server
    (the connection could not be opened), so a retry cannot duplicate anything.
    """

    def __init__(
        self, message: str, *, method: str = "", url: str = "", maybe_sent: bool = True
    ) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.maybe_sent = maybe_sent


class APITimeoutError(APIConnectionError):
    """The request did not complete within its timeout (it may have reached the server)."""


class APIResponseValidationError(TelnyxVideoError):
    """A successful response whose body does not have the documented shape."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: Any = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = body
        self.request_id = request_id


class APIResponseTooLargeError(APIResponseValidationError):
    """A 2xx response body, once decompressed, exceeded the client's ``max_response_size``.

    The body was not read past the limit; ``limit`` is that limit in bytes. (An error status
    with such a body raises its usual [`APIStatusError`][telnyx_video.errors.APIStatusError],
    without the body.)
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        limit: int,
    ) -> None:
        super().__init__(message, status=status, request_id=request_id)
        self.limit = limit


@attrs.frozen(kw_only=True)
class ErrorDetail:
    """One entry of a Telnyx error response."""

    code: str | None = None
    title: str | None = None
    detail: str | None = None
    pointer: str | None = None
    parameter: str | None = None
    meta: Mapping[str, Any] | None = None

    def describe(self) -> str:
        """A one-line, human-readable summary of this error entry."""
        parts = [p for p in (self.title, self.detail) if p]
        if len(parts) == 2 and parts[0] == parts[1]:
            del parts[1]
        text = ": ".join(parts)
        where = self.pointer or self.parameter
        if where:
            text = f"{text} (at {where})" if text else f"at {where}"
        if self.code:
            text = f"{text} [code {self.code}]" if text else f"code {self.code}"
        return text


class APIStatusError(TelnyxVideoError):
    """The API answered with an error status.

    Attributes:
        status: the HTTP status code.
        errors: the parsed error entries (code, title, detail, pointer...), possibly empty.
        body: the decoded JSON body, or the raw text when it was not JSON.
        request_id: the request id the API returned, to quote to Telnyx support.
        headers: the response headers.
        method: the HTTP method of the request.
        url: the URL of the request (it never holds the key).
    """

    status: int

    def __init__(
        self,
        *,
        status: int,
        errors: tuple[ErrorDetail, ...] = (),
        body: Any = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        method: str = "",
        url: str = "",
        reason: str = "",
    ) -> None:
        self.status = status
        self.errors = errors
        self.body = body
        self.request_id = request_id
        self.headers: CIMultiDict[str] = CIMultiDict(headers or {})
        self.method = method
        self.url = url
        self.reason = reason
        super().__init__(self._message())

    @property
    def code(self) -> str | None:
        """The code of the first error entry, if any (``"10012"``, ...)."""
        return self.errors[0].code if self.errors else None

    def _message(self) -> str:
        head = f"HTTP {self.status}"
        if self.reason:
            head = f"{head} {self.reason}"
        if self.method and self.url:
            head = f"{head} from {self.method} {self.url}"
        described = [d for d in (e.describe() for e in self.errors) if d]
        if described:
            text = f"{head}: {'; '.join(described)}"
        elif isinstance(self.body, str) and self.body.strip():
            snippet = self.body.strip().replace("\n", " ")
            text = f"{head}: {snippet[:200]}"
        else:
            text = head
        if self.request_id:
            text = f"{text} (request id {self.request_id})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, code={self.code!r}, "
            f"request_id={self.request_id!r})"
        )


class BadRequestError(APIStatusError):
    """HTTP 400: the request was malformed."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the API key is missing, wrong or revoked."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403: the key may not perform this operation."""


class NotFoundError(APIStatusError):
    """HTTP 404: no such resource."""


class ConflictError(APIStatusError):
    """HTTP 409: the request conflicts with the resource's current state."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422: a parameter failed validation; see [`errors`][telnyx_video.errors] for the
    pointers."""


class RateLimitError(APIStatusError):
    """HTTP 429: too many requests. `retry_after` holds the server's hint in seconds."""

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked us to wait, from ``Retry-After``, if it sent one."""
        from telnyx_video._retry import parse_retry_after

        return parse_retry_after(self.headers.get("retry-after"))


class InternalServerError(APIStatusError):
    """HTTP 5xx: the API failed to process the request."""


class MediaNotReadyError(TelnyxVideoError):
    """A recording or composition has no file to download yet (it is still processing).

    Attributes:
        resource_id: the recording's or composition's id.
        state: its ``status`` (``"processing"``, ``"enqueued"``...).
    """

    def __init__(self, message: str, *, resource_id: str, state: str | None) -> None:
        super().__init__(message)
        self.resource_id = resource_id
        self.state = state


class WebhookVerificationError(TelnyxVideoError):
    """A webhook delivery failed verification; `reason` says why."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type[APIStatusError]:
    """The exception class for an HTTP error status."""
    if status >= 500:
        return InternalServerError
    return _STATUS_CLASSES.get(status, APIStatusError)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _detail_from(obj: Mapping[str, Any]) -> ErrorDetail:
    source = obj.get("source")
    source = source if isinstance(source, Mapping) else {}
    meta = obj.get("meta")
    return ErrorDetail(
        code=_text(obj.get("code")),
        title=_text(obj.get("title")),
        detail=_text(obj.get("detail")),
        pointer=_text(source.get("pointer")),
        parameter=_text(source.get("parameter")),
        meta=meta if isinstance(meta, Mapping) else None,
    )


def parse_error_details(body: Any) -> tuple[ErrorDetail, ...]:
    """Read the error entries of any Telnyx error body shape.

    Understands ``{"errors": [...]}``, a bare error object ``{"code", "title", ...}`` and the
    generic ``{"message": ..., "success": false}``; anything else gives no entries.
    """
    if not isinstance(body, Mapping):
        return ()
    errors = body.get("errors")
    if isinstance(errors, list):
        return tuple(_detail_from(e) for e in errors if isinstance(e, Mapping))
    if isinstance(errors, Mapping):
        return (_detail_from(errors),)
    if any(key in body for key in ("code", "title", "detail")):
        return (_detail_from(body),)
    message = body.get("message") or body.get("error")
    if isinstance(message, str):
        return (ErrorDetail(title=message),)
    return ()


def find_request_id(headers: Mapping[str, str]) -> str | None:
    """The request id a response carries, under any of the header names Telnyx uses."""
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def make_status_error(
    *,
    status: int,
    raw_body: bytes,
    headers: Mapping[str, str],
    method: str = "",
    url: str = "",
    reason: str = "",
) -> APIStatusError:
    """Build the typed exception for an error response from its raw parts."""
    text = raw_body.decode("utf-8", errors="replace")
    body: Any
    try:
        body = json.loads(text) if text.strip() else None
    except (ValueError, RecursionError):  # not JSON, or nested absurdly deep
        body = text
    return status_error_class(status)(
        status=status,
        errors=parse_error_details(body),
        body=body,
        request_id=find_request_id(headers),
        headers=headers,
        method=method,
        url=url,
        reason=reason,
    )
