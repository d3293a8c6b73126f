"""Timed transitions on a real-time clock happen by themselves, with their webhooks.

The emulators here follow real time with processing delays of a few tens of milliseconds;
the tests wait on the resulting webhook deliveries (conditions with generous timeouts),
never on sleeps, and make no request that would apply the transitions on the way.
"""

from __future__ import annotations

import asyncio
import http.server
import threading
from collections.abc import AsyncIterator, Iterator

import pytest
from _receiver import Receiver

from telnyx_video import AsyncVideoClient, VideoClient
from telnyx_video.emulator import Clock, Emulator, EmulatorThread

from .support import API_KEY, START

QUICK = 0.05


@pytest.fixture
async def live() -> AsyncIterator[Emulator]:
    """An emulator on the real clock that processes recordings and compositions quickly."""
    async with Emulator(
        api_key=API_KEY,
        recording_processing_secs=QUICK,
        composition_queue_secs=QUICK / 2,
        composition_processing_secs=QUICK,
        check_responses=True,
    ) as emulator:
        yield emulator
        assert emulator.response_violations == []


async def _recorded_session(emu: Emulator, client: AsyncVideoClient, url: str) -> tuple[str, str]:
    """A room that records, one participant who came and left; (room id, session id)."""
    room = await client.rooms.create(enable_recording=True, webhook_event_url=url)
    tokens = await client.rooms.generate_join_client_token(room.id)
    alice = await emu.join(room.id, tokens.token, context="Alice")
    await emu.leave(alice.id)
    return room.id, alice.session_id


def _types(emu: Emulator) -> list[str]:
    return [d.event_type for d in emu.webhook_deliveries]


async def test_recordings_complete_without_requests(live: Emulator, receiver: Receiver) -> None:
    async with AsyncVideoClient(api_key=live.api_key, base_url=live.base_url) as client:
        _, session_id = await _recorded_session(live, client, receiver.url())
    # No request, no advance(): the timer applies the transitions and sends the webhooks.
    deliveries = await live.wait_for_webhooks(8, timeout=10)
    assert [d.event_type for d in deliveries][-2:] == ["video.room.recording.completed"] * 2
    completed = [d.payload["data"]["payload"] for d in deliveries[-2:]]
    assert {p["type"] for p in completed} == {"audio", "video"}
    assert all(p["session_id"] == session_id for p in completed)
    async with AsyncVideoClient(api_key=live.api_key, base_url=live.base_url) as client:
        recordings = await client.room_recordings.list()
    assert {r.status for r in recordings.items} == {"completed"}


async def test_composition_completes_by_itself(live: Emulator, receiver: Receiver) -> None:
    async with AsyncVideoClient(api_key=live.api_key, base_url=live.base_url) as client:
        _, session_id = await _recorded_session(live, client, receiver.url())
        composition = await client.room_compositions.create(
            session_id=session_id, webhook_event_url=receiver.url("/compositions")
        )
        assert composition.status == "enqueued"
        await live.wait_for_webhooks(9, timeout=10)
        bodies = await receiver.wait(9, timeout=10)
        done = [b for b in bodies if b["data"]["event_type"].endswith("composition.completed")]
        assert [b["data"]["payload"]["composition_id"] for b in done] == [composition.id]
        fetched = await client.room_compositions.retrieve(composition.id)
    assert fetched.status == "completed"
    assert fetched.download_url is not None


