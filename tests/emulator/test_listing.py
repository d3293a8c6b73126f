"""Listings: newest first, pagination meta, page bounds, filters, embedded sessions."""

from __future__ import annotations

from datetime import date

import aiohttp
import pytest

from telnyx_video import AsyncVideoClient, DateFilter, UnprocessableEntityError
from telnyx_video.emulator import Emulator
from telnyx_video.models import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


async def test_pagination(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    count = DEFAULT_PAGE_SIZE + 5  # a full default page and a bit
    created = [(await client.rooms.create(unique_name=f"r{i:02}")).id for i in range(count)]
    first = await client.rooms.list()
    assert first.meta is not None
    assert (first.meta.page_size, first.meta.total_pages, first.meta.total_results) == (
        DEFAULT_PAGE_SIZE,
        2,
        count,
    )
    assert [r.id for r in first.items] == created[::-1][:DEFAULT_PAGE_SIZE]  # newest first
    walked = [room.id async for room in client.rooms.list(page_size=7)]
    assert walked == created[::-1]
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    too_big = f"page[size]={MAX_PAGE_SIZE + 1}"
    for query in ("page[size]=0", too_big, "page[number]=0", "page[size]=x"):
        async with http.get(f"{emu.base_url}/rooms?{query}", headers=headers) as resp:
            assert resp.status == 422
    last = await client.rooms.list(page_size=DEFAULT_PAGE_SIZE)
    async with http.get(f"{emu.base_url}/rooms?page[number]=3", headers=headers) as resp:
        beyond = await resp.json()
    assert beyond["data"] == []
    assert beyond["meta"]["page_number"] == 3
    assert last.has_next
    assert len((await client.rooms.list(page_size=MAX_PAGE_SIZE)).items) == count


async def test_date_filters_use_the_utc_date(emu: Emulator, client: AsyncVideoClient) -> None:
    monday = await client.rooms.create(unique_name="monday")
    await emu.advance(24 * 3600)
    tuesday = await client.rooms.create(unique_name="tuesday")
    await emu.advance(24 * 3600)
    await client.rooms.update(monday.id, max_participants=5)  # updated on Wednesday

    async def names(**filters: object) -> list[str | None]:
        return [r.unique_name async for r in client.rooms.list(**filters)]  # type: ignore[arg-type]

    assert await names(date_created_at=date(2026, 3, 2)) == ["monday"]
    assert await names(date_created_at=DateFilter(gte="2026-03-03")) == ["tuesday"]
    assert await names(date_created_at=DateFilter(lte=date(2026, 3, 3))) == ["tuesday", "monday"]
    assert await names(date_updated_at=DateFilter(eq="2026-03-04")) == ["monday"]
    assert await names(unique_name="tuesday") == ["tuesday"]
    assert await names(unique_name="nobody") == []
    assert tuesday.created_at.date() == date(2026, 3, 3)


async def test_session_and_participant_filters(emu: Emulator, client: AsyncVideoClient) -> None:
    room = await client.rooms.create()
    other = await client.rooms.create()
    token = (await client.rooms.generate_join_client_token(room.id)).token
    other_token = (await client.rooms.generate_join_client_token(other.id)).token
    ann = await emu.join(room.id, token, context="Ann")
    await emu.join(other.id, other_token, context="Bo")
    await emu.advance(24 * 3600)
    await emu.leave(ann.id)
    sessions = await client.room_sessions.list(room_id=room.id, include_participants=True)
    assert len(sessions.items) == 1
    assert [p.context for p in sessions.items[0].participants] == ["Ann"]
    assert len((await client.room_sessions.list(active=True)).items) == 1
    ended = await client.room_sessions.list(date_ended_at=DateFilter(eq="2026-03-03"))
    assert [s.room_id for s in ended.items] == [room.id]
    bare = await client.room_sessions.list(room_id=room.id)
    assert bare.items[0].participants == ()
    assert [p.context async for p in client.room_participants.list(context="Bo")] == ["Bo"]
    left = client.room_participants.list(date_left_at=DateFilter(gte="2026-03-03"))
    assert [p.id async for p in left] == [ann.id]
    session_id = sessions.items[0].id
    joined = client.room_sessions.list_participants(session_id, date_joined_at="2026-03-02")
    assert [p.id async for p in joined] == [ann.id]
    with_sessions = await client.rooms.retrieve(room.id, include_sessions=True)
    assert [s.id for s in with_sessions.sessions] == [session_id]
    assert (await client.rooms.retrieve(room.id)).sessions == ()
    listed = await client.rooms.list(include_sessions=True)
    assert all(len(r.sessions) == 1 for r in listed.items)


async def test_recording_filters(emu: Emulator, client: AsyncVideoClient) -> None:
    room = await client.rooms.create(enable_recording=True)
    token = (await client.rooms.generate_join_client_token(room.id)).token
    ann = await emu.join(room.id, token)
    await emu.advance(3)
    bo = await emu.join(room.id, token)
    await emu.leave(ann.id)
    await emu.advance(5)
    assert len((await client.room_recordings.list(room_id=room.id)).items) == 4
    assert len((await client.room_recordings.list(status="completed")).items) == 2
    assert len((await client.room_recordings.list(participant_id=bo.id)).items) == 2
    audio = await client.room_recordings.list(type="audio", duration_secs=3)
    assert [r.participant_id for r in audio.items] == [ann.id]
    started = await client.room_recordings.list(date_started_at=DateFilter(eq="2026-03-02"))
    assert len(started.items) == 4
    assert len((await client.room_recordings.list(date_ended_at="2026-03-02")).items) == 2
    with pytest.raises(UnprocessableEntityError):
        await client.room_recordings.list(room_id="not-a-uuid")
    assert await client.room_recordings.delete_many(participant_id=ann.id) == 2
    assert len((await client.room_recordings.list()).items) == 2
