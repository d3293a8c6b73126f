"""The bounded webhook delivery log: it keeps the latest attempts, counts them all, and a
reset starts the count over."""

from __future__ import annotations

import inspect

import pytest

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import Clock, Emulator
from telnyx_video.emulator._settings import DEFAULT_WEBHOOK_LOG_SIZE, Settings

from .support import API_KEY, START


async def _skipped_events(emu: Emulator, client: AsyncVideoClient) -> None:
    """Six webhook attempts, all skipped (not loopback): session.started, participant.joined,
    2 x recording.started, then participant.left and session.ended."""
    room = await client.rooms.create(
        enable_recording=True, webhook_event_url="https://example.com/hooks"
    )
    tokens = await client.rooms.generate_join_client_token(room.id)
    participant = await emu.join(room.id, tokens.token)
    await emu.leave(participant.id)


async def test_delivery_log_keeps_the_latest_records_and_counts_them_all() -> None:
    async with (
        Emulator(api_key=API_KEY, clock=Clock(START), webhook_log_size=3) as emu,
        AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        await _skipped_events(emu, client)
        everything = await emu.wait_for_webhooks(6, outcome=None)
        assert [d.event_type for d in everything] == [
            "video.room.recording.started",
            "video.room.participant.left",
            "video.room.session.ended",
        ]
        assert emu.webhook_deliveries == everything
        skipped = await emu.wait_for_webhooks(6, outcome="skipped")
        assert skipped == everything
        # The first two attempts counted, but the log no longer holds them.
        assert await emu.wait_for_webhooks(2, outcome=None) == []
        assert await emu.wait_for_webhooks(5, outcome=None) == everything[:2]

        await emu.reset()  # counting starts over
        assert emu.webhook_deliveries == []
        await _skipped_events(emu, client)
        again = await emu.wait_for_webhooks(6, outcome=None)  # not satisfied by old counts
        assert [d.event_type for d in again] == [d.event_type for d in everything]
        assert again[0].event_id != everything[0].event_id


async def test_waiting_counts_from_the_reset_not_the_retained_window(
    emu: Emulator, client: AsyncVideoClient
) -> None:
    await _skipped_events(emu, client)
    assert len(await emu.wait_for_webhooks(6, outcome=None)) == 6
    await emu.reset()
    room = await client.rooms.create(webhook_event_url="https://example.com/hooks")
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)
    after = await emu.wait_for_webhooks(2, outcome=None)
    assert [d.event_type for d in after] == [
        "video.room.session.started",
        "video.room.participant.joined",
    ]
    with pytest.raises(TimeoutError, match="got 2"):
        await emu.wait_for_webhooks(3, timeout=0.01, outcome=None)


def test_the_emulator_and_its_settings_share_one_default_log_size() -> None:
    default = inspect.signature(Emulator).parameters["webhook_log_size"].default
    assert default == Settings().webhook_log_size == DEFAULT_WEBHOOK_LOG_SIZE


@pytest.mark.parametrize("size", [0, -1, 1.5, True, "10"])
def test_webhook_log_size_must_be_a_positive_integer(size: object) -> None:
    with pytest.raises(ValueError, match="webhook_log_size"):
        Emulator(webhook_log_size=size)  # type: ignore[arg-type]
