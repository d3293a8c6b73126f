"""No response, however large or however compressed, costs more memory than the cap allows.

The body is capped after decompression (``max_response_size``): past it the call raises
`APIResponseTooLargeError` without reading further, and memory is measured with
``tracemalloc`` while a gzip bomb (half a MiB on the wire, 512 MiB inflated) is served over
loopback.
"""

from __future__ import annotations

import asyncio
import json
import struct
import tracemalloc
import zlib

import pytest
from _stub import StubServer
from aiohttp import web

from telnyx_video import (
    APIResponseTooLargeError,
    APIResponseValidationError,
    AsyncVideoClient,
    ConfigurationError,
    InternalServerError,
    Room,
    VideoClient,
)

from .conftest import FAST_RETRIES, SECRET_KEY
from .test_fuzz_responses import VALID

MiB = 1024 * 1024
#: What the bomb inflates to.
INFLATED = 512 * MiB


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """A valid gzip stream of 512 MiB of zeros, about 0.5 MiB long.

    Each MiB is compressed after a full flush (which resets the window), so every MiB but
    the first compresses to the same bytes: compress two, repeat the second, and end the
    stream with its own final block and trailer (CRC-32 and length of the 512 MiB).
    """
    zeros = bytes(MiB)
    packer = zlib.compressobj(9, zlib.DEFLATED, 31, 9, zlib.Z_RLE)  # wbits 31: gzip framing
    first = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    final_block = packer.flush()[:-8]  # without the trailer of the 2 MiB actually fed
    crc = 0
    for _ in range(INFLATED // MiB):
        crc = zlib.crc32(zeros, crc)
    trailer = struct.pack("<II", crc, INFLATED % 2**32)
    bomb = first + again * (INFLATED // MiB - 1) + final_block + trailer
    assert len(bomb) < MiB  # small on the wire
    return bomb


def serve_bytes(body: bytes, *, status: int = 200, encoding: str | None = None) -> web.Response:
    headers = {"Content-Type": "application/json"}
    if encoding is not None:
        headers["Content-Encoding"] = encoding
    return web.Response(status=status, body=body, headers=headers)


@pytest.mark.parametrize("limit", [None, MiB])
async def test_a_gzip_bomb_is_refused_with_bounded_memory(
    stub: StubServer, gzip_bomb: bytes, limit: int | None
) -> None:
    async def bomb(request: web.Request) -> web.StreamResponse:
        return serve_bytes(gzip_bomb, encoding="gzip")

    stub.default = bomb
    options = {} if limit is None else {"max_response_size": limit}
    cap = 16 * MiB if limit is None else limit
    async with AsyncVideoClient(
        SECRET_KEY, base_url=stub.base_url, retry_policy=FAST_RETRIES, **options
    ) as client:
        tracemalloc.start()
        try:
            with pytest.raises(APIResponseTooLargeError) as info:
                await client.rooms.retrieve("r1")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert info.value.limit == cap
    assert info.value.status == 200
    assert f"max_response_size ({cap} bytes" in str(info.value)
    assert isinstance(info.value, APIResponseValidationError)
    # The body was never held whole: memory stayed near the cap, far below the 512 MiB.
    assert peak < cap + 16 * MiB, f"peak {peak / MiB:.1f} MiB"
    assert len(stub.requests) == 1  # a GET answered too large is not retried


async def test_a_plain_body_over_the_cap_is_refused(stub: StubServer) -> None:
    big = json.dumps({"data": VALID[Room], "padding": "x" * (2 * MiB)}).encode()
    stub.answer(200, big)
    async with AsyncVideoClient(
        SECRET_KEY, base_url=stub.base_url, max_response_size=MiB
    ) as client:
        with pytest.raises(APIResponseTooLargeError):
            await client.rooms.retrieve("r1")
        # A body up to the cap is read as usual, and the client is still usable.
        stub.answer(200, json.dumps({"data": VALID[Room]}))
        assert (await client.rooms.retrieve("r1")).id == "r1"


async def test_the_cap_is_inclusive(stub: StubServer) -> None:
    body = json.dumps({"data": VALID[Room]}).encode()
    stub.answer(200, body)
    async with AsyncVideoClient(
        SECRET_KEY, base_url=stub.base_url, max_response_size=len(body)
    ) as client:
        assert (await client.rooms.retrieve("r1")).id == "r1"
    async with AsyncVideoClient(
        SECRET_KEY, base_url=stub.base_url, max_response_size=len(body) - 1
    ) as client:
        with pytest.raises(APIResponseTooLargeError):
            await client.rooms.retrieve("r1")


async def test_an_error_answer_over_the_cap_keeps_its_status_without_the_body(
    stub: StubServer, gzip_bomb: bytes
) -> None:
    """A 503 stays an InternalServerError (retried for a GET as usual), its body unread."""

    async def bomb(request: web.Request) -> web.StreamResponse:
        return serve_bytes(gzip_bomb, status=503, encoding="gzip")

    stub.default = bomb
    async with AsyncVideoClient(
        SECRET_KEY,
        base_url=stub.base_url,
        max_response_size=MiB,
        max_retries=1,
        retry_policy=FAST_RETRIES,
    ) as client:
        tracemalloc.start()
        try:
            with pytest.raises(InternalServerError) as info:
                await client.rooms.retrieve("r1")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert info.value.status == 503
    assert info.value.body is None
    assert any("over max_response_size" in note for note in info.value.__notes__)
    assert peak < 16 * MiB
    assert len(stub.requests) == 2


async def test_a_delete_answered_2xx_over_the_cap_succeeded(
    stub: StubServer, gzip_bomb: bytes
) -> None:
    """The answer of a DELETE is not used: however large, its 2xx status says it all."""

    async def bomb(request: web.Request) -> web.StreamResponse:
        return serve_bytes(gzip_bomb, encoding="gzip")

    stub.default = bomb
    async with AsyncVideoClient(
        SECRET_KEY, base_url=stub.base_url, max_response_size=MiB
    ) as client:
        assert await client.rooms.delete("r1") is None
    assert len(stub.requests) == 1


async def test_a_slow_endless_body_is_cut_at_the_cap(stub: StubServer) -> None:
    """A chunked body that never ends: the call ends as soon as the cap is passed."""
    stop = asyncio.Event()

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        while not stop.is_set():
            await response.write(b" " * 65536)
        return response

    stub.default = endless
    async with AsyncVideoClient(
        SECRET_KEY, base_url=stub.base_url, max_response_size=MiB
    ) as client:
        async with asyncio.timeout(10):
            with pytest.raises(APIResponseTooLargeError):
                await client.rooms.retrieve("r1")
    stop.set()


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "16MiB", None])
def test_max_response_size_must_be_a_positive_int(value: object) -> None:
    for cls in (AsyncVideoClient, VideoClient):
        with pytest.raises(ConfigurationError, match="max_response_size"):
            cls(SECRET_KEY, base_url="http://127.0.0.1:1/v2", max_response_size=value)  # type: ignore[arg-type]
