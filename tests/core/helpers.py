"""Helpers of the core tests: the API key, a refused port and JSON factories (what the API
sends). The scripted server they talk to is the suite's ``tests/_stub.py``."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from telnyx_video import AsyncVideoClient

API_KEY = "KEY-super-secret-0123456789"
TS = "2026-01-02T03:04:05.123456Z"


MakeClient = Callable[..., AsyncVideoClient]
"""The ``make_client`` fixture: builds a client for the stub server."""


@contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound (so nobody takes it), not listening."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
    finally:
        sock.close()


# --- JSON factories (what the API sends) ---------------------------------------------------


def room_json(id: Any = "room-1", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "record_type": "room",
        "unique_name": "standup",
        "max_participants": 10,
        "enable_recording": False,
        "active_session_id": None,
        "webhook_event_url": None,
        "webhook_event_failover_url": "",
        "webhook_timeout_secs": None,
        "created_at": TS,
        "updated_at": TS,
        "sessions": [],
    }
    data.update(overrides)
    return data


def session_json(id: str = "sess-1", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "record_type": "room_session",
        "room_id": "room-1",
        "active": True,
        "created_at": TS,
        "updated_at": TS,
        "ended_at": None,
        "participants": [],
    }
    data.update(overrides)
    return data


def participant_json(id: str = "part-1", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "record_type": "room_participant",
        "session_id": "sess-1",
        "context": "Alice",
        "joined_at": TS,
        "left_at": None,
        "updated_at": TS,
    }
    data.update(overrides)
    return data


def recording_json(id: str = "rec-1", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "record_type": "room_recording",
        "room_id": "room-1",
        "session_id": "sess-1",
        "participant_id": "part-1",
        "status": "completed",
        "type": "audio",
        "codec": "opus",
        "download_url": "https://example.com/rec-1",
        "duration_secs": 67,
        "size_mb": 5.6,
        "started_at": TS,
        "ended_at": TS,
        "completed_at": TS,
        "created_at": TS,
        "updated_at": TS,
    }
    data.update(overrides)
    return data


def composition_json(id: str = "comp-1", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "record_type": "composition",
        "room_id": "room-1",
        "session_id": "sess-1",
        "user_id": "user-1",
        "status": "enqueued",
        "format": "mp4",
        "resolution": "1280x720",
        "video_layout": {
            "first": {
                "x_pos": 0,
                "y_pos": 0,
                "z_pos": 0,
                "height": 720,
                "width": 1280,
                "video_sources": ["part-1"],
            }
        },
        "download_url": None,
        "duration_secs": None,
        "size_mb": None,
        "started_at": None,
        "ended_at": None,
        "completed_at": None,
        "created_at": TS,
        "updated_at": TS,
        "webhook_event_url": "https://example.com/hook",
        "webhook_event_failover_url": None,
        "webhook_timeout_secs": 25,
    }
    data.update(overrides)
    return data


def page_json(
    items: Sequence[Any],
    *,
    number: int = 1,
    size: int = 20,
    total_pages: int = 1,
    total_results: int | None = None,
) -> dict[str, Any]:
    """A list response: ``{"data": items, "meta": {...}}``."""
    return {
        "data": list(items),
        "meta": {
            "page_number": number,
            "page_size": size,
            "total_pages": total_pages,
            "total_results": (
                total_results
                if total_results is not None
                else len(items)
                if total_pages <= 1
                else size * total_pages
            ),
        },
    }


def data(obj: Any) -> dict[str, Any]:
    """A single-object response envelope."""
    return {"data": obj}
