"""Downloads against a hostile storage: cut, oversized, stalled, failing and slow answers.

The scripted server plays both the API (``/v2/room_recordings/...``) and the storage
(``/v2/media/...``); each test checks what was kept on disk and what was sent.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from _stub import Hang, Reply, StubServer
from aiohttp import web

from telnyx_video._transport import MEDIA_PIECE
from telnyx_video.errors import (
    APIConnectionError,
    APIResponseTooLargeError,
    APIResponseValidationError,
    APITimeoutError,
    NotFoundError,
    PermissionDeniedError,
)
from telnyx_video.models import RoomRecording

from .helpers import API_KEY, MakeClient, data, recording_json

FILE = bytes(range(256)) * 12 * 1024  # 3 MiB: more than one piece (1 MiB) before a cut


def _recording(server: StubServer, link: str = "/v2/media/rec-1?Expires=9999999999") -> None:
    server.on("GET", "/room_recordings/rec-1", Reply(json=data(_json(server, link))))


def _json(server: StubServer, link: str) -> dict[str, object]:
    return recording_json(download_url=server.root + link)


def _files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


async def _cut(request: web.Request) -> web.StreamResponse:
    """Promise the whole file, send half of it, hang up."""
    response = web.StreamResponse(headers={"Content-Length": str(len(FILE))})
    await response.prepare(request)
    await response.write(FILE[: len(FILE) // 2])
    assert request.transport is not None
    request.transport.close()
    raise asyncio.CancelledError


async def _chunked(request: web.Request) -> web.StreamResponse:
    """The file without a Content-Length (chunked)."""
    response = web.StreamResponse()
    response.enable_chunked_encoding()
    await response.prepare(request)
    for start in range(0, len(FILE), 100_000):
        await response.write(FILE[start : start + 100_000])
    await response.write_eof()
    return response


async def test_a_cut_body_is_retried_and_the_file_kept_whole(
    server: StubServer, make_client: MakeClient, tmp_path: Path
) -> None:
    _recording(server)
    server.on("GET", "/media/rec-1", _cut, Reply(body=FILE))
    client = make_client()
    done = await client.room_recordings.download("rec-1", tmp_path / "a.ogg")
    assert (tmp_path / "a.ogg").read_bytes() == FILE
    assert done.size == len(FILE)
    assert len(server.calls("GET", "/media/rec-1")) == 2
    assert _files(tmp_path) == ["a.ogg"]


async def test_when_every_attempt_is_cut_nothing_is_left_behind(
    server: StubServer, make_client: MakeClient, tmp_path: Path
) -> None:
    _recording(server)
    server.on("GET", "/media/rec-1", _cut)
    (tmp_path / "a.ogg").write_bytes(b"the previous file")
    client = make_client(max_retries=2)
    with pytest.raises(APIConnectionError) as caught:
        await client.room_recordings.download("rec-1", tmp_path / "a.ogg")
    assert len(server.calls("GET", "/media/rec-1")) == 3
    assert _files(tmp_path) == ["a.ogg"]  # no temporary file
    assert (tmp_path / "a.ogg").read_bytes() == b"the previous file"  # untouched
    assert "Expires" not in str(caught.value)  # the link's signature stays out of errors


async def test_a_file_over_max_size_is_refused_by_its_length_or_as_it_streams(
    server: StubServer, make_client: MakeClient, tmp_path: Path
) -> None:
    _recording(server)
    server.on("GET", "/media/rec-1", Reply(body=FILE), _chunked)
    client = make_client()
    for _ in range(2):  # announced by Content-Length, then found while streaming (chunked)
        with pytest.raises(APIResponseTooLargeError) as caught:
            await client.room_recordings.download("rec-1", tmp_path, max_size=len(FILE) - 1)
        assert caught.value.limit == len(FILE) - 1
    assert _files(tmp_path) == []
    assert len(server.calls("GET", "/media/rec-1")) == 2  # not retried
    done = await client.room_recordings.download("rec-1", tmp_path, max_size=len(FILE))
    assert done.size == len(FILE)  # chunked, exactly at the limit


async def test_a_stalled_storage_times_out_per_wait_and_the_caller_deadline_wins(
    server: StubServer, make_client: MakeClient, tmp_path: Path
) -> None:
    _recording(server)
    server.on("GET", "/media/rec-1", Hang())
    client = make_client(timeout=0.2, max_retries=0)
    with pytest.raises(APITimeoutError):
        await client.room_recordings.download("rec-1", tmp_path)
    assert _files(tmp_path) == []

    client = make_client(timeout=None)
    with pytest.raises(TimeoutError):  # the caller's own, not ours
        async with asyncio.timeout(0.2):
            await client.room_recordings.download("rec-1", tmp_path)
    assert _files(tmp_path) == []


async def test_a_5xx_is_retried_and_a_refused_link_renewed_once(
    server: StubServer, make_client: MakeClient, tmp_path: Path
) -> None:
    _recording(server)
    denied = Reply(
        status=403,
        body="<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
        headers={"Content-Type": "application/xml"},
    )
    server.on("GET", "/media/rec-1", Reply(status=503), denied, Reply(body=FILE))
    client = make_client()
    done = await client.room_recordings.download("rec-1", tmp_path / "a.ogg")
    assert done.size == len(FILE)
    assert len(server.calls("GET", "/room_recordings/rec-1")) == 2  # the first link, a fresh one

    server.on("GET", "/media/rec-1", denied)  # refused whatever the link: raised after one renewal
    with pytest.raises(PermissionDeniedError) as caught:
        await client.room_recordings.download("rec-1", tmp_path / "b.ogg")
    assert "Request has expired" in str(caught.value)
    assert len(server.calls("GET", "/room_recordings/rec-1")) == 4


async def test_the_key_never_reaches_the_storage_and_redirects_are_followed(
    server: StubServer, make_client: MakeClient, tmp_path: Path
) -> None:
    _recording(server, "/v2/media/old?sig=1")
    server.on("GET", "/media/old", Reply(status=302, headers={"Location": "/v2/media/rec-1"}))
    server.on("GET", "/media/rec-1", _chunked)
    done = await make_client().room_recordings.download("rec-1", tmp_path / "a.ogg")
    assert done.size == len(FILE)
    (api,) = server.calls("GET", "/room_recordings/rec-1")
    assert api.headers["Authorization"] == f"Bearer {API_KEY}"
    for call in server.calls("GET", "/media/old") + server.calls("GET", "/media/rec-1"):
        assert "Authorization" not in call.headers
        assert API_KEY not in str(call.headers)


async def test_links_the_sdk_will_not_fetch(
    server: StubServer, make_client: MakeClient, tmp_path: Path
) -> None:
    client = make_client()
    with pytest.raises(TypeError, match="destination"):  # before any request
        await client.room_recordings.download("rec-1", 42)  # type: ignore[arg-type]
    assert server.requests == []
    recording = await _retrieve_with(server, client, "http://storage.example.com/rec-1")
    with pytest.raises(APIResponseValidationError, match="plain-http"):
        await client.room_recordings.download(recording, tmp_path)
    recording = await _retrieve_with(server, client, "ftp://storage.example.com/rec-1")
    with pytest.raises(APIResponseValidationError, match="not an http"):
        await client.room_recordings.download(recording, tmp_path)
    server.on("GET", "/room_recordings/gone", Reply(status=404))
    with pytest.raises(NotFoundError):
        await client.room_recordings.download("gone", tmp_path)
    assert _files(tmp_path) == []


async def _retrieve_with(server: StubServer, client: object, link: str) -> RoomRecording:
    server.on("GET", "/room_recordings/rec-x", Reply(json=data(recording_json(download_url=link))))
    return await client.room_recordings.retrieve("rec-x")  # type: ignore[attr-defined,no-any-return]


async def test_an_unseekable_file_object_is_not_retried_once_written_to(
    server: StubServer, make_client: MakeClient
) -> None:
    _recording(server)
    server.on("GET", "/media/rec-1", _cut, Reply(body=FILE))

    class Pipe:
        def __init__(self) -> None:
            self.chunks: list[bytes] = []

        def write(self, chunk: bytes) -> int:
            self.chunks.append(chunk)
            return len(chunk)

    pipe = Pipe()
    with pytest.raises(APIConnectionError):
        await make_client().room_recordings.download("rec-1", pipe)  # type: ignore[arg-type]
    assert len(server.calls("GET", "/media/rec-1")) == 1
    assert sum(map(len, pipe.chunks)) >= 1024 * 1024  # a piece went out: it cannot come back


ETAG = '"v1"'
RESUMABLE = {"Accept-Ranges": "bytes", "ETag": ETAG}


async def _cut_resumable(request: web.Request) -> web.StreamResponse:
    """Like ``_cut``, from a storage that can send the rest (Accept-Ranges, a strong ETag)."""
    response = web.StreamResponse(headers={"Content-Length": str(len(FILE)), **RESUMABLE})
    await response.prepare(request)
    await response.write(FILE[: len(FILE) // 2])
    assert request.transport is not None
    request.transport.close()
    raise asyncio.CancelledError


def _rest(start_header: str | None = None) -> Reply:
    """A 206 with the file from the start the client asked for (or ``start_header``'s)."""

    async def answer(request: web.Request) -> web.StreamResponse:
        first = int(request.headers["Range"].removeprefix("bytes=").removesuffix("-"))
        stated = start_header or f"bytes {first}-{len(FILE) - 1}/{len(FILE)}"
        return web.Response(
            status=206, body=FILE[first:], headers={"Content-Range": stated, **RESUMABLE}
        )

    return answer  # type: ignore[return-value]


async def test_a_cut_download_asks_for_the_rest_only(
    server: StubServer, make_client: MakeClient, tmp_path: Path
) -> None:
    _recording(server)
    server.on("GET", "/media/rec-1", _cut_resumable, _rest())
    done = await make_client().room_recordings.download("rec-1", tmp_path / "a.ogg")
    assert (tmp_path / "a.ogg").read_bytes() == FILE
    assert done.size == len(FILE)
    first, second = server.calls("GET", "/media/rec-1")
    assert "Range" not in first.headers
    assert MEDIA_PIECE <= _range_start(second.headers["Range"]) <= len(FILE) // 2  # what was kept
    assert second.headers["If-Range"] == ETAG  # only if it is still the same file


async def test_even_a_pipe_resumes_and_a_storage_that_ignores_ranges_restarts_it(
    server: StubServer, make_client: MakeClient, tmp_path: Path
) -> None:
    _recording(server)
    server.on("GET", "/media/rec-1", _cut_resumable, _rest())

    class Pipe:
        def __init__(self) -> None:
            self.data = bytearray()

        def write(self, chunk: bytes) -> int:
            self.data += chunk
            return len(chunk)

    pipe = Pipe()
    await make_client().room_recordings.download("rec-1", pipe)  # type: ignore[arg-type]
    assert pipe.data == FILE  # resumed: nothing had to be taken back

    # The rest is asked for, the whole file comes (or a range other than the one asked):
    # a file starts over.
    server.on(
        "GET",
        "/media/rec-1",
        _cut_resumable,
        _rest(start_header=f"bytes 5-{len(FILE) - 1}/{len(FILE)}"),
        Reply(body=FILE),
    )
    done = await make_client().room_recordings.download("rec-1", tmp_path / "b.ogg")
    assert (tmp_path / "b.ogg").read_bytes() == FILE
    assert done.size == len(FILE)
    ranges = [c.headers.get("Range") for c in server.calls("GET", "/media/rec-1")[2:]]
    assert ranges[0] is None
    assert ranges[1] == ranges[2]  # the same rest asked for again, then the whole file came
    assert _range_start(ranges[1] or "") >= MEDIA_PIECE


def _range_start(header: str) -> int:
    return int(header.removeprefix("bytes=").removesuffix("-"))
