"""Delete the room recordings that are older than N days (a synchronous script).

    python examples/cleanup_recordings.py --older-than-days 30 --dry-run
    python examples/cleanup_recordings.py --older-than-days 30
    python examples/cleanup_recordings.py --ended-before 2026-01-01 --room-id ROOM_ID

Only completed recordings are considered: one still processing is left alone. The key and
API root come from TELNYX_API_KEY and TELNYX_BASE_URL, so the script runs unchanged against
the emulator (``telnyx-video emulator``). Exit status 0 on success, 1 on an API error.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, timedelta

from telnyx_video import DateFilter, RecordingStatus, TelnyxVideoError, VideoClient


def cutoff_date(older_than_days: int, today: date | None = None) -> date:
    """The last day whose recordings count as old: ``older_than_days`` before ``today``."""
    today = today or datetime.now(UTC).date()
    return today - timedelta(days=older_than_days)


def cleanup(
    client: VideoClient, *, ended_on_or_before: date, room_id: str | None, dry_run: bool
) -> int:
    """Delete (or, with ``dry_run``, list) the old recordings; returns how many."""
    filters = {
        "status": RecordingStatus.COMPLETED,
        "date_ended_at": DateFilter(lte=ended_on_or_before),
        "room_id": room_id,
    }
    if dry_run:
        count = 0
        for recording in client.room_recordings.list(**filters, page_size=250):
            ended = recording.ended_at.isoformat() if recording.ended_at else "?"
            print(f"would delete {recording.id} ({recording.type}, ended {ended})")
            count += 1
        return count
    return client.room_recordings.delete_many(**filters)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Delete old Telnyx room recordings.")
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--older-than-days", type=int, metavar="N", help="ended N or more days ago")
    when.add_argument(
        "--ended-before",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="ended on or before this day",
    )
    parser.add_argument("--room-id", help="only the recordings of this room")
    parser.add_argument("--dry-run", action="store_true", help="list, do not delete")
    args = parser.parse_args(argv)

    if args.older_than_days is not None:
        if args.older_than_days < 0:
            parser.error("--older-than-days must be >= 0")
        last_day = cutoff_date(args.older_than_days)
    else:
        last_day = args.ended_before

    try:
        with VideoClient() as client:
            count = cleanup(
                client, ended_on_or_before=last_day, room_id=args.room_id, dry_run=args.dry_run
            )
    except TelnyxVideoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    verb = "would delete" if args.dry_run else "deleted"
    print(f"{verb} {count} recording(s) that ended on or before {last_day.isoformat()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
