"""The emulator dashboard in a real headless Chromium: it shows what the emulator holds, live,
drives it through the control API and the public API, keeps the control token out of URLs,
and gives other web pages nothing."""

from __future__ import annotations

import asyncio
import io
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web

from telnyx_video import AsyncVideoClient
from telnyx_video._demo import demo
from telnyx_video.emulator import Clock, Emulator

from .conftest import Receiver

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
API_KEY = "browser-test-key"
TOKEN = "browser-control-token"
ROOT = Path(__file__).resolve().parents[2]
#: Set to write the screenshot of docs/emulator.md (docs/images/dashboard.png) from the
#: lifecycle test, at its fixed viewport.
UPDATE_SCREENSHOT_ENV = "TELNYX_VIDEO_UPDATE_SCREENSHOT"
EVENT_TYPES = (
    "video.room.session.started",
    "video.room.participant.joined",
    "video.room.recording.started",
    "video.room.participant.left",
    "video.room.session.ended",
    "video.room.recording.completed",
)


async def _open(page: Page, url: str) -> None:
    from playwright.async_api import expect

    await page.goto(url)
    await expect(page.locator("#live")).to_have_text("live")


async def _join(page: Page, context: str) -> None:
    await page.fill("#join-context", context)
    await page.click("#join-form button")


def _participant(page: Page, context: str):  # type: ignore[no-untyped-def]
    return page.locator("#sessions tr[data-participant]", has_text=context)


async def test_dashboard_shows_and_drives_a_room_lifecycle(
    page: Page, receiver: Receiver, artifacts: Path
) -> None:
    from playwright.async_api import expect

    async with (
        Emulator(api_key=API_KEY, clock=Clock(START)) as emu,
        AsyncVideoClient(API_KEY, base_url=emu.base_url) as client,
    ):
        await _open(page, emu.ui_url)
        await expect(page.locator("#now")).to_have_text("2026-03-02 12:00:00 UTC")

        await page.fill("#room-name", "standup")
        await page.fill("#room-webhook", receiver.url)
        await page.click("#create-room-form button")
        room_row = page.locator("#rooms tbody tr[data-room]")
        await expect(room_row).to_have_count(1)
        await expect(room_row).to_contain_text("standup")
        await expect(room_row).to_contain_text(f"webhooks → {receiver.url}")
        (room,) = [r async for r in client.rooms.list()]
        assert (room.unique_name, room.webhook_event_url) == ("standup", receiver.url)

        await _join(page, "Alice")
        await expect(_participant(page, "Alice")).to_have_count(1)
        await _join(page, "Bob")
        await expect(_participant(page, "Bob")).to_have_count(1)
        session = page.locator("#sessions .session")
        await expect(session).to_have_count(1)
        await expect(session).to_contain_text("Session in standup")
        await expect(session).to_contain_text("active since 12:00:00")
        room = await client.rooms.retrieve(room.id)
        assert room.active_session_id is not None
        await expect(room_row).to_contain_text(room.active_session_id[:8])
        people = [p async for p in client.room_sessions.list_participants(room.active_session_id)]
        assert sorted(p.context or "" for p in people) == ["Alice", "Bob"]

        alice = _participant(page, "Alice")
        await alice.get_by_role("button", name="Mute", exact=True).click()
        await expect(alice.locator("td").nth(4)).to_have_text("muted")
        await expect(alice.get_by_role("button", name="Unmute", exact=True)).to_be_visible()

        await page.fill("#advance-seconds", "30")
        await page.click("#advance-form button")
        await expect(page.locator("#now")).to_have_text("2026-03-02 12:00:30 UTC")

        bob = _participant(page, "Bob")
        await bob.get_by_role("button", name="Leave").click()
        await expect(bob.locator("td").nth(3)).to_have_text("12:00:30 (left)")
        await page.get_by_role("button", name="End session").click()
        await expect(session).to_contain_text("ended 12:00:30")
        await expect(alice.locator("td").nth(3)).to_have_text("12:00:30 (session_ended)")

        await page.fill("#advance-seconds", "10")  # recordings take 5 s to process
        await page.click("#advance-form button")
        recordings = page.locator("#recordings tbody tr[data-recording]")
        await expect(recordings.filter(has_text="completed")).to_have_count(4)
        await expect(recordings.filter(has_text="Alice")).to_have_count(2)
        link = recordings.first.get_by_role("link", name="download")
        assert (await link.get_attribute("href") or "").startswith(
            emu.root_url + "/_emulator/media/recordings/"
        )

        # 1 session.started, 2 x (participant.joined + 2 recording.started), 2 participant.left,
        # session.ended, 4 recording.completed
        deliveries = await emu.wait_for_webhooks(14)
        assert len(receiver.bodies) >= 14
        rows = page.locator("#webhooks tbody tr[data-event]")
        await expect(rows).to_have_count(14)
        for event_type in EVENT_TYPES:
            expected = sum(d.event_type == event_type for d in deliveries)
            await expect(rows.filter(has_text=event_type)).to_have_count(expected)
        await expect(rows.filter(has_text="✔ verified")).to_have_count(14)
        await expect(rows.filter(has_text="200 delivered")).to_have_count(14)
        await expect(rows.first).to_contain_text("standup")

        await page.get_by_role("button", name="Compose").click()
        await page.fill("#advance-seconds", "60")
        await page.click("#advance-form button")
        composition = page.locator("#compositions tbody tr[data-composition]")
        await expect(composition).to_contain_text("completed")
        await expect(composition.get_by_role("link", name="download")).to_be_visible()

        shot = artifacts / "dashboard-lifecycle.png"
        await page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        if os.environ.get(UPDATE_SCREENSHOT_ENV):
            await page.screenshot(
                path=str(ROOT / "docs" / "images" / "dashboard.png"), full_page=True
            )


