"""Duplicates and reordering made on purpose by the emulator, handled by the SDK's own tools:
the dedupe store drops repeated ids, and ordering by ``occurred_at`` undoes the swaps (issue 16,
item 2, against the emulator's ``webhook_duplicate_rate`` and ``webhook_reorder`` faults)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import Emulator, WebhookDelivery
from telnyx_video.webhooks import LRUDedupeStore, VideoEvent, WebhookReceiver

from .conftest import Serve

PATH = "/webhooks"
# The order in which one room produces events that share an instant (docs/webhooks.md).
LIFECYCLE = [
    "video.room.session.started",
    "video.room.participant.joined",
    "video.room.recording.started",
    "video.room.participant.left",
    "video.room.session.ended",
    "video.room.recording.completed",
]


def happened(event: VideoEvent) -> tuple[object, ...]:
    return (event.occurred_at, LIFECYCLE.index(event.event_type))


Receive = Callable[[str], Awaitable[str]]


@pytest.fixture
async def handled() -> list[VideoEvent]:
    return []


@pytest.fixture
def receive(serve: Serve, handled: list[VideoEvent]) -> Receive:
    """Start a deduplicating receiver for a public key; it appends what it handles."""

    async def start(public_key: str) -> str:
        receiver = WebhookReceiver(public_key=public_key, dedupe=LRUDedupeStore())
        receiver.on("*")(handled.append)
        return (await serve(receiver.create_app(PATH))).url + PATH

    return start


async def lifecycle(emu: Emulator, url: str) -> None:
    """Two people join, talk for a while and leave; their recordings complete."""
    async with AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client:
        room = await client.rooms.create(enable_recording=True, webhook_event_url=url)
        token = await client.rooms.generate_join_client_token(room.id)
        alice = await emu.join(room.id, token.token, context="Alice")
        await emu.advance(5)
        bob = await emu.join(room.id, token.token, context="Bob")
        await emu.advance(30)
        await emu.leave(bob.id)
        await emu.advance(5)
        await emu.leave(alice.id)
        await emu.advance(60)  # the four recordings complete


def originals(deliveries: list[WebhookDelivery]) -> list[WebhookDelivery]:
    return [d for d in deliveries if not d.duplicate]


async def test_every_duplicate_is_dropped_by_the_dedupe_store(
    receive: Receive, handled: list[VideoEvent]
) -> None:
    async with Emulator(strict=True) as emu:
        url = await receive(emu.webhook_public_key)
        emu.configure_faults(webhook_duplicate_rate=1.0, seed=7)
        await lifecycle(emu, url)
        # 14 events (session started/ended, 2 joined, 2 left, 4 recordings started and
        # completed), each delivered twice
        deliveries = await emu.wait_for_webhooks(28, timeout=10)

    assert [d.outcome for d in deliveries] == ["delivered"] * 28
    duplicates = [d for d in deliveries if d.duplicate]
    assert len(duplicates) == 14
    assert {d.event_id for d in duplicates} == {d.event_id for d in originals(deliveries)}
    # the receiver answered every duplicate 2xx, yet handled each event exactly once
    assert sorted(e.id for e in handled) == sorted(d.event_id for d in originals(deliveries))
    assert len({e.id for e in handled}) == len(handled) == 14


async def test_reordered_deliveries_are_put_back_in_order_by_occurred_at(
    receive: Receive, handled: list[VideoEvent]
) -> None:
    async with Emulator(strict=True) as emu:
        url = await receive(emu.webhook_public_key)
        emu.configure_faults(webhook_reorder=True, seed=3)
        await lifecycle(emu, url)
        await emu.wait_for_webhooks(14, timeout=10)

    arrived = [happened(e) for e in handled]
    assert arrived != sorted(arrived), "the reorder fault should have swapped some events"
    in_order = sorted(handled, key=happened)
    types = [e.event_type for e in in_order]
    assert types[:2] == ["video.room.session.started", "video.room.participant.joined"]
    assert types.index("video.room.session.ended") > max(
        i for i, t in enumerate(types) if t == "video.room.participant.left"
    )
    # replayed in order, the room ends empty; replayed as it arrived, it may not
    present: set[str] = set()
    for event in in_order:
        if event.event_type == "video.room.participant.joined":
            present.add(event.payload.participant_id)  # type: ignore[union-attr]
        elif event.event_type == "video.room.participant.left":
            present.discard(event.payload.participant_id)  # type: ignore[union-attr]
    assert present == set()