async def test_timer_rearms_for_an_earlier_transition(receiver: Receiver) -> None:
    # Recordings take an hour; a composition queued later, due much sooner, still completes:
    # the timer moves to the earlier instant when the queue changes.
    async with (
        Emulator(
            api_key=API_KEY,
            recording_processing_secs=3600,
            composition_queue_secs=QUICK / 2,
            composition_processing_secs=QUICK,
        ) as emu,
        AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        _, session_id = await _recorded_session(emu, client, receiver.url())
        await emu.wait_for_webhooks(6)
        await client.room_compositions.create(
            session_id=session_id, webhook_event_url=receiver.url("/compositions")
        )
        deliveries = await emu.wait_for_webhooks(7, timeout=10)
        assert deliveries[-1].event_type == "video.room.composition.completed"
        assert "video.room.recording.completed" not in _types(emu)


async def test_advance_still_works_on_a_real_clock(receiver: Receiver) -> None:
    async with (
        Emulator(api_key=API_KEY, recording_processing_secs=3600) as emu,
        AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        await _recorded_session(emu, client, receiver.url())
        await emu.advance(3600)
        deliveries = await emu.wait_for_webhooks(8)
        assert _types(emu)[-2:] == ["video.room.recording.completed"] * 2
        assert len(deliveries) == 8


async def test_frozen_clock_moves_only_with_advance(receiver: Receiver) -> None:
    async with (
        Emulator(api_key=API_KEY, clock=Clock(START), recording_processing_secs=0.0) as emu,
        AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        await _recorded_session(emu, client, receiver.url())
        await emu.wait_for_webhooks(6)
        # Even with no delay, nothing happens until something looks at the clock.
        with pytest.raises(TimeoutError):
            await emu.wait_for_webhooks(7, timeout=0.3)
        assert emu.now() == START
        await emu.advance(0)
        deliveries = await emu.wait_for_webhooks(8)
        assert [d.event_type for d in deliveries[-2:]] == ["video.room.recording.completed"] * 2


async def test_reset_drops_pending_transitions_and_the_next_state_still_runs(
    receiver: Receiver,
) -> None:
    async with (
        Emulator(api_key=API_KEY, recording_processing_secs=1.0) as emu,
        AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        await _recorded_session(emu, client, receiver.url("/before"))
        await emu.wait_for_webhooks(6)
        await emu.reset()
        # The new state's transitions are scheduled as usual ...
        await _recorded_session(emu, client, receiver.url("/after"))
        deliveries = await emu.wait_for_webhooks(8, timeout=10)
        # ... and the old ones never happen.
        assert {d.url for d in deliveries} == {receiver.url("/after")}
        assert _types(emu)[-2:] == ["video.room.recording.completed"] * 2
        paths = [path for path, _, _ in receiver.received]
        assert paths.count("/before") == 6


async def test_close_cancels_the_timer(receiver: Receiver) -> None:
    emu = Emulator(api_key=API_KEY, recording_processing_secs=3600)
    async with emu, AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client:
        await _recorded_session(emu, client, receiver.url())
        loop = asyncio.get_running_loop()
        assert any(_is_transition_timer(h) for h in _scheduled(loop))
    assert not any(_is_transition_timer(h) for h in _scheduled(loop))


def _scheduled(loop: asyncio.AbstractEventLoop) -> list[asyncio.TimerHandle]:
    return [h for h in getattr(loop, "_scheduled", []) if not h.cancelled()]


def _is_transition_timer(handle: asyncio.TimerHandle) -> bool:
    callback = getattr(handle, "_callback", None)
    return getattr(callback, "__name__", "") == "_on_timer"


class _OkHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def sync_receiver_url() -> Iterator[str]:
    """A plain threaded HTTP server on loopback answering 200 to every POST."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OkHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_emulator_thread_processes_by_itself(sync_receiver_url: str) -> None:
    with (
        EmulatorThread(api_key=API_KEY, recording_processing_secs=QUICK) as emu,
        VideoClient(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        room = client.rooms.create(enable_recording=True, webhook_event_url=sync_receiver_url)
        token = client.rooms.generate_join_client_token(room.id).token
        participant = emu.join(room.id, token)
        emu.leave(participant.id)
        deliveries = emu.wait_for_webhooks(8, timeout=10)
    assert [d.event_type for d in deliveries[-2:]] == ["video.room.recording.completed"] * 2