async def test_dashboard_kicks_sets_faults_and_resets(page: Page) -> None:
    from playwright.async_api import expect

    async with Emulator(api_key=API_KEY, clock=Clock(START)) as emu:
        await _open(page, emu.ui_url)
        # Names and contexts are shown as text, never run as markup.
        name = '<img src=x onerror="window.pwned=1">'
        await page.fill("#room-name", name)
        await page.uncheck("#room-recording")
        await page.click("#create-room-form button")
        await expect(page.locator("#rooms tbody tr[data-room] td").first).to_have_text(name)
        await _join(page, "<b>Carol</b>")
        carol = _participant(page, "<b>Carol</b>")
        await carol.get_by_role("button", name="Kick").click()
        await expect(carol.locator("td").nth(3)).to_contain_text("(kicked)")
        await expect(page.locator("#sessions .session")).to_contain_text("ended")
        assert await page.evaluate("window.pwned") is None
        assert len(emu.webhook_deliveries) == 0  # the room has no webhook URL

        await page.fill("#faults-json", '{"error_rate": 1, "methods": ["POST"], "seed": 5}')
        await page.click("#faults-form button")
        await expect(page.locator("#faults-active")).to_have_text(
            '{"error_rate":1,"methods":["POST"],"seed":5}'
        )
        assert emu._core.faults.config.error_rate == 1
        await page.click("#create-room-form button")  # POST /v2/rooms: an injected 5xx
        await expect(page.locator("#status")).to_contain_text("Injected fault")
        await expect(page.locator("#fault-stats")).to_contain_text("1 faults injected (error 1)")
        await page.click("#faults-clear")
        await expect(page.locator("#faults-active")).to_have_text("none")

        await page.fill("#faults-json", '{"error_rate": 2}')
        await page.click("#faults-form button")
        await expect(page.locator("#status")).to_contain_text("error_rate must be between 0 and 1")

        await page.fill("#advance-seconds", "3600")
        await page.click("#advance-form button")
        await expect(page.locator("#now")).to_have_text("2026-03-02 13:00:00 UTC")
        await page.click("#reset")
        await expect(page.locator("#rooms tbody tr[data-room]")).to_have_count(0)
        await expect(page.locator("#now")).to_have_text("2026-03-02 12:00:00 UTC")
        assert emu.now() == START


