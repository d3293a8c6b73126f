"""Webhooks: order, wire format, Ed25519 signatures, retries with backoff on the emulator's
clock, failover, timeouts, loopback only."""

from __future__ import annotations

import json

import aiohttp
import pytest
from _receiver import Receiver, verify_signature

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import Clock, Emulator

from .support import API_KEY, START


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


async def test_three_attempts_with_backoff_on_the_emulator_clock_then_failover(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    receiver.statuses["/primary"] = 500
    room = await client.rooms.create(
        webhook_event_url=receiver.url("/primary"),
        webhook_event_failover_url=receiver.url("/failover"),
    )
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)  # session.started, then participant.joined
    await emu.wait_for_webhooks(1, outcome=None)
    await emu.advance(0.9)  # the 2nd attempt waits 1 s on the emulator's (frozen) clock
    assert len(emu.webhook_deliveries) == 1
    await emu.advance(0.1)
    await emu.wait_for_webhooks(2, outcome=None)
    await emu.advance(1.9)  # then 2 s before the 3rd
    assert len(emu.webhook_deliveries) == 2
    await emu.advance(0.1)
    records = await emu.wait_for_webhooks(4, outcome=None)  # the 3rd fails: the failover URL
    assert [(r.url.rsplit("/", 1)[1], r.attempt, r.outcome, r.status) for r in records] == [
        ("primary", 1, "failed", 500),
        ("primary", 2, "failed", 500),
        ("primary", 3, "failed", 500),
        ("failover", 4, "delivered", 200),
    ]
    assert {r.event_type for r in records} == {"video.room.session.started"}
    assert [r.payload["meta"] for r in records] == [
        {"attempt": n, "delivered_to": receiver.url("/primary" if n < 4 else "/failover")}
        for n in (1, 2, 3, 4)
    ]
    verify_signature(emu.webhook_public_key, records[3].headers, records[3].body)
    # The room's next event waited for the first one: it starts on the primary URL again.
    (fifth,) = (await emu.wait_for_webhooks(5, outcome=None))[4:]
    assert (fifth.event_type, fifth.url, fifth.attempt) == (
        "video.room.participant.joined",
        receiver.url("/primary"),
        1,
    )


