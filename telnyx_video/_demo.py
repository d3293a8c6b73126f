"""``telnyx-video demo``: a room's whole life on an in-process emulator, narrated.

It needs no account and no network: the emulator listens on 127.0.0.1, the webhook receiver
too, and the emulator's clock is advanced instead of waiting. Every webhook delivery is
verified with the emulator's public key before it counts.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from aiohttp import web

from telnyx_video._client import AsyncVideoClient
from telnyx_video._converter import format_datetime
from telnyx_video.models import CompositionStatus, RecordingStatus, VideoRegion

__all__ = ["run_demo"]

#: How long (wall clock) to wait for something the emulator does by itself.
WAIT_SECONDS = 10.0


class DemoError(Exception):
    """The demo saw something it did not expect."""


class _Narrator:
    """Prints the steps: prose with check marks, or one JSON object per step."""

    def __init__(self, out: TextIO, *, json_lines: bool) -> None:
        self._out = out
        self._json = json_lines
        encoding = getattr(out, "encoding", None) or "ascii"
        try:
            "✔→".encode(encoding)
            self._tick, self._arrow = "✔", "→"
        except (UnicodeEncodeError, LookupError):
            self._tick, self._arrow = "+", "->"
        self.steps = 0

    @property
    def arrow(self) -> str:
        return self._arrow

    def title(self, text: str) -> None:
        if not self._json:
            self._out.write(text + "\n\n")
            self._out.flush()

    def step(self, message: str, **data: Any) -> None:
        self.steps += 1
        if self._json:
            line = json.dumps({"step": self.steps, "message": message, **data}, default=str)
            self._out.write(line + "\n")
        else:
            self._out.write(f"{self._tick} {message}\n")
        self._out.flush()

    def detail(self, text: str) -> None:
        if not self._json:
            self._out.write(f"    {text}\n")
            self._out.flush()


class _Inbox:
    """Verified webhook events received by the demo's local endpoint."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.rejected = 0
        self._changed = asyncio.Condition()

    async def add(self, event: Any) -> None:
        async with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[list[Any]], bool], what: str) -> None:
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: predicate(self.events)), WAIT_SECONDS
                )
            except TimeoutError:
                raise DemoError(f"no {what} webhook within {WAIT_SECONDS:g} s") from None

    def types(self) -> list[str]:
        return [str(event.event_type) for event in self.events]


def _count(event_type: str, n: int = 1) -> Callable[[list[Any]], bool]:
    return lambda events: sum(1 for e in events if e.event_type == event_type) >= n