async def test_the_control_token_comes_from_the_fragment_or_a_prompt(browser: Browser) -> None:
    from playwright.async_api import expect

    async with Emulator(api_key=API_KEY, clock=Clock(START), control_token=TOKEN) as emu:
        context = await browser.new_context()
        try:
            page = await context.new_page()
            sent: list[str] = []
            page.on("request", lambda r: sent.append(r.url))
            await _open(page, f"{emu.ui_url}#token={TOKEN}")
            assert page.url == emu.ui_url  # the fragment is dropped from the address bar
            assert await page.evaluate("Object.values(sessionStorage)") == [TOKEN]
            await page.fill("#room-name", "guarded")
            await page.click("#create-room-form button")
            await expect(page.locator("#rooms")).to_contain_text("guarded")
            assert sent
            assert not any(TOKEN in url for url in sent)

            asked = await context.new_page()  # another tab: its own session storage
            prompts: list[str] = []

            async def answer(dialog) -> None:  # type: ignore[no-untyped-def]
                prompts.append(dialog.message)
                await dialog.accept(TOKEN)

            asked.on("dialog", answer)
            await _open(asked, emu.ui_url)
            await expect(asked.locator("#rooms")).to_contain_text("guarded")
            assert prompts == ["This emulator needs its control token:"]
        finally:
            await context.close()

        context = await browser.new_context()
        try:
            declined = await context.new_page()
            answers = [None, TOKEN]  # first cancel the prompt, then give the token

            async def reply(dialog) -> None:  # type: ignore[no-untyped-def]
                answer = answers.pop(0)
                await (dialog.dismiss() if answer is None else dialog.accept(answer))

            declined.on("dialog", reply)
            await declined.goto(emu.ui_url)
            await expect(declined.locator("#live")).to_have_text("needs the control token")
            await expect(declined.locator("#rooms")).not_to_contain_text("guarded")
            await declined.get_by_role("button", name="Enter the control token").click()
            await expect(declined.locator("#live")).to_have_text("live")
            await expect(declined.locator("#rooms")).to_contain_text("guarded")
            assert answers == []  # asked twice, no more
        finally:
            await context.close()


