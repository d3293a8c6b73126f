"""The emulator's media links: signed, expiring, renewed by the API, open without a key."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import EmulatorThread

from .conftest import Media

TTL = 600  # the emulator's default media_url_ttl_secs


async def _get(url: str, method: str = "GET") -> tuple[int, CIMultiDictProxy[str], bytes]:
    async with aiohttp.ClientSession() as http, http.request(method, URL(url, encoded=True)) as r:
        return r.status, r.headers, await r.read()


async def test_a_link_serves_the_file_its_record_describes_without_any_key(media: Media) -> None:
    recording = media.recording("video")
    assert recording.download_url is not None
    status, headers, body = await _get(recording.download_url)
    assert status == 200
    assert recording.size_mb is not None
    assert len(body) == int(headers["Content-Length"]) == round(recording.size_mb * 1_000_000)
    assert headers["Content-Type"] == "video/webm"  # the emulator's default video codec, vp8
    assert body.startswith(f"telnyx-video emulator media {recording.id}\n".encode())
    assert (await _get(recording.download_url))[2] == body  # the same file every time

    status, headers, body = await _get(recording.download_url, "HEAD")
    assert (status, body) == (200, b"")
    assert int(headers["Content-Length"]) == round(recording.size_mb * 1_000_000)


async def test_links_look_pre_signed_and_carry_their_lifetime(media: Media) -> None:
    url = URL(media.composition.download_url or "", encoded=True)
    assert url.path == f"/_emulator/media/compositions/{media.composition.id}"
    assert set(url.query) == {"X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature"}
    assert url.query["X-Amz-Expires"] == str(TTL)
    status, headers, _ = await _get(str(url))
    assert (status, headers["Content-Type"]) == (200, "video/mp4")


async def test_an_expired_link_is_refused_and_the_api_hands_out_a_fresh_one(
    media: Media, telnyx_emulator: EmulatorThread, telnyx_client: AsyncVideoClient
) -> None:
    old = media.recording("audio")
    assert old.download_url is not None
    signed = datetime.strptime(
        URL(old.download_url, encoded=True).query["X-Amz-Date"], "%Y%m%dT%H%M%SZ"
    ).replace(tzinfo=UTC)
    telnyx_emulator.advance((signed - telnyx_emulator.now()).total_seconds() + TTL // 2 - 5)
    # Still more than half its life left: the API shows the same link.
    assert (await telnyx_client.room_recordings.retrieve(old.id)).download_url == old.download_url
    telnyx_emulator.advance(TTL // 2 + 5)  # its life is over

    status, headers, body = await _get(old.download_url)
    assert status == 403
    assert headers["Content-Type"].startswith("application/xml")
    assert b"<Code>AccessDenied</Code><Message>Request has expired</Message>" in body

    fresh = await telnyx_client.room_recordings.retrieve(old.id)
    assert fresh.download_url is not None
    assert fresh.download_url != old.download_url
    listed = [r async for r in telnyx_client.room_recordings.list(session_id=old.session_id)]
    assert fresh.download_url in {r.download_url for r in listed}
    assert (await _get(fresh.download_url))[0] == 200


async def test_a_link_whose_signature_or_query_was_tampered_with_is_refused(
    media: Media,
) -> None:
    url = URL(media.recording("audio").download_url or "", encoded=True)
    other = media.recording("video")
    forged = [
        url.with_path(f"/_emulator/media/recordings/{other.id}"),  # another file, same signature
        url.update_query({"X-Amz-Expires": "999999"}),  # a longer life
        url.with_query(None),  # no signature at all
    ]
    for link in forged:
        status, _, body = await _get(str(link))
        assert status == 403, link
        assert b"<Code>AccessDenied</Code>" in body


async def test_a_deleted_recording_has_no_file(
    media: Media, telnyx_client: AsyncVideoClient
) -> None:
    recording = media.recording("audio")
    await telnyx_client.room_recordings.delete(recording.id)
    status, _, body = await _get(recording.download_url or "")
    assert status == 404
    assert b"<Code>NoSuchKey</Code>" in body


async def test_the_dashboard_snapshot_shows_links_that_work(
    media: Media, telnyx_emulator: EmulatorThread
) -> None:
    telnyx_emulator.advance(TTL * 2)  # every link the fixture saw has expired
    async with (
        aiohttp.ClientSession() as http,
        http.get(telnyx_emulator.root_url + "/_emulator/snapshot") as response,
    ):
        snapshot = (await response.json())["data"]
    links = [r["download_url"] for r in snapshot["recordings"] + snapshot["compositions"]]
    assert len(links) == len(media.recordings) + 1
    for link in links:
        assert (await _get(link, "HEAD"))[0] == 200


async def _get_range(
    url: str, headers: dict[str, str]
) -> tuple[int, CIMultiDictProxy[str], bytes]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(URL(url, encoded=True), headers=headers) as r,
    ):
        return r.status, r.headers, await r.read()


async def test_a_byte_range_is_served_like_storage_serves_it(media: Media) -> None:
    url = media.recording("video").download_url or ""
    _, headers, whole = await _get(url)
    assert headers["Accept-Ranges"] == "bytes"
    etag, size = headers["ETag"], len(whole)
    start = 100_000 + 7  # not on a block boundary

    status, got, body = await _get_range(url, {"Range": f"bytes={start}-"})
    assert (status, body) == (206, whole[start:])
    assert got["Content-Range"] == f"bytes {start}-{size - 1}/{size}"
    status, _, body = await _get_range(url, {"Range": "bytes=5-9", "If-Range": etag})
    assert (status, body) == (206, whole[5:10])
    # Another file's validator, or a range that is not one: the whole file.
    for other in ({"Range": "bytes=5-", "If-Range": '"other"'}, {"Range": "bytes=9-5"}):
        status, _, body = await _get_range(url, other)
        assert (status, body) == (200, whole)
    status, got, _ = await _get_range(url, {"Range": f"bytes={size}-"})
    assert (status, got["Content-Range"]) == (416, f"bytes */{size}")
