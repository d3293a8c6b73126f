"""Logging through the ``telnyx_video`` stdlib logger."""

from __future__ import annotations

import logging

import pytest
from _stub import DROP, Reply, StubServer

from telnyx_video import AsyncVideoClient, NotFoundError

from .helpers import data, room_json

OK_ROOM = Reply(200, data(room_json("r1")), headers={"X-Request-Id": "req-ok"})
FIELDS = ("method", "path", "status", "attempt", "request_id")


def fields(record: logging.LogRecord) -> tuple[object, ...]:
    """The structured ``extra`` fields every request and retry record carries."""
    return tuple(getattr(record, name) for name in FIELDS)


def ours(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "telnyx_video"]


async def test_each_response_is_logged_at_debug(
    server: StubServer, client: AsyncVideoClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="telnyx_video")
    server.on("GET", "/rooms/r1", OK_ROOM)
    await client.rooms.retrieve("r1", include_sessions=True)
    (record,) = ours(caplog)
    assert record.levelno == logging.DEBUG
    assert fields(record) == ("GET", "/rooms/r1", 200, 1, "req-ok")
    assert isinstance(record.elapsed, float)  # type: ignore[attr-defined]
    assert record.elapsed >= 0  # type: ignore[attr-defined]
    assert record.getMessage().startswith("GET /rooms/r1 -> 200 in ")
    assert record.getMessage().endswith("(attempt 1)")


async def test_error_statuses_are_logged_too(
    server: StubServer, client: AsyncVideoClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="telnyx_video")
    server.on("DELETE", "/rooms/r1", Reply(404, {"errors": [{"title": "gone"}]}))
    with pytest.raises(NotFoundError):
        await client.rooms.delete("r1")
    (record,) = ours(caplog)
    assert (record.method, record.status) == ("DELETE", 404)  # type: ignore[attr-defined]


async def test_retries_are_logged_at_info(
    server: StubServer, client: AsyncVideoClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="telnyx_video")
    busy = Reply(503, {}, headers={"X-Request-Id": "req-busy"})
    server.on("GET", "/rooms/r1", busy, DROP, OK_ROOM)
    await client.rooms.retrieve("r1")
    records = ours(caplog)
    debug = [r for r in records if r.levelno == logging.DEBUG]
    info = [r for r in records if r.levelno == logging.INFO]
    assert [fields(r) for r in debug] == [
        ("GET", "/rooms/r1", 503, 1, "req-busy"),
        ("GET", "/rooms/r1", 200, 3, "req-ok"),
    ]
    assert [fields(r) for r in info] == [
        ("GET", "/rooms/r1", 503, 1, "req-busy"),
        ("GET", "/rooms/r1", None, 2, None),  # no answer: no status, no request id
    ]
    assert [(r.attempt, r.reason) for r in info] == [  # type: ignore[attr-defined]
        (1, "HTTP 503"),
        (2, "APIConnectionError"),
    ]
    for r in info:
        assert (r.method, r.path) == ("GET", "/rooms/r1")  # type: ignore[attr-defined]
        assert 0 <= r.retry_delay <= 0.002  # type: ignore[attr-defined]
        assert r.elapsed >= 0  # type: ignore[attr-defined]
        assert "retrying in" in r.getMessage()


async def test_quiet_at_info_when_nothing_goes_wrong(
    server: StubServer, client: AsyncVideoClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="telnyx_video")
    server.on("GET", "/rooms/r1", OK_ROOM)
    await client.rooms.retrieve("r1")
    assert ours(caplog) == []


async def test_create_recovery_is_logged(
    server: StubServer, client: AsyncVideoClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="telnyx_video")
    server.on("POST", "/rooms", Reply(500, {}))
    server.on(
        "GET",
        "/rooms",
        Reply(200, {"data": [], "meta": None}),
        Reply(200, {"data": [room_json("r1")], "meta": None}),
    )
    room = await client.rooms.create(unique_name="standup")
    assert room.id == "r1"
    retry, adopted = ours(caplog)
    assert retry.getMessage().startswith("POST /rooms failed (HTTP 500) on attempt 1; retrying")
    assert (retry.method, retry.path, retry.status, retry.attempt) == (  # type: ignore[attr-defined]
        "POST",
        "/rooms",
        500,
        1,
    )
    assert "room 'standup' exists with the settings sent; using it" in adopted.getMessage()
    assert (adopted.method, adopted.path, adopted.status) == ("POST", "/rooms", 500)  # type: ignore[attr-defined]
