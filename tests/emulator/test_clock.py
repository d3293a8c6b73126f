"""The emulator's clock: a reset rewinds it, frozen or following real time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import Clock, Emulator

from .support import START


def test_clock_reset_returns_a_frozen_clock_to_its_start() -> None:
    clock = Clock(START)
    clock.advance(3600)
    clock.reset()
    assert clock.now() == START
    clock.advance(5)
    assert clock.now() == START + timedelta(seconds=5)


def test_clock_reset_returns_a_real_time_clock_to_real_time() -> None:
    clock = Clock()
    clock.advance(3600)
    clock.reset()
    assert clock.now() <= datetime.now(UTC)


async def test_emulator_reset_rewinds_the_clock(emu: Emulator, client: AsyncVideoClient) -> None:
    await emu.advance(7200)
    await emu.reset()
    assert emu.now() == START
    room = await client.rooms.create()
    assert room.created_at == START
