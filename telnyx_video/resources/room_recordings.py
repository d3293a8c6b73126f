"""``client.room_recordings``: per-participant audio and video recordings."""

from __future__ import annotations

from telnyx_video._operations import operation
from telnyx_video._query import encode_id, filter_params
from telnyx_video._transport import Response
from telnyx_video.downloads import Download, download_media
from telnyx_video.errors import APIResponseValidationError
from telnyx_video.models import RecordingStatus, RecordingType, RoomRecording
from telnyx_video.pagination import AsyncPaginator
from telnyx_video.resources._base import AsyncResource
from telnyx_video.types import NOT_GIVEN, DateArg, Destination, NotGiven, Progress

__all__ = ["AsyncRoomRecordings"]


def _deleted_count(response: Response) -> int:
    """The count of a bulk delete's answer, ``{"data": {"room_recordings": N}}``."""
    body = response.body
    data = body.get("data") if isinstance(body, dict) else None
    count = data.get("room_recordings") if isinstance(data, dict) else None
    if not isinstance(count, int) or isinstance(count, bool):
        raise APIResponseValidationError(
            "bulk delete response lacks data.room_recordings",
            status=response.status,
            body=body,
            request_id=response.request_id,
        )
    return count


class AsyncRoomRecordings(AsyncResource):
    """List and delete each participant's audio and video recordings.

    Its operations are under ``/room_recordings``.
    """

    __slots__ = ()

    @operation("ListRoomRecordings")
    def list(
        self,
        *,
        room_id: str | None = None,
        session_id: str | None = None,
        participant_id: str | None = None,
        status: RecordingStatus | str | None = None,
        type: RecordingType | str | None = None,
        duration_secs: int | None = None,
        date_started_at: DateArg | None = None,
        date_ended_at: DateArg | None = None,
        page_size: int | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[RoomRecording]:
        """List recordings, optionally filtered.

        Args:
            room_id: only recordings of this room.
            session_id: only recordings of this session.
            participant_id: only recordings of this participant.
            status: only recordings in this state.
            type: only audio, or only video, recordings.
            duration_secs: only recordings of this duration, in seconds.
            date_started_at: only recordings started on this day, or in this range.
            date_ended_at: only recordings ended on this day, or in this range.
        """
        query = filter_params(
            date_ended_at=date_ended_at,
            date_started_at=date_started_at,
            duration_secs=duration_secs,
            participant_id=participant_id,
            room_id=room_id,
            session_id=session_id,
            status=status,
            type=type,
        )
        return self._paginate(
            RoomRecording,
            "/room_recordings",
            query,
            page_size=page_size,
            timeout=timeout,
            max_retries=max_retries,
        )

    @operation("ViewRoomRecording")
    async def retrieve(
        self,
        room_recording_id: str,
        *,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> RoomRecording:
        """Fetch one recording by id.

        Args:
            room_recording_id: the recording's id.
        """
        path = f"/room_recordings/{encode_id(room_recording_id, 'room_recording_id')}"
        return await self._data(
            RoomRecording, "GET", path, timeout=timeout, max_retries=max_retries
        )

    async def download(
        self,
        recording: str | RoomRecording,
        destination: Destination,
        *,
        max_size: int | None = None,
        progress: Progress | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Download:
        """Download a recording's file, streamed in pieces (never whole in memory).

        A path gets the file under a temporary name in the same directory, renamed once
        complete and its size checked (an existing file of that name is replaced); a
        directory gets it named by [`media_filename()`][telnyx_video.downloads.media_filename].
        A failed attempt is retried like a GET (from the first byte), and an expired
        ``download_url`` is replaced by a fresh one from the API; the API key is never sent
        to the link.

        Args:
            recording: the recording's id, or the recording itself (its ``download_url`` is
                used as long as it works).
            destination: a file path, an existing directory, or a binary file object.
            max_size: refuse a file larger than this many bytes (nothing is kept).
            progress: called with the bytes received so far and the total (if known).
            timeout: seconds to wait for the answer, then for each piece of the file.

        Raises:
            MediaNotReadyError: the recording has no file yet (still processing).
            APIResponseTooLargeError: the file is larger than ``max_size``.
        """
        return await download_media(
            self._transport,
            recording,
            destination,
            self.retrieve,
            max_size=max_size,
            progress=progress,
            timeout=timeout,
            max_retries=max_retries,
        )

    @operation("DeleteRoomRecording")
    async def delete(
        self,
        room_recording_id: str,
        *,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> None:
        """Delete one recording.

        Args:
            room_recording_id: the recording's id.
        """
        path = f"/room_recordings/{encode_id(room_recording_id, 'room_recording_id')}"
        await self._delete(path, timeout=timeout, max_retries=max_retries)

    @operation("DeleteRoomRecordings")
    async def delete_many(
        self,
        *,
        room_id: str | None = None,
        session_id: str | None = None,
        participant_id: str | None = None,
        status: RecordingStatus | str | None = None,
        type: RecordingType | str | None = None,
        duration_secs: int | None = None,
        date_started_at: DateArg | None = None,
        date_ended_at: DateArg | None = None,
        delete_all: bool = False,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> int:
        """Delete every recording matching the filters; returns how many were deleted.

        With no filter at all this would delete every recording of the account, so it is
        refused unless you also pass ``delete_all=True``. An ambiguous failure (timeout, 5xx,
        dropped connection) is raised rather than retried, since the count of a retry would
        leave out what the first attempt deleted; calling again is safe.

        Args:
            room_id: delete the recordings of this room.
            session_id: delete the recordings of this session.
            participant_id: delete the recordings of this participant.
            status: delete the recordings in this state.
            type: delete only audio, or only video, recordings.
            duration_secs: delete the recordings of this duration, in seconds.
            date_started_at: delete the recordings started on this day, or in this range.
            date_ended_at: delete the recordings ended on this day, or in this range.
            delete_all: required to delete with no filter at all: every recording.

        Raises:
            ValueError: no filter, and ``delete_all`` is not set.
        """
        query = filter_params(
            date_ended_at=date_ended_at,
            date_started_at=date_started_at,
            duration_secs=duration_secs,
            participant_id=participant_id,
            room_id=room_id,
            session_id=session_id,
            status=status,
            type=type,
        )
        if not query and not delete_all:
            raise ValueError(
                "delete_many() without filters deletes every recording of the account; "
                "pass a filter, or delete_all=True if that is what you want"
            )
        # Only failures that certainly changed nothing (429, no connection) are retried: after
        # an ambiguous one, a retry would report only what was left to delete, not the count.
        return await self._request(
            _deleted_count,
            "DELETE",
            "/room_recordings",
            query=list(query),
            timeout=timeout,
            max_retries=max_retries,
            retry_ambiguous=False,
        )