async def _serve(html: str) -> tuple[web.AppRunner, str]:
    """A page of another origin (127.0.0.1, another port: same-site, not same-origin)."""

    async def index(request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", index)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/"


async def test_other_pages_can_neither_frame_nor_drive_the_emulator(page: Page) -> None:
    from playwright.async_api import expect

    async with (
        Emulator(api_key=API_KEY, clock=Clock(START)) as emu,
        AsyncVideoClient(API_KEY, base_url=emu.base_url) as client,
    ):
        await client.rooms.create(unique_name="precious")
        root = emu.root_url
        html = f"""<!doctype html><title>elsewhere</title>
<iframe id="framed" src="{emu.ui_url}"></iframe>
<script>
  const report = (key, value) => {{ document.body.dataset[key] = value; }};
  fetch("{root}/_emulator/reset", {{method: "POST", mode: "no-cors"}})
    .then(() => report("reset", "sent"), () => report("reset", "failed"));
  fetch("{root}/_emulator/info")
    .then((r) => r.text()).then((t) => report("info", t), () => report("info", "blocked"));
  fetch("{root}/_emulator/snapshot", {{mode: "no-cors"}})
    .then(() => report("snapshot", "sent"), () => report("snapshot", "failed"));
</script>"""
        runner, url = await _serve(html)
        try:
            await page.goto(url)
            body = page.locator("body")
            await expect(body).to_have_attribute("data-reset", "sent")
            await expect(body).to_have_attribute("data-info", "blocked")
            await expect(body).to_have_attribute("data-snapshot", "sent")
            framed = page.frame_locator("#framed")
            await expect(framed.locator("body")).to_contain_text("refuses requests made by web")
            await expect(framed.locator("#live")).to_have_count(0)  # no dashboard in a frame
        finally:
            await runner.cleanup()
        assert [r.unique_name async for r in client.rooms.list()] == ["precious"]
        assert emu.fault_stats.requests_seen == 2  # the two calls above, nothing else


def _start_emulator_command() -> tuple[subprocess.Popen[bytes], str]:
    """``telnyx-video emulator --port 0``; its dashboard URL, once it prints it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELNYX_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "telnyx_video", "emulator", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        bufsize=0,  # unbuffered: what select() says is there, readline() gets
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while selector.select(max(0.0, deadline - time.monotonic())):
            line = process.stdout.readline().decode()
            if not line:
                break  # the command exited
            if line.startswith("Dashboard: "):
                return process, line.split()[1]
    process.kill()
    raise AssertionError(f"no dashboard URL printed: {process.communicate(timeout=10)}")


async def test_done_when_the_demo_replayed_on_a_running_emulator_shows_live(
    page: Page, artifacts: Path
) -> None:
    """Issue 15's "done when": with ``telnyx-video emulator`` running and the demo's
    lifecycle replayed against it, the page shows every room by its unique_name, every
    participant by its context and every webhook delivery by its event type, without
    reloading."""
    from playwright.async_api import expect

    process, ui_url = await asyncio.to_thread(_start_emulator_command)
    try:
        root = ui_url.removesuffix("/_emulator/ui")
        navigations: list[str] = []
        page.on("framenavigated", lambda frame: navigations.append(frame.url))
        await _open(page, ui_url)
        await expect(page.locator("#rooms tbody tr[data-room]")).to_have_count(0)

        out = io.StringIO()
        await demo(out, json_lines=True, emulator_url=root)
        steps = [json.loads(line) for line in out.getvalue().splitlines()]
        name = next(s["unique_name"] for s in steps if "unique_name" in s)
        async with (
            aiohttp.ClientSession() as http,
            http.get(root + "/_emulator/webhooks") as resp,
        ):
            log = (await resp.json())["data"]

        rooms = page.locator("#rooms tbody tr[data-room]")
        await expect(rooms).to_have_count(1)
        await expect(rooms).to_contain_text(name)
        for context in ("Alice", "Bob"):
            await expect(_participant(page, context)).to_have_count(1)
        rows = page.locator("#webhooks tbody tr[data-event]")
        await expect(rows).to_have_count(len(log))
        for event_type in {d["event_type"] for d in log}:
            count = sum(d["event_type"] == event_type for d in log)
            await expect(rows.filter(has_text=event_type)).to_have_count(count)
        await expect(page.locator("#compositions")).to_contain_text("completed")
        assert navigations == [ui_url]  # one load, then live updates only
        await page.screenshot(path=str(artifacts / "dashboard-demo.png"), full_page=True)
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.to_thread(process.communicate, timeout=30)
    assert process.returncode == 0


async def test_the_page_loads_nothing_from_elsewhere(page: Page) -> None:
    async with Emulator(api_key=API_KEY, clock=Clock(START)) as emu:
        loaded: list[str] = []
        page.on("request", lambda r: loaded.append(r.url))
        await _open(page, emu.ui_url)
        origins = {url.split("/")[2] for url in loaded}
        assert origins == {emu.root_url.removeprefix("http://")}, loaded
        assert {url.rsplit("/", 1)[1].split("?")[0] for url in loaded} >= {
            "ui",
            "dashboard.js",
            "dashboard.css",
            "snapshot",
        }