async def test_failed_failover_gets_three_attempts_too(receiver: Receiver) -> None:
    receiver.statuses["/primary"] = receiver.statuses["/failover"] = 503
    async with (
        Emulator(api_key=API_KEY, clock=Clock(START), webhook_retry_delays=(0, 0)) as emu,
        AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        room = await client.rooms.create(
            webhook_event_url=receiver.url("/primary"),
            webhook_event_failover_url=receiver.url("/failover"),
        )
        tokens = await client.rooms.generate_join_client_token(room.id)
        await emu.join(room.id, tokens.token)
        records = await emu.wait_for_webhooks(12, outcome=None)
    first = [r for r in records if r.event_type == "video.room.session.started"]
    assert [(r.url.rsplit("/", 1)[1], r.attempt, r.outcome) for r in first] == [
        ("primary", 1, "failed"),
        ("primary", 2, "failed"),
        ("primary", 3, "failed"),
        ("failover", 4, "failed"),
        ("failover", 5, "failed"),
        ("failover", 6, "failed"),
    ]
    assert len(receiver.received) == 12  # both events, 6 attempts each, then given up


async def test_retry_delays_are_a_setting() -> None:
    with pytest.raises(ValueError, match="webhook_retry_delays"):
        Emulator(webhook_retry_delays=(1,))
    with pytest.raises(ValueError, match="webhook_retry_delays"):
        Emulator(webhook_retry_delays=(1, -2))


async def test_a_timeout_is_a_failure_and_the_retry_goes_to_the_same_url(
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
    (first,) = await emu.wait_for_webhooks(1, timeout=10, outcome=None)
    assert first.outcome == "failed"
    assert first.error == "timed out after 1.0 s"
    receiver.hang.discard("/slow")  # the receiver recovers
    await emu.advance(1)
    second = (await emu.wait_for_webhooks(2, outcome=None))[1]
    assert (second.url, second.attempt, second.outcome) == (receiver.url("/slow"), 2, "delivered")


async def test_the_timeout_is_two_seconds_when_null(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    receiver.hang.add("/slow")
    room = await client.rooms.create(webhook_event_url=receiver.url("/slow"))
    assert room.webhook_timeout_secs is None
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)
    (first,) = await emu.wait_for_webhooks(1, timeout=10, outcome=None)
    assert first.error == "timed out after 2.0 s"


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


# -- duplicated and reordered deliveries, on purpose ---------------------------------------


async def _recorded_room(emu: Emulator, client: AsyncVideoClient, url: str) -> None:
    """session.started, participant.joined and 2 x recording.started, queued at once."""
    room = await client.rooms.create(enable_recording=True, webhook_event_url=url)
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)


async def test_duplicate_deliveries_carry_the_same_event_id(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    config = emu.configure_faults(webhook_duplicate_rate=1.0)
    assert config.webhook_reorder is False
    await _recorded_room(emu, client, receiver.url())
    bodies = await receiver.wait(8)
    ids = [b["data"]["id"] for b in bodies]
    assert ids[0::2] == ids[1::2]  # each event twice, one right after the other
    assert len(set(ids)) == 4
    assert bodies[0] == bodies[1]  # the same body (and a fresh signature)
    log = emu.webhook_deliveries
    assert [d.duplicate for d in log] == [False, True] * 4
    assert all(d.outcome == "delivered" for d in log)


async def test_reordering_swaps_events_of_one_room_only(receiver: Receiver) -> None:
    emitted = [
        "video.room.session.started",
        "video.room.participant.joined",
        "video.room.recording.started",
        "video.room.recording.started",
    ]
    async with (
        Emulator(api_key=API_KEY, clock=Clock(START)) as emu,
        AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        emu.configure_faults(webhook_reorder=True, seed=7)
        await _recorded_room(emu, client, receiver.url("/a"))
        await _recorded_room(emu, client, receiver.url("/b"))
        await receiver.wait(8)
    by_room: dict[str, list[str]] = {}
    for path, _, raw in receiver.received:
        data = json.loads(raw)["data"]
        by_room.setdefault(path, []).append(data["event_type"])
        assert data["payload"]["room_id"]
    rooms = {
        path: {
            json.loads(raw)["data"]["payload"]["room_id"]
            for p, _, raw in receiver.received
            if p == path
        }
        for path in by_room
    }
    assert all(len(ids) == 1 for ids in rooms.values())  # a room's events stay its own
    assert {path: sorted(types) for path, types in by_room.items()} == {
        "/a": sorted(emitted),
        "/b": sorted(emitted),
    }
    assert any(types != emitted for types in by_room.values())  # some arrived out of order


async def test_the_same_seed_reorders_the_same_way(receiver: Receiver) -> None:
    orders = []
    for _ in range(2):
        async with (
            Emulator(api_key=API_KEY, clock=Clock(START)) as emu,
            AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client,
        ):
            emu.configure_faults(webhook_reorder=True, webhook_duplicate_rate=0.5, seed="s")
            await _recorded_room(emu, client, receiver.url())
            await emu.wait_for_webhooks(4)
            await emu.wait_for_webhooks(sum(d.duplicate for d in emu.webhook_deliveries) + 4)
            orders.append([(d.event_type, d.duplicate) for d in emu.webhook_deliveries])
    assert orders[0] == orders[1]


async def test_webhook_faults_through_the_control_api(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    settings = {"webhook_duplicate_rate": 1, "webhook_reorder": False, "seed": 3}
    async with http.post(emu.root_url + "/_emulator/faults", json=settings) as resp:
        assert resp.status == 200
        config = (await resp.json())["data"]["config"]
    assert (config["webhook_duplicate_rate"], config["webhook_reorder"]) == (1, False)
    room = await client.rooms.create(webhook_event_url=receiver.url())
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)
    bodies = await receiver.wait(4)
    assert [b["data"]["id"] for b in bodies][0::2] == [b["data"]["id"] for b in bodies][1::2]
    for bad in ({"webhook_duplicate_rate": 1.5}, {"webhook_reorder": "yes"}):
        async with http.post(emu.root_url + "/_emulator/faults", json=bad) as resp:
            assert resp.status == 422
            assert (await resp.json())["errors"][0]["code"] == "10015"


async def test_retries_fall_due_by_themselves_on_a_real_time_clock(receiver: Receiver) -> None:
    receiver.statuses["/primary"] = 500
    async with (
        Emulator(api_key=API_KEY, webhook_retry_delays=(0.05, 0.1)) as emu,
        AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        room = await client.rooms.create(
            webhook_event_url=receiver.url("/primary"),
            webhook_event_failover_url=receiver.url("/failover"),
        )
        tokens = await client.rooms.generate_join_client_token(room.id)
        await emu.join(room.id, tokens.token)
        (delivered,) = await emu.wait_for_webhooks(1)  # nobody advances the clock
    assert (delivered.url, delivered.attempt) == (receiver.url("/failover"), 4)


# -- rooms that are gone ------------------------------------------------------------------


async def test_recordings_of_a_deleted_room_still_report_completion(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    room = await client.rooms.create(
        enable_recording=True,
        webhook_event_url=receiver.url("/gone"),
        webhook_event_failover_url=receiver.url("/gone-failover"),
        webhook_timeout_secs=7,
    )
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)
    await client.rooms.delete(room.id)  # ends the session: participant.left, session.ended
    await emu.advance(60)  # the recordings complete after their room is gone
    deliveries = await emu.wait_for_webhooks(8)
    types = [d.event_type for d in deliveries]
    assert types[:4] == [
        "video.room.session.started",
        "video.room.participant.joined",
        "video.room.recording.started",
        "video.room.recording.started",
    ]
    assert sorted(types[4:]) == sorted(
        [
            "video.room.participant.left",
            "video.room.session.ended",
            "video.room.recording.completed",
            "video.room.recording.completed",
        ]
    )
    assert {d.url for d in deliveries} == {receiver.url("/gone")}


async def test_recording_completion_falls_back_to_the_captured_failover_url(
    receiver: Receiver,
) -> None:
    receiver.statuses["/primary"] = 500
    async with (
        Emulator(api_key=API_KEY, clock=Clock(START), webhook_retry_delays=(0, 0)) as emu,
        AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        await _fall_back_after_deletion(emu, client, receiver)


async def _fall_back_after_deletion(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    room = await client.rooms.create(
        enable_recording=True,
        webhook_event_url=receiver.url("/primary"),
        webhook_event_failover_url=receiver.url("/failover"),
    )
    tokens = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, tokens.token)
    await client.rooms.delete(room.id)
    await emu.advance(60)
    deliveries = await emu.wait_for_webhooks(8)
    completed = [d for d in deliveries if d.event_type == "video.room.recording.completed"]
    assert [d.url for d in completed] == [receiver.url("/failover")] * 2
    # 3 attempts on the primary URL, then the failover URL: the 4th attempt
    assert [d.payload["meta"]["attempt"] for d in completed] == [4, 4]
