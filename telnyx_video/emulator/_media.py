"""Recordings' and compositions' media: expiring signed links and the files behind them.

Like the pre-signed storage URLs the real API hands out, a ``download_url`` carries its own
authorisation (``X-Amz-Date``, ``X-Amz-Expires``, ``X-Amz-Signature``): no API key is needed,
and the link stops working once it has expired on the emulator's clock, answered ``403`` with
the storage service's XML error. The API mints a fresh link whenever it shows a record whose
link is past half its life. The file is as large as the record's ``size_mb`` says (10**6
bytes to the MB), made up as it is streamed, and the same on every download; one byte
``Range`` (with ``If-Range``) is answered ``206``, as storage services do.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import typing
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Literal

from aiohttp import web

from telnyx_video.emulator._records import CompositionRecord, RecordingRecord

__all__ = ["CHUNK", "MEDIA_KINDS", "Kind", "MediaLinks", "media_size", "serve_media"]

Kind = Literal["recordings", "compositions"]
MEDIA_KINDS: tuple[Kind, ...] = typing.get_args(Kind)
MediaRecord = RecordingRecord | CompositionRecord

#: Bytes per write of a media response.
CHUNK = 64 * 1024
_STAMP = "%Y%m%dT%H%M%SZ"
_RANGE = re.compile(r"bytes=(?P<first>\d{1,18})-(?P<last>\d{1,18})?")
_TYPES = {"opus": "audio/ogg", "vp8": "video/webm", "h264": "video/mp4", "mp4": "video/mp4"}


class MediaLinks:
    """Mints and checks the signed, expiring ``download_url`` of completed media."""

    def __init__(self, ttl_secs: float) -> None:
        self.root = ""
        """``http://host:port`` of the emulator, known once it is bound."""
        self.ttl = max(1, round(ttl_secs))
        """Seconds a link stays valid (``X-Amz-Expires``)."""
        self._key = secrets.token_bytes(32)

    def _signature(self, path: str, stamp: str, expires: str) -> str:
        message = f"GET\n{path}\n{stamp}\n{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def sign(self, record: MediaRecord, kind: Kind, now: datetime) -> None:
        """Give ``record`` a ``download_url`` valid for [`ttl`][..ttl] seconds from ``now``."""
        path = f"/_emulator/media/{kind}/{record.id}"
        stamp = now.astimezone(UTC).strftime(_STAMP)
        expires = str(self.ttl)
        signature = self._signature(path, stamp, expires)
        record.media_expires_at = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC) + timedelta(
            seconds=self.ttl
        )
        record.download_url = (
            f"{self.root}{path}?X-Amz-Date={stamp}&X-Amz-Expires={expires}"
            f"&X-Amz-Signature={signature}"
        )

    def refresh(self, record: MediaRecord, kind: Kind, now: datetime) -> None:
        """Mint a new link for ``record`` if it has one past half its life."""
        expires_at = record.media_expires_at
        if expires_at is not None and (expires_at - now).total_seconds() < self.ttl / 2:
            self.sign(record, kind, now)

    def refusal(self, path: str, query: Mapping[str, str], now: datetime) -> str | None:
        """Why a GET of ``path`` with ``query`` is refused (``None``: it is allowed)."""
        stamp = query.get("X-Amz-Date", "")
        expires = query.get("X-Amz-Expires", "")
        signature = query.get("X-Amz-Signature", "")
        if not (stamp and expires and signature):
            return "Query-string authentication requires the Signature, Expires and Date"
        if not hmac.compare_digest(signature, self._signature(path, stamp, expires)):
            return "The request signature we calculated does not match the signature you provided"
        signed_at = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)  # it was ours: valid
        if now >= signed_at + timedelta(seconds=int(expires)):
            return "Request has expired"
        return None


def media_size(record: MediaRecord) -> int:
    """The length in bytes of a completed record's file."""
    return round((record.size_mb or 0) * 1_000_000)


def _storage_error(status: int, code: str, message: str) -> web.Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return web.Response(status=status, text=body, content_type="application/xml")


async def serve_media(
    request: web.Request,
    links: MediaLinks,
    record: MediaRecord | None,
    now: datetime,
) -> web.StreamResponse:
    """Answer a GET (or HEAD) of a media link: the file, or the storage's XML error."""
    if record is None or record.status != "completed":
        return _storage_error(404, "NoSuchKey", "The specified key does not exist.")
    refusal = links.refusal(request.path, request.query, now)
    if refusal is not None:
        return _storage_error(403, "AccessDenied", refusal)
    size = media_size(record)
    codec = record.codec if isinstance(record, RecordingRecord) else record.format
    etag = f'"{hashlib.md5(record.id.encode(), usedforsecurity=False).hexdigest()}"'
    headers = {
        "Content-Type": _TYPES.get(codec, "application/octet-stream"),
        "Accept-Ranges": "bytes",
        "ETag": etag,
    }
    status, start, end = 200, 0, size
    wanted = _range(request.headers.get("Range"))
    if wanted is not None and request.headers.get("If-Range", etag) == etag:
        first, last = wanted
        if first >= size:
            headers["Content-Range"] = f"bytes */{size}"
            return web.Response(status=416, headers=headers)
        status, start, end = 206, first, min(size, last + 1 if last is not None else size)
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)
    if request.method == "HEAD":
        return web.Response(status=status, headers=headers)
    response = web.StreamResponse(status=status, headers=headers)
    await response.prepare(request)
    line = f"telnyx-video emulator media {record.id}\n".encode()
    block = memoryview(line * (CHUNK // len(line) + 1))[:CHUNK]  # the file: this, repeated
    at = start
    try:
        while at < end:
            offset = at % CHUNK
            piece = block[offset : offset + min(CHUNK - offset, end - at)]
            await response.write(piece)
            at += len(piece)
        await response.write_eof()
    except ConnectionResetError:  # the client went away mid-file: theirs to retry
        pass
    return response


def _range(value: str | None) -> tuple[int, int | None] | None:
    """The one byte range ``bytes=first-[last]`` asks for (``None``: the whole file)."""
    match = _RANGE.fullmatch(value.strip()) if value else None
    if match is None:
        return None
    first, last = int(match["first"]), match["last"]
    if last is not None and int(last) < first:
        return None  # not a range: the whole file, as RFC 9110 says
    return first, int(last) if last is not None else None
