"""Filter encoding edge cases: dates in UTC, strict YYYY-MM-DD, no empty filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from _stub import Reply, StubServer

from telnyx_video import AsyncVideoClient, DateFilter, InternalServerError

from .helpers import page_json


async def test_an_aware_datetime_filters_on_its_utc_date(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("GET", "/rooms", Reply(200, page_json([])))
    late_evening_new_york = datetime(2026, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    await client.rooms.list(date_created_at=DateFilter(gte=late_evening_new_york))
    assert "filter[date_created_at][gte]=2026-01-02" in server.requests[0].query


@pytest.mark.parametrize("text", ["20260105", "2026W011", "2026-1-5", "2026-01-05T00:00"])
def test_date_strings_must_be_yyyy_mm_dd(client: AsyncVideoClient, text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        client.rooms.list(date_created_at=text)


@pytest.mark.parametrize(
    "value", [date(2026, 1, 5), "2026-01-05", datetime(2026, 1, 5, tzinfo=UTC)]
)
async def test_accepted_date_forms(
    server: StubServer, client: AsyncVideoClient, value: object
) -> None:
    server.on("GET", "/rooms", Reply(200, page_json([])))
    await client.rooms.list(date_created_at=value)  # type: ignore[arg-type]
    assert "filter[date_created_at][eq]=2026-01-05" in server.requests[0].query


@pytest.mark.parametrize("blank", ["", "   "])
async def test_an_empty_filter_is_refused_not_sent(
    server: StubServer, client: AsyncVideoClient, blank: str
) -> None:
    with pytest.raises(ValueError, match="room_id must not be empty"):
        await client.room_recordings.delete_many(room_id=blank)
    with pytest.raises(ValueError, match="unique_name must not be empty"):
        client.rooms.list(unique_name=blank)
    assert server.requests == []


async def test_bulk_delete_is_not_retried_after_an_ambiguous_failure(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on(
        "DELETE",
        "/room_recordings",
        Reply(500, {"errors": [{"code": "x", "title": "boom"}]}),
        Reply(201, {"data": {"room_recordings": 0}}),
    )
    with pytest.raises(InternalServerError):
        await client.room_recordings.delete_many(room_id="r1")
    assert len(server.requests) == 1
