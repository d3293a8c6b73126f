"""Who may drive the emulator: loopback peers only, and with a control token when set."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import Clock, Emulator, EmulatorThread

from .support import API_KEY, START

TOKEN = "control-secret"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _peer_as(
    address: str | None,
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """Middleware that makes requests look as if they came from ``address`` (as behind a
    proxy that restores the client address)."""

    @web.middleware
    async def spoof(request: web.Request, handler: Handler) -> web.StreamResponse:
        return await handler(request.clone(remote=address))

    return spoof


@pytest.fixture
async def guarded() -> AsyncIterator[Emulator]:
    async with Emulator(api_key=API_KEY, clock=Clock(START), control_token=TOKEN) as emulator:
        yield emulator


async def _status(
    http: aiohttp.ClientSession, method: str, url: str, token: str | None = None, **kw: object
) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with http.request(method, url, headers=headers, **kw) as resp:  # type: ignore[arg-type]
        await resp.read()
        if resp.status == 401:
            assert resp.headers["WWW-Authenticate"] == "Bearer"
        return resp.status


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),  # an IPv4 client of a dual-stack socket
        ("fe80::1%eth0", False),
        ("10.1.2.3", False),
        ("192.0.2.7", False),
        ("::ffff:10.1.2.3", False),
        ("2001:db8::1", False),
        ("not-an-address", False),
        ("", False),  # e.g. a unix socket: no peer address to trust
    ],
)
async def test_control_api_answers_loopback_peers_only(address: str, allowed: bool) -> None:
    emu = Emulator(api_key=API_KEY, clock=Clock(START))
    emu.app.middlewares.insert(0, _peer_as(address))
    async with emu, aiohttp.ClientSession() as http:
        status = await _status(
            http, "POST", emu.root_url + "/_emulator/clock/advance", json={"seconds": 5}
        )
        if allowed:
            assert status == 200
            assert (emu.now() - START).total_seconds() == 5
        else:
            assert status == 403
            assert emu.now() == START  # refused before doing anything
            for method, path in (("POST", "reset"), ("GET", "webhooks"), ("GET", "faults")):
                assert await _status(http, method, f"{emu.root_url}/_emulator/{path}") == 403
        # The API itself is not restricted by address (only by API key).
        headers = {"Authorization": f"Bearer {API_KEY}"}
        async with http.get(emu.base_url + "/rooms", headers=headers) as resp:
            assert resp.status == 200


async def test_control_token_required_when_set(guarded: Emulator) -> None:
    control = guarded.root_url + "/_emulator/"
    async with aiohttp.ClientSession() as http:
        for method, path in (
            ("GET", "clock"),
            ("POST", "reset"),
            ("GET", "webhooks"),
            ("GET", "webhook_public_key"),
            ("GET", "faults"),
            ("POST", "faults"),
            ("POST", "rooms/x/join"),
            ("POST", "participants/x/leave"),
        ):
            assert await _status(http, method, control + path) == 401, path
            assert await _status(http, method, control + path, token="wrong") == 401, path
            assert await _status(http, method, control + path, token=API_KEY) == 401, path
        async with http.post(control + "clock/advance", json={"seconds": 60}) as resp:
            assert resp.status == 401
            body = await resp.json()
            assert body["errors"][0]["code"] == "10009"
            assert TOKEN not in await resp.text()
        assert guarded.now() == START
        assert await _status(http, "GET", control + "clock", token=TOKEN) == 200
        status = await _status(
            http, "POST", control + "clock/advance", token=TOKEN, json={"seconds": 60}
        )
        assert status == 200
        assert (guarded.now() - START).total_seconds() == 60
        async with http.get(control + "faults", headers={"Authorization": "bearer " + TOKEN}) as r:
            assert r.status == 200  # the scheme is case-insensitive, like the API's
        # Media downloads (the download_url of recordings) stay token-free, as pre-signed
        # URLs are: a missing one is a 404, not a 401.
        assert await _status(http, "GET", control + "media/recordings/nope") == 404
        # The API keeps its own key; the control token is not an API key.
        assert await _status(http, "GET", guarded.base_url + "/rooms", token=TOKEN) == 401
        assert await _status(http, "GET", guarded.base_url + "/rooms", token=API_KEY) == 200


async def test_in_process_control_needs_no_token(guarded: Emulator) -> None:
    async with AsyncVideoClient(api_key=guarded.api_key, base_url=guarded.base_url) as client:
        room = await client.rooms.create()
        tokens = await client.rooms.generate_join_client_token(room.id)
    participant = await guarded.join(room.id, tokens.token)
    await guarded.advance(1)
    await guarded.leave(participant.id)
    await guarded.reset()


def test_control_token_must_be_a_non_empty_string() -> None:
    for bad in ("", "  ", 5):
        with pytest.raises(ValueError, match="control_token"):
            Emulator(control_token=bad)  # type: ignore[arg-type]
    assert TOKEN not in repr(Emulator(control_token=TOKEN))


def _get(url: str, token: str | None = None) -> int:
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def test_emulator_thread_passes_the_control_token() -> None:
    with EmulatorThread(api_key=API_KEY, control_token=TOKEN) as emu:
        assert _get(emu.root_url + "/_emulator/clock") == 401
        assert _get(emu.root_url + "/_emulator/clock", TOKEN) == 200
        emu.advance(1)  # the blocking methods call the emulator directly


@pytest.mark.parametrize("entry", [["telnyx_video", "emulator"], ["telnyx_video.emulator"]])
@pytest.mark.parametrize("source", ["flag", "env"])
def test_cli_control_token(source: str, entry: list[str]) -> None:
    args = [sys.executable, "-m", *entry, "--port", "0", "--api-key", "cli-key"]
    env = dict(os.environ)
    env.pop("TELNYX_EMULATOR_CONTROL_TOKEN", None)
    if source == "flag":
        args += ["--control-token", TOKEN]
    else:
        env["TELNYX_EMULATOR_CONTROL_TOKEN"] = TOKEN
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().rsplit(" ", 1)[1].strip()
        control_line = process.stdout.readline()
        assert "needs the control token" in control_line
        assert TOKEN not in control_line
        root = base_url.removesuffix("/v2")
        assert _get(root + "/_emulator/clock") == 401
        assert _get(root + "/_emulator/clock", TOKEN) == 200
        assert _get(base_url + "/rooms", "cli-key") == 200
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        if process.stdout is not None:
            process.stdout.close()


def test_cli_refuses_a_blank_control_token() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "telnyx_video.emulator", "--control-token", "   "],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "control_token" in result.stderr
    assert "Traceback" not in result.stderr


async def test_no_not_app_key_warning(emu: Emulator, client: AsyncVideoClient) -> None:
    # Every route family (API, control, media, errors) runs without aiohttp's
    # NotAppKeyWarning (str keys on the app or on requests).
    with warnings.catch_warnings():
        warnings.simplefilter("error", web.NotAppKeyWarning)
        room = await client.rooms.create()
        await client.rooms.retrieve(room.id)
        async with aiohttp.ClientSession() as http:
            for path in ("clock", "faults", "webhooks", "media/recordings/x"):
                async with http.get(f"{emu.root_url}/_emulator/{path}") as resp:
                    assert resp.status in (200, 404)
            async with http.get(emu.base_url + "/nowhere") as resp:
                assert resp.status == 401  # unknown routes ask for the key first


# -- web pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:3000", "Content-Type": "application/json"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
@pytest.mark.parametrize("data", [None, b"x", b"{}"])
async def test_control_api_refuses_web_pages(
    emu: Emulator,
    client: AsyncVideoClient,
    http: aiohttp.ClientSession,
    headers: dict[str, str],
    data: bytes | None,
) -> None:
    room = await client.rooms.create()
    async with http.post(emu.root_url + "/_emulator/reset", data=data, headers=headers) as resp:
        assert resp.status == 403, await resp.text()
        (error,) = (await resp.json())["errors"]
    assert "web page" in error["detail"]
    assert (await client.rooms.retrieve(room.id)).id == room.id  # nothing was reset
    async with http.get(emu.root_url + "/_emulator/webhooks", headers=headers) as resp:
        assert resp.status == 403


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("reset", "text/plain"),
        ("reset", "application/x-www-form-urlencoded"),
        ("reset", "multipart/form-data; boundary=x"),
        ("participants/{pid}/leave", "text/plain"),
        ("clock/advance", "text/plain"),
    ],
)
async def test_control_posts_with_a_body_must_be_json(
    emu: Emulator,
    client: AsyncVideoClient,
    http: aiohttp.ClientSession,
    path: str,
    content_type: str,
) -> None:
    room = await client.rooms.create()
    tokens = await client.rooms.generate_join_client_token(room.id)
    participant = await emu.join(room.id, tokens.token)
    url = emu.root_url + "/_emulator/" + path.format(pid=participant.id)
    body = b'{"seconds": 60}'
    async with http.post(url, data=body, headers={"Content-Type": content_type}) as resp:
        assert resp.status == 415, await resp.text()
    assert emu.now() == START
    (still,) = [p async for p in client.room_participants.list()]
    assert still.left_at is None


async def test_control_api_still_serves_tools_and_media(
    emu: Emulator, client: AsyncVideoClient, http: aiohttp.ClientSession
) -> None:
    root = emu.root_url + "/_emulator/"
    room = await client.rooms.create(enable_recording=True)
    tokens = await client.rooms.generate_join_client_token(room.id)
    async with http.post(
        root + f"rooms/{room.id}/join",
        json={"token": tokens.token},
        headers={"Sec-Fetch-Site": "none"},
    ) as resp:
        assert resp.status == 201
        participant = (await resp.json())["data"]
    async with http.post(root + f"participants/{participant['id']}/leave") as resp:  # no body
        assert resp.status == 200
    async with http.post(root + "clock/advance", json={"seconds": 60}) as resp:
        assert resp.status == 200
    (recording, _) = [r async for r in client.room_recordings.list()]
    # A page may embed a media download_url: those stay open, like pre-signed URLs.
    headers = {"Origin": "http://127.0.0.1:3000", "Sec-Fetch-Site": "cross-site"}
    async with http.get(recording.download_url, headers=headers) as resp:
        assert resp.status == 200
    async with http.post(root + "reset") as resp:  # curl -X POST, no body
        assert resp.status == 200
    assert [r async for r in client.rooms.list()] == []
