"""What counts as success: a 2xx only; and a DELETE needs nothing more than its status.

A final 1xx answer is no answer (a malformed response, which may have been acted on); a 3xx
is an error (redirects are not followed); a DELETE answered 2xx succeeded whatever its body;
a DELETE retried after an ambiguous failure and answered 404 succeeded on an earlier attempt
(docs/reliability.md says so).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from _stub import DROP, Reply, StubServer

from telnyx_video import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    AsyncVideoClient,
    NotFoundError,
)

from .conftest import FAST
from .helpers import API_KEY, MakeClient, data, room_json


class RawServer:
    """Answers every request on 127.0.0.1 with the same raw bytes, then closes."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.requests = 0
        self._server: asyncio.Server | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/v2"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            self.requests += 1
            writer.write(self.answer)
            await writer.drain()
        finally:
            writer.close()

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


@pytest.fixture
async def switching() -> AsyncIterator[RawServer]:
    """A server whose final answer is ``101 Switching Protocols`` (with a JSON body)."""
    answer = (
        b"HTTP/1.1 101 Switching Protocols\r\nContent-Type: application/json\r\n"
        b"Content-Length: 11\r\n\r\n" + b'{"data":{}}'
    )
    async with RawServer(answer) as server:
        yield server


@pytest.mark.parametrize("method", ["GET", "DELETE", "POST"])
async def test_a_final_1xx_is_never_a_success(switching: RawServer, method: str) -> None:
    async with AsyncVideoClient(
        API_KEY, base_url=switching.base_url, retry_policy=FAST, max_retries=2
    ) as client:
        calls = {
            "GET": lambda: client.rooms.retrieve("r1"),
            "DELETE": lambda: client.rooms.delete("r1"),
            "POST": lambda: client.rooms.generate_join_client_token("r1"),
        }
        with pytest.raises(APIConnectionError, match="malformed response") as info:
            await calls[method]()
    assert info.value.maybe_sent  # it reached the server, which may have acted on it
    # Retried like any ambiguous failure: for safe methods only.
    assert switching.requests == (3 if method != "POST" else 1)


@pytest.mark.parametrize("status", [300, 301, 302, 303, 304, 307, 308])
async def test_a_3xx_is_never_a_success(
    server: StubServer, client: AsyncVideoClient, status: int
) -> None:
    server.on("DELETE", "/rooms/r1", Reply(status, headers={"Location": "/v2/rooms/r2"}))
    with pytest.raises(APIStatusError) as info:
        await client.rooms.delete("r1")
    assert info.value.status == status
    assert len(server.requests) == 1  # not followed, not retried


@pytest.mark.parametrize(
    "raw", [b"<html>deleted</html>", b'{"data": ', b"\xff\xfe", b'{"data": {"id": 7}}']
)
async def test_a_delete_answered_2xx_with_an_unreadable_body_succeeded(
    server: StubServer, client: AsyncVideoClient, raw: bytes
) -> None:
    server.on("DELETE", "/rooms/r1", Reply(200, body=raw, headers={"Content-Type": "text/html"}))
    assert await client.rooms.delete("r1") is None
    assert len(server.requests) == 1


async def test_a_get_answered_2xx_with_an_unreadable_body_is_an_error(
    server: StubServer, client: AsyncVideoClient
) -> None:
    """Only a caller that has no use for the body may ignore it."""
    server.on("GET", "/rooms/r1", Reply(200, body=b"<html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(APIResponseValidationError, match="not JSON"):
        await client.rooms.retrieve("r1")


NOT_FOUND = Reply(404, {"errors": [{"code": "10005", "title": "Not found"}]})


@pytest.mark.parametrize("first", [Reply(503, {}), DROP], ids=["503", "dropped"])
async def test_a_delete_retried_after_an_ambiguous_failure_and_answered_404_succeeded(
    server: StubServer,
    make_client: MakeClient,
    caplog: pytest.LogCaptureFixture,
    first: Reply,
) -> None:
    """As docs/reliability.md says: the earlier attempt did it; returns, and says so at INFO."""
    caplog.set_level(logging.INFO, logger="telnyx_video")
    server.on("DELETE", "/rooms/r1", first, NOT_FOUND)
    client = make_client()
    assert await client.rooms.delete("r1") is None
    assert len(server.requests) == 2
    (note,) = [r for r in caplog.records if "earlier attempt" in r.getMessage()]
    assert (note.method, note.path, note.status, note.attempt) == (  # type: ignore[attr-defined]
        "DELETE",
        "/rooms/r1",
        404,
        2,
    )


async def test_a_get_retried_and_answered_404_is_not_found(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("GET", "/rooms/r1", Reply(503, {}), NOT_FOUND)
    with pytest.raises(NotFoundError):
        await client.rooms.retrieve("r1")


async def test_a_2xx_is_a_success(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms/r1", Reply(203, data(room_json("r1"))))
    assert (await client.rooms.retrieve("r1")).id == "r1"
