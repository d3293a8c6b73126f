"""room_recordings.download() and room_compositions.download() against the emulator."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import attrs
import pytest

from telnyx_video import AsyncVideoClient, VideoClient
from telnyx_video.downloads import Download, link_expired, media_filename
from telnyx_video.emulator import EmulatorThread
from telnyx_video.errors import MediaNotReadyError

from .conftest import Media


@attrs.define
class Requests:
    """Every request a client sent: (method, URL, headers)."""

    sent: list[tuple[str, str, dict[str, str]]] = attrs.Factory(list)

    def trace(self) -> aiohttp.TraceConfig:
        config = aiohttp.TraceConfig()

        async def on_start(_: Any, __: SimpleNamespace, params: Any) -> None:
            self.sent.append((params.method, str(params.url), dict(params.headers)))

        config.on_request_start.append(on_start)
        return config

    def to_media(self) -> list[dict[str, str]]:
        return [h for _, url, h in self.sent if "/_emulator/media/" in url]

    def to_api(self) -> list[str]:
        return [url for _, url, _ in self.sent if "/v2/" in url]


@pytest.fixture
def requests() -> Requests:
    return Requests()


@pytest.fixture
async def client(
    telnyx_emulator: EmulatorThread, requests: Requests
) -> AsyncIterator[AsyncVideoClient]:
    async with AsyncVideoClient(
        api_key=telnyx_emulator.api_key,
        base_url=telnyx_emulator.base_url,
        trace_configs=[requests.trace()],
    ) as client:
        yield client


def _files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def _expected_size(size_mb: float | None) -> int:
    assert size_mb is not None
    return round(size_mb * 1_000_000)


async def test_a_recording_by_id_lands_in_a_directory_under_its_own_name(
    media: Media, client: AsyncVideoClient, requests: Requests, tmp_path: Path
) -> None:
    recording = media.recording("video")
    done = await client.room_recordings.download(recording.id, tmp_path)

    target = tmp_path / f"{recording.id}.webm"
    assert done == Download(
        path=target, size=_expected_size(recording.size_mb), content_type="video/webm"
    )
    assert target.stat().st_size == done.size
    assert target.read_bytes().startswith(f"telnyx-video emulator media {recording.id}".encode())
    assert _files(tmp_path) == [target.name]  # no temporary file left
    # One API call for the link, one GET of the link: the key went to the API only.
    assert len(requests.to_api()) == 1
    (media_headers,) = requests.to_media()
    assert "Authorization" not in media_headers


async def test_a_composition_goes_to_the_path_given_replacing_what_was_there(
    media: Media, client: AsyncVideoClient, tmp_path: Path
) -> None:
    target = tmp_path / "standup.mp4"
    target.write_bytes(b"an older file")
    done = await client.room_compositions.download(media.composition, target)
    assert done.path == target
    assert done.content_type == "video/mp4"
    assert target.stat().st_size == _expected_size(media.composition.size_mb) == done.size
    assert media_filename(media.composition) == f"{media.composition.id}.mp4"


async def test_a_file_object_receives_the_bytes_and_no_path_is_reported(
    media: Media, client: AsyncVideoClient
) -> None:
    recording = media.recording("audio")
    buffer = io.BytesIO(b"header:")
    buffer.seek(0, io.SEEK_END)
    seen: list[tuple[int, int | None]] = []
    done = await client.room_recordings.download(
        recording, buffer, progress=lambda got, total: seen.append((got, total))
    )
    assert done.path is None
    assert buffer.getvalue()[:7] == b"header:"
    assert len(buffer.getvalue()) == 7 + done.size
    assert seen[-1] == (done.size, done.size)
    assert [got for got, _ in seen] == sorted(got for got, _ in seen)


async def test_an_expired_link_is_replaced_by_a_fresh_one_once(
    media: Media,
    client: AsyncVideoClient,
    telnyx_emulator: EmulatorThread,
    requests: Requests,
    tmp_path: Path,
) -> None:
    recording = media.recording("audio")
    telnyx_emulator.advance(700)  # past the link's 600 s, on the emulator's clock only
    assert recording.download_url is not None
    assert not link_expired(recording.download_url)  # so the storage has to say so: 403

    done = await client.room_recordings.download(recording, tmp_path)

    assert done.size == _expected_size(recording.size_mb)
    assert len(requests.to_media()) == 2  # refused, then the fresh link
    assert requests.to_api() == [f"{client.base_url}/room_recordings/{recording.id}"]


async def test_a_link_that_says_it_has_expired_is_renewed_before_it_is_tried(
    media: Media, client: AsyncVideoClient, requests: Requests, tmp_path: Path
) -> None:
    recording = media.recording("audio")
    assert recording.download_url is not None
    stale = recording.download_url.replace("X-Amz-Date=2", "X-Amz-Date=1", 1)  # 1000 years ago
    assert link_expired(stale)

    await client.room_recordings.download(attrs.evolve(recording, download_url=stale), tmp_path)

    assert len(requests.to_api()) == 1
    assert len(requests.to_media()) == 1


async def test_media_still_processing_is_not_ready(
    telnyx_emulator: EmulatorThread, client: AsyncVideoClient, tmp_path: Path
) -> None:
    room = await client.rooms.create(enable_recording=True)
    token = await client.rooms.generate_join_client_token(room.id)
    participant = telnyx_emulator.join(room.id, token.token)
    telnyx_emulator.leave(participant.id)  # its recordings now take 5 s to complete
    (recording, *_) = [r async for r in client.room_recordings.list(room_id=room.id)]

    with pytest.raises(MediaNotReadyError) as caught:
        await client.room_recordings.download(recording, tmp_path)

    assert caught.value.resource_id == recording.id
    assert caught.value.state == "processing"
    assert "processing" in str(caught.value)
    assert _files(tmp_path) == []


def test_the_sync_client_downloads_too(
    media: Media, telnyx_sync_client: VideoClient, tmp_path: Path
) -> None:
    recording = media.recording("video")
    done = telnyx_sync_client.room_recordings.download(recording.id, tmp_path / "clip.webm")
    assert done.path == tmp_path / "clip.webm"
    assert done.size == _expected_size(recording.size_mb)