async def _start_receiver(public_key: str, inbox: _Inbox) -> tuple[web.AppRunner, str]:
    from telnyx_video.webhooks import WebhookEvent, WebhookReceiver

    receiver = WebhookReceiver(public_key=public_key)

    @receiver.on(WebhookEvent)
    async def record(event: WebhookEvent) -> None:
        await inbox.add(event)

    runner = web.AppRunner(receiver.create_app("/webhooks"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/webhooks"


async def _poll(check: Callable[[], Any], what: str) -> Any:
    """Call the async ``check`` until it returns something truthy (the emulator's background
    work, such as recordings finishing, happens on its clock but not synchronously)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise DemoError(f"{what} did not happen within {WAIT_SECONDS:g} s")
        await asyncio.sleep(0.02)


async def _demo(say: _Narrator) -> None:
    from telnyx_video.emulator import Emulator

    started = time.monotonic()
    inbox = _Inbox()
    say.title("telnyx-video demo: a room's whole life on a local emulator (no account needed)")
    async with Emulator(api_key="demo-" + secrets.token_hex(8)) as emu:
        say.step("started the emulator", base_url=emu.base_url)
        say.detail(emu.base_url)
        runner, hook_url = await _start_receiver(emu.webhook_public_key, inbox)
        try:
            say.step("listening for signed webhooks", url=hook_url)
            say.detail(hook_url)
            async with AsyncVideoClient(emu.api_key, base_url=emu.base_url) as client:
                await _lifecycle(client, emu, say, inbox, hook_url)
        finally:
            await runner.cleanup()
    elapsed = time.monotonic() - started
    say.step(f"done in {elapsed:.1f} s", elapsed_secs=round(elapsed, 3))
    say.title(
        "\nNext: run 'telnyx-video emulator' and point the SDK or the CLI at it with\n"
        "TELNYX_BASE_URL=http://127.0.0.1:8787/v2 TELNYX_API_KEY=test-key, e.g.\n"
        "'telnyx-video rooms create --unique-name standup'. Docs: docs/quickstart.md"
    )


async def _lifecycle(
    client: AsyncVideoClient, emu: Any, say: _Narrator, inbox: _Inbox, hook_url: str
) -> None:
    arrow = say.arrow
    name = "demo-" + secrets.token_hex(3)
    room = await client.rooms.create(
        unique_name=name, max_participants=4, enable_recording=True, webhook_event_url=hook_url
    )
    say.step(f"created room '{name}' (recording on)", room_id=room.id, unique_name=name)
    say.detail(f"id {room.id}, up to {room.max_participants} participants")

    token = await client.rooms.generate_join_client_token(
        room.id, token_ttl_secs=600, refresh_token_ttl_secs=3600
    )
    say.step(
        "issued a join token",
        token_expires_at=format_datetime(token.token_expires_at),
    )
    say.detail(f"valid until {format_datetime(token.token_expires_at)}, with a refresh token")

    alice = await emu.join(room.id, token.token, context="Alice")
    await inbox.wait_for(_count("video.room.session.started"), "session.started")
    room = await client.rooms.retrieve(room.id)
    session_id = room.active_session_id
    if session_id is None:
        raise DemoError("the room has no active session after a join")
    say.step("Alice joined: the session started", participant_id=alice.id, session_id=session_id)
    say.detail(f"session {session_id}")

    refreshed = await client.rooms.refresh_client_token(
        room.id, refresh_token=token.refresh_token, token_ttl_secs=600
    )
    bob = await emu.join(room.id, refreshed.token, context="Bob")
    say.step("Bob joined with a refreshed token", participant_id=bob.id)

    people = [p async for p in client.room_sessions.list_participants(session_id)]
    names = sorted(p.context or p.id for p in people)
    say.step(f"the session has {len(people)} participants: {', '.join(names)}", count=len(people))

    await emu.advance(60)
    say.step("a minute passes (on the emulator's clock)")

    await client.room_sessions.mute(session_id, participants="all", exclude=[alice.id])
    say.step("muted everyone except Alice")

    await client.room_sessions.kick(session_id, participants=[bob.id])
    await inbox.wait_for(_count("video.room.participant.left"), "participant.left")
    say.step("kicked Bob")

    await emu.advance(30)
    await client.room_sessions.end(session_id)
    await inbox.wait_for(_count("video.room.session.ended"), "session.ended")
    session = await client.room_sessions.retrieve(session_id)
    say.step(
        "ended the session",
        ended_at=format_datetime(session.ended_at) if session.ended_at else None,
    )

    await emu.advance(120)

    async def recordings_done() -> Any:
        page = await client.room_recordings.list(session_id=session_id)
        done = [r for r in page.items if r.status == RecordingStatus.COMPLETED]
        return page.items if page.items and len(done) == len(page.items) else None

    recordings = await _poll(recordings_done, "recordings completing")
    say.step(f"{len(recordings)} recordings completed", count=len(recordings))
    by_id = {alice.id: "Alice", bob.id: "Bob"}
    for rec in sorted(recordings, key=lambda r: (by_id.get(r.participant_id, ""), str(r.type))):
        say.detail(
            f"{by_id.get(rec.participant_id, rec.participant_id)}: {rec.type}, "
            f"{rec.duration_secs} s, {rec.size_mb} MB, {rec.codec}"
        )

    composition = await client.room_compositions.create(
        session_id=session_id,
        resolution="1280x720",
        video_layout={"grid": VideoRegion(max_columns=2, max_rows=1)},
        webhook_event_url=hook_url,
    )
    say.step(f"composing the recordings ({composition.status})", composition_id=composition.id)
    await emu.advance(300)

    async def composition_done() -> Any:
        current = await client.room_compositions.retrieve(composition.id)
        return current if current.status == CompositionStatus.COMPLETED else None

    composition = await _poll(composition_done, "the composition completing")
    await inbox.wait_for(_count("video.room.composition.completed"), "composition.completed")
    say.step(
        "composition completed",
        duration_secs=composition.duration_secs,
        download_url=composition.download_url,
    )
    say.detail(f"{composition.duration_secs} s, {arrow} {composition.download_url}")

    who = {alice.id: "Alice", bob.id: "Bob"}
    types = inbox.types()
    say.step(f"received {len(types)} webhooks, every signature verified", events=types)
    for event in inbox.events:
        participant = getattr(getattr(event, "payload", None), "participant_id", None)
        suffix = f" ({who.get(participant, participant)})" if participant else ""
        say.detail(f"{event.event_type}{suffix}")

    status = await _post_forgery(emu, hook_url)
    say.step(f"a tampered delivery was rejected (HTTP {status})", status=status)

    await client.room_compositions.delete(composition.id)
    deleted = await client.room_recordings.delete_many(session_id=session_id)
    await client.rooms.delete(room.id)
    remaining = await client.rooms.list(unique_name=name)
    if remaining.items:
        raise DemoError("the room still exists after being deleted")
    say.step(
        f"cleaned up: the composition, {deleted} recordings and the room",
        recordings_deleted=deleted,
    )


async def _post_forgery(emu: Any, hook_url: str) -> int:
    """Replay a real delivery with a changed body: the receiver must refuse it."""
    import aiohttp

    delivered = [d for d in emu.webhook_deliveries if d.outcome == "delivered"]
    if not delivered:
        raise DemoError("no webhook was delivered")
    original = delivered[0]
    forged = original.body.replace(b'"attempt":', b'"forged":true,"attempt":', 1)
    if forged == original.body:
        forged = original.body + b" "
    # The receiver logs each rejection as a warning; here the rejection is the point.
    receiver_log = logging.getLogger("telnyx_video.webhooks")
    level = receiver_log.level
    receiver_log.setLevel(logging.ERROR)
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.post(hook_url, data=forged, headers=original.headers) as response,
        ):
            await response.read()
    finally:
        receiver_log.setLevel(level)
    if response.status != 400:
        raise DemoError(f"a forged webhook was answered {response.status}, not 400")
    return response.status


def run_demo(out: TextIO, *, json_lines: bool = False) -> int:
    """Run the demo, printing to ``out``; returns the exit status (0 on success)."""
    from telnyx_video.emulator import EmulatorError
    from telnyx_video.errors import TelnyxVideoError

    say = _Narrator(out, json_lines=json_lines)
    try:
        asyncio.run(_demo(say))
    except (DemoError, EmulatorError, TelnyxVideoError) as exc:
        out.flush()
        sys.stderr.write(f"demo failed: {exc}\n")
        return 1
    return 0
