"""Webhooks: order, wire format, Ed25519 signatures, failover, timeouts, loopback only."""

from __future__ import annotations

import aiohttp

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import Emulator

from .support import Receiver, verify_signature


async def test_lifecycle_events_in_order_and_signed(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    room = await client.rooms.create(enable_recording=True, webhook_event_url=receiver.url())
    tokens = await client.rooms.generate_join_client_token(room.id)
    alice = await emu.join(room.id, tokens.token, context="Alice")
    await emu.advance(30)
    await emu.leave(alice.id)
    await emu.advance(5)
    composition = await client.room_compositions.create(
        session_id=alice.session_id, webhook_event_url=receiver.url("/compositions")
    )
    await emu.advance(11)
    deliveries = await emu.wait_for_webhooks(9)
    types = [d.event_type for d in deliveries]
    assert types == [
        "video.room.session.started",
        "video.room.participant.joined",
        "video.room.recording.started",
        "video.room.recording.started",
        "video.room.participant.left",
        "video.room.session.ended",
        "video.room.recording.completed",
        "video.room.recording.completed",
        "video.room.composition.completed",
    ]
    bodies = await receiver.wait(9)
    assert [b["data"]["event_type"] for b in bodies] == types
    for _, headers, raw in receiver.received:
        verify_signature(emu.webhook_public_key, headers, raw)
        assert headers["Content-Type"] == "application/json"
    left = bodies[4]["data"]
    assert left["record_type"] == "event"
    assert left["occurred_at"] == "2026-03-02T12:00:30Z"
    assert left["payload"] == {
        "room_id": room.id,
        "session_id": alice.session_id,
        "participant_id": alice.id,
        "context": "Alice",
        "duration_secs": 30,
        "left_reason": "left",
    }
    assert bodies[4]["meta"] == {"attempt": 1, "delivered_to": receiver.url()}
    completed = bodies[6]["data"]["payload"]
    assert completed["duration_secs"] == 30
    assert completed["download_url"].startswith(emu.root_url)
    final = bodies[8]
    assert final["data"]["payload"]["composition_id"] == composition.id
    assert receiver.received[8][0] == "/compositions"


async def test_failover_on_error_status(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    receiver.statuses["/primary"] = 500
    room = await client.rooms.create(
        webhook_event_url=receiver.url("/primary"),
        webhook_event_failover_url=receiver.url("/failover"),
    )
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)
    records = await emu.wait_for_webhooks(4, outcome=None)
    assert [(r.url.rsplit("/", 1)[1], r.attempt, r.outcome, r.status) for r in records] == [
        ("primary", 1, "failed", 500),
        ("failover", 2, "delivered", 200),
        ("primary", 1, "failed", 500),
        ("failover", 2, "delivered", 200),
    ]
    assert records[1].payload["meta"] == {"attempt": 2, "delivered_to": receiver.url("/failover")}
    verify_signature(emu.webhook_public_key, records[1].headers, records[1].body)


async def test_timeout_honoured_then_failover(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    receiver.hang.add("/slow")
    room = await client.rooms.create(
        webhook_event_url=receiver.url("/slow"),
        webhook_event_failover_url=receiver.url("/failover"),
        webhook_timeout_secs=1,
    )
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)
    first, second = await emu.wait_for_webhooks(2, timeout=10, outcome=None)
    assert first.outcome == "failed"
    assert "timed out" in (first.error or "")
    assert second.outcome == "delivered"


async def test_connection_refused_is_a_failure(emu: Emulator, client: AsyncVideoClient) -> None:
    dead = Receiver()
    await dead.start()
    url = dead.url()
    await dead.close()  # nothing listens there any more
    room = await client.rooms.create(webhook_event_url=url)
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)
    record = (await emu.wait_for_webhooks(1, outcome=None))[0]
    assert record.outcome == "failed"
    assert record.error


async def test_only_loopback_hosts(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    room = await client.rooms.create(
        webhook_event_url="https://example.com/hooks",
        webhook_event_failover_url=receiver.url("/failover"),
    )
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)
    skipped, delivered = await emu.wait_for_webhooks(2, outcome=None)
    assert skipped.outcome == "skipped"
    assert skipped.url == "https://example.com/hooks"
    assert delivered.outcome == "delivered"


async def test_control_endpoints(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    room = await client.rooms.create(webhook_event_url=receiver.url())
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)
    await emu.wait_for_webhooks(2)
    async with aiohttp.ClientSession() as http:
        async with http.get(emu.root_url + "/_emulator/webhook_public_key") as resp:
            assert (await resp.json()) == {"data": {"public_key": emu.webhook_public_key}}
        async with http.get(emu.root_url + "/_emulator/webhooks") as resp:
            log = (await resp.json())["data"]
    assert [entry["event_type"] for entry in log] == [
        "video.room.session.started",
        "video.room.participant.joined",
    ]
    assert log[0]["outcome"] == "delivered"
    assert log[0]["status"] == 200
    assert log[0]["attempt"] == 1
