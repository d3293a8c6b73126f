"""``telnyx-video demo``: a room's whole life on an in-process emulator, narrated.

It needs no account and no network: the emulator listens on 127.0.0.1, the webhook receiver
too, and the emulator's clock is advanced instead of waiting. Every webhook delivery is
verified with the emulator's public key before it counts.

With ``TELNYX_EMULATOR_URL`` set to a running emulator's root (``telnyx-video emulator``
prints it), the demo plays the same lifecycle against that one instead, through its control
API (``TELNYX_EMULATOR_CONTROL_TOKEN`` when it has a token), and leaves what it made in place:
its dashboard shows it all.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol, TextIO
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from telnyx_video._client import AsyncVideoClient
from telnyx_video._converter import format_datetime
from telnyx_video.models import CompositionStatus, RecordingStatus, VideoRegion

if TYPE_CHECKING:
    from telnyx_video.emulator import Emulator

__all__ = ["EMULATOR_URL_ENV", "demo", "run_demo"]

#: How long (wall clock) to wait for something the emulator does by itself.
WAIT_SECONDS = 10.0
#: The variable naming a running emulator to play the demo against (its root URL).
EMULATOR_URL_ENV = "TELNYX_EMULATOR_URL"


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


class _Control(Protocol):
    """What the demo does to the emulator beside the API: the front-end SDK's part."""

    async def join(self, room_id: str, token: str, context: str) -> str:
        """A participant joins; its id."""
        ...

    async def advance(self, seconds: float) -> None:
        """Move the emulator's clock forward."""
        ...

    async def deliveries(self) -> list[dict[str, Any]]:
        """The webhook delivery log, as ``GET /_emulator/webhooks`` lists it."""
        ...


