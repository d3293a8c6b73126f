"""The dashboard's server side, over HTTP: the page and its headers, who may load and drive it
(the same-origin rule), ``GET /_emulator/info`` and the snapshot the page draws."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from _receiver import Receiver, verify_signature

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import Clock, Emulator, EmulatorThread

from .support import API_KEY, START

TOKEN = "dashboard-secret"
ASSETS = {
    "/_emulator/ui": "text/html",
    "/_emulator/ui/dashboard.js": "text/javascript",
    "/_emulator/ui/dashboard.css": "text/css",
    "/_emulator/ui/favicon.svg": "image/svg+xml",
}


def _origin(emu: Emulator) -> str:
    return emu.root_url  # http://127.0.0.1:<port>, the Origin a browser sends for the page


def _same_origin(emu: Emulator, **more: str) -> dict[str, str]:
    return {"Origin": _origin(emu), "Sec-Fetch-Site": "same-origin", **more}


async def _get_json(http: aiohttp.ClientSession, url: str, **kw: Any) -> Any:
    async with http.get(url, **kw) as resp:
        assert resp.status == 200, await resp.text()
        return (await resp.json())["data"]


@pytest.fixture
async def guarded() -> AsyncIterator[Emulator]:
    async with Emulator(api_key=API_KEY, clock=Clock(START), control_token=TOKEN) as emulator:
        yield emulator


# -- the page ---------------------------------------------------------------------------------


async def test_ui_url_names_the_page(emu: Emulator) -> None:
    assert emu.ui_url == emu.root_url + "/_emulator/ui"
    with EmulatorThread(api_key=API_KEY) as thread:
        assert thread.ui_url == thread.root_url + "/_emulator/ui"


@pytest.mark.parametrize(("path", "content_type"), ASSETS.items())
async def test_page_and_files_refuse_framing_and_foreign_code(
    emu: Emulator, http: aiohttp.ClientSession, path: str, content_type: str
) -> None:
    async with http.get(emu.root_url + path) as resp:
        assert resp.status == 200
        assert resp.content_type == content_type
        body = await resp.read()
        headers = resp.headers
    assert body
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    csp = dict(
        ([*part.split(" ", 1), ""])[:2]
        for part in (p.strip() for p in headers["Content-Security-Policy"].split(";"))
    )
    assert csp["frame-ancestors"] == "'none'"
    assert csp["default-src"] == "'none'"
    for directive in ("script-src", "style-src", "connect-src"):
        assert csp[directive] == "'self'"  # no inline code, no other origin


async def test_page_is_self_contained(emu: Emulator, http: aiohttp.ClientSession) -> None:
    async with http.get(emu.ui_url) as resp:
        html = await resp.text()
    linked = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert len(linked) == 3  # the icon, the style sheet, the script
    assert all(url.startswith("/_emulator/ui/") for url in linked), linked
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script
    assert not re.search(r"\son\w+=|\sstyle=", html)  # no inline handlers or styles
    async with http.get(emu.ui_url + "/dashboard.js") as resp:
        script = await resp.text()
    # Text from the emulator goes in as text only, and no string becomes code.
    assert not re.search(r"\.innerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(", script)


async def test_page_needs_no_control_token_but_its_data_does(
    guarded: Emulator, http: aiohttp.ClientSession
) -> None:
    async with http.get(guarded.ui_url, headers={"Sec-Fetch-Site": "none"}) as resp:
        assert resp.status == 200  # the page holds no secret
    async with http.get(guarded.root_url + "/_emulator/info") as resp:
        assert resp.status == 401
    async with http.get(
        guarded.root_url + "/_emulator/snapshot", headers=_same_origin(guarded)
    ) as resp:
        assert resp.status == 401
    # The control token travels in the Authorization header only, never in the query.
    async with http.get(guarded.root_url + f"/_emulator/info?token={TOKEN}") as resp:
        assert resp.status == 401
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    info = await _get_json(http, guarded.root_url + "/_emulator/info", headers=bearer)
    assert info["api_key"] == API_KEY


# -- who may drive the emulator from a browser ------------------------------------------------


async def test_the_emulators_own_page_may_read_and_drive_it(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    await client.rooms.create(unique_name="kept-until-reset")
    snapshot = await _get_json(
        http, emu.root_url + "/_emulator/snapshot", headers=_same_origin(emu)
    )
    assert [r["unique_name"] for r in snapshot["rooms"]] == ["kept-until-reset"]
    # A same-origin GET carries no Origin: Sec-Fetch-Site alone.
    fetch_get = {"Sec-Fetch-Site": "same-origin"}
    await _get_json(http, emu.root_url + "/_emulator/info", headers=fetch_get)
    async with http.post(emu.root_url + "/_emulator/reset", headers=_same_origin(emu)) as resp:
        assert resp.status == 200, await resp.text()
    assert [r async for r in client.rooms.list()] == []


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Sec-Fetch-Site": "same-site"}, id="another port of the host"),
        pytest.param({"Sec-Fetch-Site": "cross-site"}, id="another site"),
        pytest.param({"Sec-Fetch-Site": "same-origin", "Origin": "null"}, id="opaque origin"),
        pytest.param(
            {"Sec-Fetch-Site": "same-origin", "Origin": "http://127.0.0.1:1"}, id="other port"
        ),
        pytest.param(
            {"Sec-Fetch-Site": "same-origin", "Origin": "https://{host}"}, id="other scheme"
        ),
        pytest.param({"Origin": "http://{host}"}, id="origin without fetch metadata"),
        pytest.param({"Sec-Fetch-Site": "cross-site", "Origin": "http://{host}"}, id="framed"),
    ],
)
async def test_other_web_pages_are_refused(
    emu: Emulator,
    client: AsyncVideoClient,
    http: aiohttp.ClientSession,
    headers: dict[str, str],
) -> None:
    host = emu.root_url.removeprefix("http://")
    headers = {k: v.format(host=host) for k, v in headers.items()}
    await client.rooms.create()
    for method, path in (("POST", "reset"), ("GET", "info"), ("GET", "snapshot"), ("GET", "ui")):
        async with http.request(method, f"{emu.root_url}/_emulator/{path}", headers=headers) as r:
            assert r.status == 403, (path, await r.text())
            (error,) = (await r.json())["errors"]
            assert "web page" in error["detail"]
    assert len([r async for r in client.rooms.list()]) == 1  # nothing was reset


async def test_same_origin_needs_a_loopback_host_even_when_serving_any_host(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """A page rebinding its own name to the emulator is same-origin with itself: on an
    emulator bound to a public address (which answers any ``Host``), its requests must
    still be refused, or it could read the API key."""
    emu._core.any_host = True  # as bound to a public address, without opening one here
    port = emu.root_url.rsplit(":", 1)[1]
    rebound = {
        "Host": f"attacker.example:{port}",
        "Origin": f"http://attacker.example:{port}",
        "Sec-Fetch-Site": "same-origin",
    }
    for headers in (rebound, {k: v for k, v in rebound.items() if k != "Origin"}):
        async with http.get(emu.root_url + "/_emulator/info", headers=headers) as resp:
            assert resp.status == 403
    localhost = {"Host": f"localhost:{port}", "Origin": f"http://localhost:{port}"}
    async with http.get(
        emu.root_url + "/_emulator/info", headers={**localhost, "Sec-Fetch-Site": "same-origin"}
    ) as resp:
        assert resp.status == 200


# -- /_emulator/info and the snapshot ------------------------------------------------------------


async def test_info_tells_a_control_client_how_to_call_the_api(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    async with http.get(emu.root_url + "/_emulator/info") as resp:
        assert resp.headers["Cache-Control"] == "no-store"
        info = (await resp.json())["data"]
    assert info == {
        "base_url": emu.base_url,
        "api_key": API_KEY,
        "webhook_public_key": emu.webhook_public_key,
    }
    headers = {"Authorization": f"Bearer {info['api_key']}"}
    async with http.get(info["base_url"] + "/rooms", headers=headers) as resp:
        assert resp.status == 200


async def test_snapshot_of_a_whole_lifecycle(
    emu: Emulator,
    client: AsyncVideoClient,
    http: aiohttp.ClientSession,
    receiver: Receiver,
) -> None:
    snapshot_url = emu.root_url + "/_emulator/snapshot"
    empty = await _get_json(http, snapshot_url)
    assert {k: v for k, v in empty.items() if k not in ("now", "faults")} == {
        "rooms": [],
        "sessions": [],
        "participants": [],
        "recordings": [],
        "compositions": [],
        "webhooks": [],
        "webhooks_total": 0,
    }
    assert empty["now"] == "2026-03-02T12:00:00Z"
    assert empty["faults"]["active"] == {}

    room = await client.rooms.create(
        unique_name="standup", enable_recording=True, webhook_event_url=receiver.url()
    )
    token = await client.rooms.generate_join_client_token(room.id)
    alice = await emu.join(room.id, token.token, context="Alice")
    bob = await emu.join(room.id, token.token, context="Bob")
    session_id = (await client.rooms.retrieve(room.id)).active_session_id
    assert session_id is not None
    await client.room_sessions.mute(session_id, participants=[alice.id])
    await emu.advance(30)
    await emu.leave(bob.id)
    mid = await _get_json(http, snapshot_url)
    (session,) = mid["sessions"]
    assert session["active"] is True
    (room_json,) = mid["rooms"]
    assert (room_json["unique_name"], room_json["active_session_id"]) == ("standup", session_id)
    people = {p["context"]: p for p in mid["participants"]}
    assert people["Alice"]["muted"] is True
    assert people["Alice"]["left_at"] is None
    assert people["Bob"]["muted"] is False
    assert (people["Bob"]["left_reason"], people["Bob"]["left_at"]) == (
        "left",
        "2026-03-02T12:00:30Z",
    )

    await client.room_sessions.end(session_id)
    await emu.advance(10)  # recordings complete
    composition = await client.room_compositions.create(
        session_id=session_id, webhook_event_url=receiver.url()
    )
    await emu.advance(60)  # the composition completes
    # session started, 2 x (joined, 2 recordings started), 2 x left, session ended,
    # 4 recordings completed, composition completed
    events = 1 + 2 * 3 + 2 + 1 + 4 + 1
    await emu.wait_for_webhooks(events)
    done = await _get_json(http, snapshot_url)
    assert done["now"] == "2026-03-02T12:01:40Z"
    assert [p["left_reason"] for p in done["participants"]] == ["session_ended", "left"]
    assert {(r["status"], r["participant_id"]) for r in done["recordings"]} == {
        ("completed", alice.id),
        ("completed", bob.id),
    }
    assert all(r["download_url"].startswith(emu.root_url) for r in done["recordings"])
    (comp,) = done["compositions"]
    assert (comp["id"], comp["status"]) == (composition.id, "completed")

    deliveries = done["webhooks"]
    assert done["webhooks_total"] == len(deliveries) == events
    assert [d["event_type"] for d in deliveries[:2]] == [
        "video.room.session.started",
        "video.room.participant.joined",
    ]
    assert deliveries[-1]["event_type"] == "video.room.composition.completed"
    for delivery in deliveries:
        assert delivery["room_id"] == room.id
        assert delivery["url"] == receiver.url()
        assert (delivery["outcome"], delivery["status"]) == ("delivered", 200)
        assert delivery["signature_verified"] is True
        assert delivery["latency_ms"] > 0
        verify_signature(emu.webhook_public_key, delivery["headers"], delivery["body"].encode())

    latest = await _get_json(http, snapshot_url + "?webhooks=2")
    assert latest["webhooks"] == deliveries[-2:]
    assert latest["webhooks_total"] == events
    assert (await _get_json(http, snapshot_url + "?webhooks=0"))["webhooks"] == []
    more = await _get_json(http, snapshot_url + "?webhooks=1000")
    assert more["webhooks"] == deliveries


@pytest.mark.parametrize("value", ["-1", "two", "1.5", "", "9999999999", "\u0661"])
async def test_snapshot_refuses_a_bad_webhook_limit(
    emu: Emulator, http: aiohttp.ClientSession, value: str
) -> None:
    async with http.get(emu.root_url + "/_emulator/snapshot", params={"webhooks": value}) as r:
        assert r.status == 400
        (error,) = (await r.json())["errors"]
    assert error["source"] == {"parameter": "webhooks"}


async def test_snapshot_shows_the_active_faults(emu: Emulator, http: aiohttp.ClientSession) -> None:
    faults_url = emu.root_url + "/_emulator/faults"
    settings = {"error_rate": 0.25, "methods": ["POST"], "seed": 3}
    async with http.post(faults_url, json=settings) as resp:
        assert resp.status == 200
        assert (await resp.json())["data"]["active"] == settings
    snapshot = await _get_json(http, emu.root_url + "/_emulator/snapshot")
    assert snapshot["faults"]["active"] == settings
    assert snapshot["faults"]["config"]["error_rate"] == 0.25
    async with http.post(faults_url, json={}) as resp:
        assert (await resp.json())["data"]["active"] == {}


async def test_delivery_log_records_what_was_never_sent_and_what_failed(
    emu: Emulator, client: AsyncVideoClient, receiver: Receiver
) -> None:
    receiver.statuses["/down"] = 503
    elsewhere = await client.rooms.create(webhook_event_url="https://example.com/hooks")
    down = await client.rooms.create(webhook_event_url=receiver.url("/down"))
    for room in (elsewhere, down):
        token = await client.rooms.generate_join_client_token(room.id)
        await emu.join(room.id, token.token)
    records = await emu.wait_for_webhooks(3, outcome=None)
    by_room = {r.room_id: r for r in records}
    skipped, failed = by_room[elsewhere.id], by_room[down.id]
    assert (skipped.outcome, skipped.latency_ms, skipped.signature_verified) == (
        "skipped",
        None,
        True,
    )
    assert (failed.outcome, failed.status, failed.signature_verified) == ("failed", 503, True)
    assert failed.latency_ms is not None
    assert failed.latency_ms > 0


async def test_signature_verified_checks_the_signature(
    emu: Emulator, client: AsyncVideoClient
) -> None:
    """A dispatcher whose signatures do not match its public key records them as unverified."""
    bad = base64.b64encode(bytes(64)).decode()
    emu._core.webhooks.sign = lambda body, timestamp: bad  # type: ignore[method-assign]
    room = await client.rooms.create(webhook_event_url="https://example.com/hooks")
    token = await client.rooms.generate_join_client_token(room.id)
    await emu.join(room.id, token.token)
    records = await emu.wait_for_webhooks(2, outcome=None)
    assert [r.signature_verified for r in records] == [False, False]
