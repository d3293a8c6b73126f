"""Error responses become typed exceptions, whatever shape the body has."""

from __future__ import annotations

import pickle

import pytest
from _stub import Reply, StubServer

from telnyx_video import (
    APIStatusError,
    AsyncVideoClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ErrorDetail,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    TelnyxVideoError,
    UnprocessableEntityError,
)

from .helpers import API_KEY

ERRORS_SHAPE = {
    "errors": [
        {
            "code": "10012",
            "title": "Invalid unique_name",
            "detail": "A room with this unique_name already exists.",
            "source": {"pointer": "/unique_name"},
            "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10012"},
        }
    ]
}
BARE_SHAPE = {
    "code": "10005",
    "title": "Resource not found",
    "detail": "Room not found",
    "source": {"parameter": "room_id"},
}
GENERIC_SHAPE = {"message": "Something went wrong", "success": False}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
        (599, InternalServerError),
        (405, APIStatusError),
        (410, APIStatusError),
        (418, APIStatusError),
    ],
)
async def test_every_status_has_its_class(
    server: StubServer, client: AsyncVideoClient, status: int, cls: type[APIStatusError]
) -> None:
    server.on("GET", "/rooms/r1", Reply(status, ERRORS_SHAPE))
    with pytest.raises(APIStatusError) as info:
        await client.rooms.retrieve("r1", max_retries=0)
    assert type(info.value) is cls
    assert isinstance(info.value, TelnyxVideoError)
    assert info.value.status == status
    assert len(server.requests) == 1