class _InProcess:
    """The demo's own emulator, driven in-process."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    async def join(self, room_id: str, token: str, context: str) -> str:
        return (await self._emulator.join(room_id, token, context)).id

    async def advance(self, seconds: float) -> None:
        await self._emulator.advance(seconds)

    async def deliveries(self) -> list[dict[str, Any]]:
        return [d.to_json() for d in self._emulator.webhook_deliveries]


class _Remote:
    """A running emulator, driven through its control API like a test in any language."""

    def __init__(self, http: aiohttp.ClientSession, root: str, token: str | None) -> None:
        self._http = http
        self._root = root
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        """``data`` of a control API answer; `DemoError` for any other."""
        url = f"{self._root}/_emulator/{path}"
        try:
            async with self._http.request(
                method, url, json=body, headers=self._headers, allow_redirects=False
            ) as response:
                text = await response.text()
                if response.status >= 300:
                    raise DemoError(f"{method} {url} answered {response.status}: {text[:300]}")
                return json.loads(text)["data"]
        except (aiohttp.ClientError, OSError, ValueError, KeyError) as exc:
            raise DemoError(f"{method} {url} failed: {exc}") from None

    async def join(self, room_id: str, token: str, context: str) -> str:
        participant = await self.call(
            "POST", f"rooms/{room_id}/join", {"token": token, "context": context}
        )
        return str(participant["id"])

    async def advance(self, seconds: float) -> None:
        await self.call("POST", "clock/advance", {"seconds": seconds})

    async def deliveries(self) -> list[dict[str, Any]]:
        return list(await self.call("GET", "webhooks"))


def _emulator_root(url: str) -> str:
    """``scheme://host:port`` of a running emulator's URL (its root, ``/v2`` or its
    dashboard); the demo only ever drives a loopback one."""
    from telnyx_video.emulator._loopback import is_loopback_url

    parts = urlsplit(url.strip())
    if not is_loopback_url(url.strip()) or not parts.netloc:
        raise DemoError(f"{EMULATOR_URL_ENV} must be a loopback http URL, not {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


@asynccontextmanager
async def _own_emulator(say: _Narrator) -> AsyncIterator[tuple[str, str, str, _Control]]:
    from telnyx_video.emulator import Emulator

    async with Emulator(api_key="demo-" + secrets.token_hex(8)) as emu:
        say.step("started the emulator", base_url=emu.base_url, ui_url=emu.ui_url)
        say.detail(emu.base_url)
        say.detail(f"dashboard (while the demo runs): {emu.ui_url}")
        yield emu.base_url, emu.api_key, emu.webhook_public_key, _InProcess(emu)


@asynccontextmanager
async def _running_emulator(
    say: _Narrator, url: str, token: str | None
) -> AsyncIterator[tuple[str, str, str, _Control]]:
    from telnyx_video.emulator._dashboard import UI_PATH

    root = _emulator_root(url)
    async with aiohttp.ClientSession() as http:
        remote = _Remote(http, root, token)
        info = await remote.call("GET", "info")
        ui_url = root + UI_PATH
        say.step("using the running emulator", base_url=info["base_url"], ui_url=ui_url)
        say.detail(info["base_url"])
        say.detail(f"dashboard: {ui_url}")
        yield info["base_url"], info["api_key"], info["webhook_public_key"], remote


async def demo(
    out: TextIO,
    *,
    json_lines: bool = False,
    emulator_url: str | None = None,
    control_token: str | None = None,
) -> None:
    """Play the demo, printing to ``out``: on its own in-process emulator, or against the
    running one at ``emulator_url`` (then what it made stays, for the dashboard to show).

    Raises:
        DemoError: something did not go as expected.
    """
    say = _Narrator(out, json_lines=json_lines)
    started = time.monotonic()
    inbox = _Inbox()
    say.title("telnyx-video demo: a room's whole life on a local emulator (no account needed)")
    emulator = (
        _own_emulator(say)
        if emulator_url is None
        else _running_emulator(say, emulator_url, control_token)
    )
    async with emulator as (base_url, api_key, public_key, control):
        runner, hook_url = await _start_receiver(public_key, inbox)
        try:
            say.step("listening for signed webhooks", url=hook_url)
            say.detail(hook_url)
            async with AsyncVideoClient(api_key, base_url=base_url) as client:
                await _lifecycle(client, control, say, inbox, hook_url, emulator_url is None)
        finally:
            await runner.cleanup()
    elapsed = time.monotonic() - started
    say.step(f"done in {elapsed:.1f} s", elapsed_secs=round(elapsed, 3))
    say.title(
        "\nNext: run 'telnyx-video emulator', open the dashboard it prints, and play the demo\n"
        "there with 'telnyx-video demo --emulator http://127.0.0.1:8787'; point the SDK\n"
        "or the CLI at it with TELNYX_BASE_URL=http://127.0.0.1:8787/v2 TELNYX_API_KEY=test-key,\n"
        "e.g. 'telnyx-video rooms create --unique-name standup'. Docs: docs/quickstart.md"
    )


async def _lifecycle(
    client: AsyncVideoClient,
    emu: _Control,
    say: _Narrator,
    inbox: _Inbox,
    hook_url: str,
    clean_up: bool,
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
    say.step("Alice joined: the session started", participant_id=alice, session_id=session_id)
    say.detail(f"session {session_id}")

    refreshed = await client.rooms.refresh_client_token(
        room.id, refresh_token=token.refresh_token, token_ttl_secs=600
    )
    bob = await emu.join(room.id, refreshed.token, context="Bob")
    say.step("Bob joined with a refreshed token", participant_id=bob)

    people = [p async for p in client.room_sessions.list_participants(session_id)]
    names = sorted(p.context or p.id for p in people)
    say.step(f"the session has {len(people)} participants: {', '.join(names)}", count=len(people))

    await emu.advance(60)
    say.step("a minute passes (on the emulator's clock)")

    await client.room_sessions.mute(session_id, participants="all", exclude=[alice])
    say.step("muted everyone except Alice")

    await client.room_sessions.kick(session_id, participants=[bob])
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
    by_id = {alice: "Alice", bob: "Bob"}
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

    who = {alice: "Alice", bob: "Bob"}
    types = inbox.types()
    say.step(f"received {len(types)} webhooks, every signature verified", events=types)
    for event in inbox.events:
        participant = getattr(getattr(event, "payload", None), "participant_id", None)
        suffix = f" ({who.get(participant, participant)})" if participant else ""
        say.detail(f"{event.event_type}{suffix}")

    status = await _post_forgery(emu, hook_url)
    say.step(f"a tampered delivery was rejected (HTTP {status})", status=status)

    if not clean_up:
        say.step(f"left room '{name}', its recordings and the composition on the emulator")
        return
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


async def _post_forgery(emu: _Control, hook_url: str) -> int:
    """Replay a real delivery with a changed body: the receiver must refuse it."""
    delivered = [
        d for d in await emu.deliveries() if d["outcome"] == "delivered" and d["url"] == hook_url
    ]
    if not delivered:
        raise DemoError("no webhook was delivered")
    original = delivered[0]
    body = original["body"].encode()
    forged = body.replace(b'"attempt":', b'"forged":true,"attempt":', 1)
    if forged == body:
        forged = body + b" "
    # The receiver logs each rejection as a warning; here the rejection is the point.
    receiver_log = logging.getLogger("telnyx_video.webhooks")
    level = receiver_log.level
    receiver_log.setLevel(logging.ERROR)
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.post(hook_url, data=forged, headers=original["headers"]) as response,
        ):
            await response.read()
    finally:
        receiver_log.setLevel(level)
    if response.status != 400:
        raise DemoError(f"a forged webhook was answered {response.status}, not 400")
    return response.status


def run_demo(
    out: TextIO,
    *,
    json_lines: bool = False,
    emulator_url: str | None = None,
    control_token: str | None = None,
) -> int:
    """Run the demo, printing to ``out``; returns the exit status (0 on success).

    ``emulator_url`` (default: ``$TELNYX_EMULATOR_URL``) names a running emulator to play it
    against, with ``control_token`` (default: ``$TELNYX_EMULATOR_CONTROL_TOKEN``).
    """
    from telnyx_video.emulator import EmulatorError
    from telnyx_video.emulator._cli import CONTROL_TOKEN_ENV
    from telnyx_video.errors import TelnyxVideoError

    if emulator_url is None:
        emulator_url = os.environ.get(EMULATOR_URL_ENV, "").strip() or None
    if control_token is None:
        control_token = os.environ.get(CONTROL_TOKEN_ENV, "").strip() or None
    try:
        asyncio.run(
            demo(
                out,
                json_lines=json_lines,
                emulator_url=emulator_url,
                control_token=control_token,
            )
        )
    except (DemoError, EmulatorError, TelnyxVideoError) as exc:
        out.flush()
        sys.stderr.write(f"demo failed: {exc}\n")
        return 1
    return 0
