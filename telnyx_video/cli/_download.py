"""``telnyx-video recordings download`` and ``compositions download``: the files of every
record matching the filters (or of the ids given), a few at a time, into one directory.

A file already there under its final name is complete (downloads are renamed into place only
once complete), so it is skipped: running the command again picks up where it stopped. Each
file gets one result line (``downloaded``, ``skipped``, ``not-ready`` or ``failed``); a summary
goes to stderr. On a terminal a progress bar shows the bytes when ``tqdm`` is installed
(``pip install telnyx-video[progress]``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs

from telnyx_video.downloads import media_filename
from telnyx_video.errors import TelnyxVideoError
from telnyx_video.models import RoomComposition, RoomRecording

__all__ = ["COLUMNS", "MAX_CONCURRENCY", "Summary", "download_all"]

#: The table columns of a download's result lines.
COLUMNS = ("id", "result", "bytes", "path", "error")
#: The most files ``--concurrency`` lets download at once.
MAX_CONCURRENCY = 32

Media = RoomRecording | RoomComposition


@attrs.define
class Summary:
    """What a run did, file by file counted."""

    downloaded: int = 0
    bytes: int = 0
    skipped: int = 0
    not_ready: int = 0
    failed: int = 0

    def line(self) -> str:
        """The summary line printed at the end."""
        size = f"{self.bytes / 1_000_000:.1f} MB"
        return (
            f"{self.downloaded} downloaded ({size}), {self.skipped} already complete, "
            f"{self.not_ready} not ready, {self.failed} failed"
        )


class _Bar:
    """A byte progress bar on a terminal (tqdm, when installed), else nothing."""

    def __init__(self, err: TextIO) -> None:
        self._bar: Any = None
        if err.isatty():
            try:
                from tqdm import tqdm
            except ImportError:
                return
            self._bar = tqdm(
                total=0, unit="B", unit_scale=True, unit_divisor=1000, file=err, leave=False
            )

    def expect(self, size: int) -> None:
        if self._bar is not None:
            self._bar.total += size
            self._bar.refresh()

    def advance(self, size: int) -> None:
        if self._bar is not None:
            self._bar.update(size)

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """Write a result line without tearing the bar."""
        if self._bar is None:
            yield
        else:
            with self._bar.external_write_mode():
                yield

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


async def download_all(
    resource: Any,
    *,
    ids: Sequence[str],
    filters: Mapping[str, Any],
    directory: Path,
    concurrency: int,
    emit: Callable[[Mapping[str, Any]], None],
    err: TextIO,
) -> Summary:
    """Download the media of ``ids``, or of every record ``resource.list(**filters)`` gives,
    into ``directory``, at most ``concurrency`` at a time; ``emit`` each file's result."""
    summary = Summary()
    bar = _Bar(err)
    queue: asyncio.Queue[Media | None] = asyncio.Queue(maxsize=concurrency)

    def report(record: Media, result: str, **extra: Any) -> None:
        with bar.quiet():
            emit({"id": record.id, "result": result, **extra})

    async def fetch(record: Media) -> None:
        target = directory / media_filename(record)
        if target.exists():
            summary.skipped += 1
            report(record, "skipped", path=str(target))
            return
        if record.download_url is None:
            summary.not_ready += 1
            report(record, "not-ready", error=f"status {record.status}")
            return
        expected = round((record.size_mb or 0) * 1_000_000)
        bar.expect(expected)
        seen = 0

        def progress(received: int, total: int | None) -> None:
            nonlocal seen
            bar.advance(received - seen)
            seen = received

        try:
            done = await resource.download(record, target, progress=progress)
        except (TelnyxVideoError, OSError) as exc:
            summary.failed += 1
            report(record, "failed", error=str(exc))
            bar.expect(-expected)
            bar.advance(-seen)
            return
        summary.downloaded += 1
        summary.bytes += done.size
        bar.expect(done.size - expected)
        report(record, "downloaded", bytes=done.size, path=str(done.path))

    async def worker() -> None:
        while (record := await queue.get()) is not None:
            await fetch(record)

    async def records() -> AsyncIterator[Media]:
        if not ids:
            async for record in resource.list(**filters):
                yield record
        for ident in ids:
            try:
                yield await resource.retrieve(ident)
            except TelnyxVideoError as exc:  # one bad id does not stop the others
                summary.failed += 1
                with bar.quiet():
                    emit({"id": ident, "result": "failed", "error": str(exc)})

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    try:
        async for record in records():
            await queue.put(record)
        for _ in workers:
            await queue.put(None)
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        bar.close()
    return summary