async def test_errors_shape(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("POST", "/rooms", Reply(422, ERRORS_SHAPE, headers={"x-request-id": "req-42"}))
    with pytest.raises(UnprocessableEntityError) as info:
        await client.rooms.create(max_participants=2)
    err = info.value
    assert err.errors == (
        ErrorDetail(
            code="10012",
            title="Invalid unique_name",
            detail="A room with this unique_name already exists.",
            pointer="/unique_name",
            meta={"url": "https://developers.telnyx.com/docs/overview/errors/10012"},
        ),
    )
    assert err.code == "10012"
    assert err.body == ERRORS_SHAPE
    assert err.request_id == "req-42"
    assert err.headers["X-Request-Id"] == "req-42"
    assert (err.method, err.url) == ("POST", "/rooms")
    assert str(err) == (
        "HTTP 422 Unprocessable Entity from POST /rooms: Invalid unique_name: "
        "A room with this unique_name already exists. (at /unique_name) [code 10012] "
        "(request id req-42)"
    )
    assert repr(err) == ("UnprocessableEntityError(status=422, code='10012', request_id='req-42')")


async def test_several_errors_are_all_described(
    server: StubServer, client: AsyncVideoClient
) -> None:
    body = {
        "errors": [
            {"code": "1", "title": "Bad max", "source": {"pointer": "/max_participants"}},
            {"code": "2", "title": "Bad url", "detail": "Bad url"},
        ]
    }
    server.on("POST", "/rooms", Reply(422, body))
    with pytest.raises(UnprocessableEntityError) as info:
        await client.rooms.create()
    assert [e.code for e in info.value.errors] == ["1", "2"]
    assert str(info.value) == (
        "HTTP 422 Unprocessable Entity from POST /rooms: "
        "Bad max (at /max_participants) [code 1]; Bad url [code 2]"
    )


async def test_bare_error_object(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms/nope", Reply(404, BARE_SHAPE, headers={"Request-Id": "abc"}))
    with pytest.raises(NotFoundError) as info:
        await client.rooms.retrieve("nope")
    err = info.value
    assert err.errors == (
        ErrorDetail(
            code="10005",
            title="Resource not found",
            detail="Room not found",
            parameter="room_id",
        ),
    )
    assert err.request_id == "abc"
    assert str(err) == (
        "HTTP 404 Not Found from GET /rooms/nope: Resource not found: Room not found "
        "(at room_id) [code 10005] (request id abc)"
    )


async def test_generic_message_shape(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms", Reply(400, GENERIC_SHAPE))
    with pytest.raises(BadRequestError) as info:
        await client.rooms.list()
    assert info.value.errors == (ErrorDetail(title="Something went wrong"),)
    assert str(info.value) == "HTTP 400 Bad Request from GET /rooms: Something went wrong"


async def test_errors_as_a_single_object(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms/r", Reply(403, {"errors": {"code": 7, "title": "Denied"}}))
    with pytest.raises(PermissionDeniedError) as info:
        await client.rooms.retrieve("r")
    assert info.value.errors == (ErrorDetail(code="7", title="Denied"),)


@pytest.mark.parametrize(
    ("body", "content_type", "message_tail"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "text/html", ": <html><body>502 Bad"),
        (b"upstream\nconnect error", "text/plain", ": upstream connect error"),
        (b"\xff\xfe\x00garbage", "application/octet-stream", ": \ufffd\ufffd"),
        (b"{not json", "application/json", ": {not json"),
    ],
)
async def test_non_json_bodies(
    server: StubServer,
    client: AsyncVideoClient,
    body: bytes,
    content_type: str,
    message_tail: str,
) -> None:
    server.on("GET", "/rooms/r", Reply(502, body=body, headers={"Content-Type": content_type}))
    with pytest.raises(InternalServerError) as info:
        await client.rooms.retrieve("r", max_retries=0)
    err = info.value
    assert err.errors == ()
    assert isinstance(err.body, str)
    assert str(err).startswith(f"HTTP 502 Bad Gateway from GET /rooms/r{message_tail}")


@pytest.mark.parametrize("body", [b"", b"   ", b"null", b"[]", b"[1, 2]", b'"oops"', b"42"])
async def test_empty_and_odd_json_bodies(
    server: StubServer, client: AsyncVideoClient, body: bytes
) -> None:
    server.on("DELETE", "/rooms/r", Reply(409, body=body))
    with pytest.raises(ConflictError) as info:
        await client.rooms.delete("r")
    assert info.value.errors == ()
    assert str(info.value).startswith("HTTP 409 Conflict from DELETE /rooms/r")


async def test_long_garbage_is_truncated(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms/r", Reply(400, body="x" * 10_000))
    with pytest.raises(BadRequestError) as info:
        await client.rooms.retrieve("r")
    assert len(str(info.value)) < 300
    assert info.value.body == "x" * 10_000


@pytest.mark.parametrize(
    "header", ["x-request-id", "X-Request-ID", "request-id", "telnyx-request-id"]
)
async def test_request_id_from_headers(
    server: StubServer, client: AsyncVideoClient, header: str
) -> None:
    server.on("GET", "/rooms/r", Reply(401, GENERIC_SHAPE, headers={header: "rid-1"}))
    with pytest.raises(AuthenticationError) as info:
        await client.rooms.retrieve("r")
    assert info.value.request_id == "rid-1"
    assert str(info.value).endswith("(request id rid-1)")


async def test_no_request_id(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms/r", Reply(404, BARE_SHAPE))
    with pytest.raises(NotFoundError) as info:
        await client.rooms.retrieve("r")
    assert info.value.request_id is None
    assert "request id" not in str(info.value)


async def test_rate_limit_error_exposes_retry_after(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("GET", "/rooms/r", Reply(429, GENERIC_SHAPE, headers={"Retry-After": "120"}))
    with pytest.raises(RateLimitError) as info:
        await client.rooms.retrieve("r", max_retries=0)
    assert info.value.retry_after == 120.0


async def test_errors_never_hold_the_key(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms/r", Reply(401, {"errors": [{"code": "10009", "title": "Auth"}]}))
    with pytest.raises(AuthenticationError) as info:
        await client.rooms.retrieve("r")
    err = info.value
    texts = [str(err), repr(err), repr(err.headers), repr(err.body), err.url, repr(vars(err))]
    assert not any(API_KEY in t for t in texts)


def test_other_errors_pickle() -> None:
    from telnyx_video import APITimeoutError, WebhookVerificationError

    timeout = pickle.loads(pickle.dumps(APITimeoutError("slow", method="GET", url="/rooms")))
    assert (str(timeout), timeout.method, timeout.maybe_sent) == ("slow", "GET", True)
    hook = pickle.loads(pickle.dumps(WebhookVerificationError("bad", reason="signature")))
    assert (str(hook), hook.reason) == ("bad", "signature")


def test_status_errors_pickle() -> None:
    err = UnprocessableEntityError(
        status=422,
        errors=(ErrorDetail(code="1", title="t"),),
        body={"errors": []},
        request_id="r",
        headers={"x-request-id": "r"},
        method="POST",
        url="/rooms",
        reason="Unprocessable Entity",
    )
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is UnprocessableEntityError
    assert str(copy) == str(err)
    assert (copy.status, copy.errors, copy.request_id) == (422, err.errors, "r")


def test_error_detail_describe() -> None:
    assert ErrorDetail(title="T", detail="T").describe() == "T"
    assert ErrorDetail(pointer="/a").describe() == "at /a"
    assert ErrorDetail(code="9").describe() == "code 9"
    assert ErrorDetail().describe() == ""


def test_hierarchy() -> None:
    from telnyx_video import (
        APIConnectionError,
        APIResponseValidationError,
        APITimeoutError,
        ConfigurationError,
        WebhookVerificationError,
    )

    assert issubclass(APITimeoutError, APIConnectionError)
    for cls in (
        APIConnectionError,
        APIResponseValidationError,
        APIStatusError,
        ConfigurationError,
        WebhookVerificationError,
    ):
        assert issubclass(cls, TelnyxVideoError)
    for cls in (BadRequestError, RateLimitError, InternalServerError):
        assert issubclass(cls, APIStatusError)


@pytest.mark.parametrize("status", [200, 500])
async def test_absurdly_nested_bodies_are_typed_errors(
    server: StubServer, client: AsyncVideoClient, status: int
) -> None:
    from telnyx_video import APIResponseValidationError

    server.on("GET", "/rooms/r", Reply(status, body="[" * 100_000 + "]" * 100_000))
    with pytest.raises((APIResponseValidationError, InternalServerError)) as info:
        await client.rooms.retrieve("r", max_retries=0)
    assert getattr(info.value, "status", None) == status


async def test_garbage_http_is_a_connection_error_without_the_key(
    server: StubServer, client: AsyncVideoClient
) -> None:
    import asyncio
    import traceback

    from aiohttp import web

    from telnyx_video import APIConnectionError

    async def garbage(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n{}")
        request.transport.close()
        raise asyncio.CancelledError

    server.on("GET", "/rooms/r", garbage)
    with pytest.raises(APIConnectionError, match="malformed response") as info:
        await client.rooms.retrieve("r", max_retries=0)
    chain: list[BaseException] = []
    current: BaseException | None = info.value
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for exc in chain:
        for text in (str(exc), repr(exc), repr(vars(exc)), repr(getattr(exc, "request_info", ""))):
            assert API_KEY not in text
    assert API_KEY not in "".join(traceback.format_exception(info.value))
