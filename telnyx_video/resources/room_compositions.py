"""``client.room_compositions``: mix a session's recordings into one video."""

from __future__ import annotations

from collections.abc import Mapping

from telnyx_video._operations import operation
from telnyx_video._query import encode_id, filter_params
from telnyx_video.downloads import Download, download_media
from telnyx_video.models import CompositionStatus, RoomComposition, VideoRegion
from telnyx_video.pagination import AsyncPaginator
from telnyx_video.resources._base import AsyncResource, given
from telnyx_video.types import NOT_GIVEN, DateArg, Destination, NotGiven, Progress

__all__ = ["AsyncRoomCompositions"]


class AsyncRoomCompositions(AsyncResource):
    """Compose a session's recordings into one video.

    Its operations are under ``/room_compositions``.
    """

    __slots__ = ()

    @operation("ListRoomCompositions")
    def list(
        self,
        *,
        session_id: str | None = None,
        status: CompositionStatus | str | None = None,
        date_created_at: DateArg | None = None,
        page_size: int | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[RoomComposition]:
        """List compositions, optionally filtered.

        Args:
            session_id: only compositions of this session.
            status: only compositions in this state.
            date_created_at: only compositions created on this day, or in this range.
        """
        query = filter_params(date_created_at=date_created_at, session_id=session_id, status=status)
        return self._paginate(
            RoomComposition,
            "/room_compositions",
            query,
            page_size=page_size,
            timeout=timeout,
            max_retries=max_retries,
        )

    @operation("CreateRoomComposition")
    async def create(
        self,
        *,
        session_id: str | None = None,
        format: str | None = None,
        resolution: str | None = None,
        video_layout: Mapping[str, VideoRegion] | None = None,
        webhook_event_url: str | None = None,
        webhook_event_failover_url: str | None = None,
        webhook_timeout_secs: int | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> RoomComposition:
        """Start composing a session's recordings (``enqueued`` at first).

        Args:
            session_id: the session whose recordings are composed.
            format: the container format (default ``"mp4"``).
            resolution: ``"WIDTHxHEIGHT"`` in pixels (default ``"1280x720"``).
            video_layout: the regions the composed video is made of, by name (see
                [`VideoRegion`][telnyx_video.models.VideoRegion]).
            webhook_event_url: where the composition's events are POSTed.
            webhook_event_failover_url: where events go when the first URL fails.
            webhook_timeout_secs: seconds to wait for the webhook URL (0-30).

        Raises:
            TypeError: a region of ``video_layout`` is not a
                [`VideoRegion`][telnyx_video.models.VideoRegion].
        """
        if video_layout is not None:
            for name, region in video_layout.items():
                if not isinstance(region, VideoRegion):
                    raise TypeError(
                        f"video_layout[{name!r}] must be a VideoRegion, got {type(region).__name__}"
                    )
        body = given(
            session_id=session_id,
            format=format,
            resolution=resolution,
            video_layout=dict(video_layout) if video_layout is not None else None,
            webhook_event_url=webhook_event_url,
            webhook_event_failover_url=webhook_event_failover_url,
            webhook_timeout_secs=webhook_timeout_secs,
        )
        return await self._data(
            RoomComposition,
            "POST",
            "/room_compositions",
            body=body,
            timeout=timeout,
            max_retries=max_retries,
        )

    @operation("ViewRoomComposition")
    async def retrieve(
        self,
        room_composition_id: str,
        *,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> RoomComposition:
        """Fetch one composition by id.

        Args:
            room_composition_id: the composition's id.
        """
        path = f"/room_compositions/{encode_id(room_composition_id, 'room_composition_id')}"
        return await self._data(
            RoomComposition, "GET", path, timeout=timeout, max_retries=max_retries
        )

    async def download(
        self,
        composition: str | RoomComposition,
        destination: Destination,
        *,
        max_size: int | None = None,
        progress: Progress | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Download:
        """Download a composition's file, streamed in pieces (never whole in memory).

        A path gets the file under a temporary name in the same directory, renamed once
        complete and its size checked (an existing file of that name is replaced); a
        directory gets it named by [`media_filename()`][telnyx_video.downloads.media_filename].
        A failed attempt is retried like a GET (from the first byte), and an expired
        ``download_url`` is replaced by a fresh one from the API; the API key is never sent
        to the link.

        Args:
            composition: the composition's id, or the composition itself (its ``download_url`` is
                used as long as it works).
            destination: a file path, an existing directory, or a binary file object.
            max_size: refuse a file larger than this many bytes (nothing is kept).
            progress: called with the bytes received so far and the total (if known).
            timeout: seconds to wait for the answer, then for each piece of the file.

        Raises:
            MediaNotReadyError: the composition has no file yet (still processing).
            APIResponseTooLargeError: the file is larger than ``max_size``.
        """
        return await download_media(
            self._transport,
            composition,
            destination,
            self.retrieve,
            max_size=max_size,
            progress=progress,
            timeout=timeout,
            max_retries=max_retries,
        )

    @operation("DeleteRoomComposition")
    async def delete(
        self,
        room_composition_id: str,
        *,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> None:
        """Delete one composition.

        Args:
            room_composition_id: the composition's id.
        """
        path = f"/room_compositions/{encode_id(room_composition_id, 'room_composition_id')}"
        await self._delete(path, timeout=timeout, max_retries=max_retries)
