"""Media downloads: a recording's or composition's file, streamed to disk or to a file object.

[`room_recordings.download()`][telnyx_video.resources.AsyncRoomRecordings.download] and
[`room_compositions.download()`][telnyx_video.resources.AsyncRoomCompositions.download] return
a [`Download`][telnyx_video.downloads.Download]. The file is fetched from its ``download_url``,
a pre-signed link that carries its own authorisation (the API key is never sent to it) and
expires: a link that has expired (by its own ``X-Amz-Date``/``X-Amz-Expires`` or ``Expires``
parameters, or by the storage's ``400``/``401``/``403`` answer) is replaced by a fresh one,
fetched from the API once per download.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Final, TypeVar

import attrs
from yarl import URL

from telnyx_video._retry import check_max_retries, check_timeout, retry_delay
from telnyx_video._transport import Transport, is_loopback_host
from telnyx_video.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    MediaNotReadyError,
)
from telnyx_video.models import RoomComposition, RoomRecording
from telnyx_video.types import NOT_GIVEN, Destination, NotGiven, Progress

__all__ = ["Download", "link_expired", "media_filename"]

M = TypeVar("M", RoomRecording, RoomComposition)

#: File extensions by recording codec or composition format.
_EXTENSIONS: Final = {"opus": ".ogg", "vp8": ".webm", "h264": ".mp4", "mp4": ".mp4"}
#: Storage answers that mean the link itself was refused (S3 and Azure say 403 once it has
#: expired, Google Cloud Storage 400): worth one fresh link.
_LINK_REFUSED: Final = frozenset({400, 401, 403})
_AMZ_DATE: Final = "%Y%m%dT%H%M%SZ"


@attrs.frozen
class Download:
    """A finished download."""

    path: Path | None
    """The file written, or ``None`` when the destination was a file object."""
    size: int
    """Bytes written."""
    content_type: str | None
    """The media type the storage gave, e.g. ``"video/mp4"``."""


def media_filename(media: RoomRecording | RoomComposition) -> str:
    """The name a download into a directory gets: the id and an extension from the
    recording's codec or the composition's format (``.ogg``, ``.webm``, ``.mp4``; ``.bin``
    for anything else)."""
    kind = media.codec if isinstance(media, RoomRecording) else media.format
    return media.id + _EXTENSIONS.get(str(kind), ".bin")


def link_expired(url: str, now: datetime | None = None) -> bool:
    """Whether a pre-signed link says it has expired (``False`` when it does not say)."""
    now = now or datetime.now(UTC)
    query = URL(url, encoded=True).query
    signed, lifetime = query.get("X-Amz-Date"), query.get("X-Amz-Expires")
    try:
        if signed and lifetime:
            start = datetime.strptime(signed, _AMZ_DATE).replace(tzinfo=UTC)
            return now >= start + timedelta(seconds=int(lifetime))
        expires = query.get("Expires")  # CloudFront, S3 and GCS V2 signatures: Unix seconds
        return expires is not None and now.timestamp() >= int(expires)
    except (ValueError, OverflowError):
        return False


class _Sink:
    """Where the bytes go: a temporary file renamed when complete, or the caller's file
    (a ``telnyx_video._transport.MediaSink``)."""

    def __init__(self, destination: Destination, media: RoomRecording | RoomComposition) -> None:
        self.size = 0
        self.etag: str | None = None
        self.path: Path | None = None
        self._temporary: Path | None = None
        if isinstance(destination, str | os.PathLike):
            path = Path(destination)
            if path.is_dir():
                path = path / media_filename(media)
            descriptor, name = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".part"
            )
            self.path, self._temporary = path, Path(name)
            self._file: IO[bytes] = os.fdopen(descriptor, "wb")
            self._start: int | None = 0
        else:
            self._file = destination
            self._start = destination.tell() if _seekable(destination) else None

    async def write(self, data: bytes) -> None:
        await asyncio.to_thread(self._file.write, data)  # a slow disk never stalls the loop
        self.size += len(data)

    async def restart(self) -> bool:
        """Back to the first byte for another attempt; ``False`` if that cannot be done."""
        self.etag = None
        if self.size == 0:
            return True
        start = self._start
        if start is None:
            return False
        await asyncio.to_thread(_rewind, self._file, start)
        self.size = 0
        return True

    def resumable(self) -> bool:
        """Whether another attempt can ask for the rest only (the storage said it could)."""
        return self.size > 0 and self.etag is not None

    async def commit(self) -> None:
        if self._temporary is not None and self.path is not None:
            await asyncio.to_thread(_finish, self._file, self._temporary, self.path)
            self._temporary = None
        elif callable(flush := getattr(self._file, "flush", None)):
            await asyncio.to_thread(flush)

    def abort(self) -> None:
        if self._temporary is not None:
            with contextlib.suppress(OSError):
                self._file.close()
                self._temporary.unlink()


def _seekable(file: Any) -> bool:
    seekable = getattr(file, "seekable", None)
    return bool(seekable()) if callable(seekable) else False


def _rewind(file: IO[bytes], start: int) -> None:
    file.seek(start)
    file.truncate()


def _finish(file: IO[bytes], temporary: Path, path: Path) -> None:
    """Make the complete file durable, then give it its name (atomically)."""
    with file:
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


async def download_media(
    transport: Transport,
    media: M | str,
    destination: Destination,
    retrieve: Callable[..., Awaitable[M]],
    *,
    max_size: int | None,
    progress: Progress | None,
    timeout: float | None | NotGiven,
    max_retries: int | NotGiven,
) -> Download:
    """The download behind both resources' ``download()``: ``retrieve`` fetches the record
    (for its ``download_url``) when given an id, when the record at hand has no link, and
    once when the link has expired."""
    seconds = transport.timeout if timeout is NOT_GIVEN else check_timeout(timeout)
    retries = transport.max_retries if max_retries is NOT_GIVEN else check_max_retries(max_retries)
    if max_size is not None and (isinstance(max_size, bool) or not isinstance(max_size, int)):
        raise TypeError(f"max_size must be an int or None, got {max_size!r}")
    if not isinstance(destination, str | os.PathLike) and not callable(
        getattr(destination, "write", None)
    ):
        raise TypeError(
            "destination must be a path (a file or an existing directory) or a binary file "
            f"object, got {type(destination).__name__}"
        )

    async def fresh(ident: str) -> M:
        return await retrieve(ident, timeout=timeout, max_retries=max_retries)

    # A link from the API just now is not fetched again before it is tried (a clock that
    # disagrees with the link would only waste calls); a refused one is renewed once.
    just_fetched = isinstance(media, str)
    record = await fresh(media) if isinstance(media, str) else media
    if not just_fetched and (record.download_url is None or link_expired(record.download_url)):
        record = await fresh(record.id)
    url = _link(record, transport)
    renewed = False
    sink = _Sink(destination, record)
    try:
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                content_type = await transport.fetch_media(
                    URL(url, encoded=True),
                    sink,
                    timeout=seconds,
                    max_size=max_size,
                    progress=progress,
                )
                break
            except APIStatusError as exc:
                if exc.status in _LINK_REFUSED and not renewed:
                    record, renewed = await fresh(record.id), True
                    url = _link(record, transport)
                    continue
                failure: APIStatusError | APIConnectionError = exc
            except APIConnectionError as exc:
                failure = exc
            delay = (
                retry_delay(transport.retry_policy, failure, attempt, retry_ambiguous=True)
                if attempt < retries
                else None
            )
            # Another attempt asks for the rest when the storage can send it (If-Range keeps
            # it to the same file), else starts over, if the destination can.
            if delay is None or not (sink.resumable() or await sink.restart()):
                raise failure
            transport.log_retry("GET", failure.url, attempt, started, failure, delay)
            attempt += 1
            await asyncio.sleep(delay)
        await sink.commit()
    except BaseException:
        sink.abort()
        raise
    return Download(path=sink.path, size=sink.size, content_type=content_type)


def _link(record: RoomRecording | RoomComposition, transport: Transport) -> str:
    """The record's ``download_url``, if there is one and it may be fetched."""
    url = record.download_url
    if url is None:
        kind = "recording" if isinstance(record, RoomRecording) else "composition"
        state = None if record.status is None else str(record.status)
        raise MediaNotReadyError(
            f"{kind} {record.id} has no file to download yet (status {state!r})",
            resource_id=record.id,
            state=state,
        )
    target = URL(url, encoded=True)
    if target.scheme not in ("http", "https") or not target.host:
        raise APIResponseValidationError(f"download_url of {record.id} is not an http(s) URL")
    if target.scheme == "http" and not (
        transport.allow_insecure_http or is_loopback_host(target.host)
    ):
        # Whoever sees a pre-signed link can use it: not over plain http by surprise.
        raise APIResponseValidationError(
            f"refusing the plain-http download_url of {record.id} (host {target.host!r}); "
            "pass allow_insecure_http=True to the client if you really mean it"
        )
    return url
