"""examples/webhooks_{fastapi,django,flask}.py, run as the guide says, fed by the emulator.

Each example runs as a subprocess on a loopback port with two keys (the emulator's, and a test
signer's, as during a key rotation). The emulator delivers a room's events to it; the test then
replays, tampers with and forges deliveries. The example must print exactly one line per
verified event, and answer 400 to every forgery.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import Emulator

from .webhook_support import Signer, event_body

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "webhooks.md"
FRAMEWORKS = ["fastapi", "django", "flask"]


def example(framework: str) -> Path:
    return ROOT / "examples" / f"webhooks_{framework}.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Running:
    """An example's process, its URL, and its stdout read line by line."""

    def __init__(self, process: asyncio.subprocess.Process, port: int, stderr: Path) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}/webhooks"
        self.port = port
        self.stderr = stderr

    def log(self) -> str:
        return self.stderr.read_text(errors="replace")

    async def wait_until_serving(self) -> None:
        """Poll the port until the server accepts connections (or the process dies)."""
        async with asyncio.timeout(60):
            while True:
                if self.process.returncode is not None:
                    pytest.fail(f"the example exited ({self.process.returncode}):\n{self.log()}")
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                except OSError:
                    await asyncio.sleep(0.05)  # poll interval, not a synchronization
                    continue
                writer.close()
                await writer.wait_closed()
                return

    async def lines(self, count: int) -> list[str]:
        assert self.process.stdout is not None
        lines: list[str] = []
        async with asyncio.timeout(30):
            while len(lines) < count:
                line = await self.process.stdout.readline()
                assert line, f"the example's stdout closed early:\n{self.log()}"
                lines.append(line.decode().rstrip("\n"))
        return lines

    async def stop(self) -> str:
        """Ctrl-C the example; the rest of its stdout."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            rest, _ = await self.process.communicate()
        return rest.decode()


Start = Callable[..., Awaitable[Running]]
"""start(framework, *public_keys) -> the example, serving."""


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(api_key="examples-key") as emu:
        yield emu


@pytest.fixture
async def run_example(tmp_path: Path) -> AsyncIterator[Start]:
    running: list[Running] = []

    async def start(framework: str, *keys: str) -> Running:
        port = free_port()
        stderr = tmp_path / f"{framework}.stderr"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TELNYX_")}
        env["PYTHONUNBUFFERED"] = "1"
        arguments = [arg for key in keys for arg in ("--public-key", key)]
        with stderr.open("wb") as err:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(example(framework)),
                "--port",
                str(port),
                *arguments,
                stdout=asyncio.subprocess.PIPE,
                stderr=err,
                env=env,
                cwd=tmp_path,
            )
        run = Running(process, port, stderr)
        running.append(run)
        await run.wait_until_serving()
        return run

    yield start
    for run in running:
        await run.stop()


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_example_prints_each_verified_event_and_refuses_forgeries(
    framework: str,
    emulator: Emulator,
    run_example: Start,
    signer: Signer,
    other_signer: Signer,
) -> None:
    emu = emulator
    run = await run_example(framework, emu.webhook_public_key, signer.public_key)

    # 1. a room's life, delivered and signed by the emulator
    async with AsyncVideoClient(api_key=emu.api_key, base_url=emu.base_url) as client:
        room = await client.rooms.create(webhook_event_url=run.url)
        token = await client.rooms.generate_join_client_token(room.id)
        alice = await emu.join(room.id, token.token, context="Alice")
        bob = await emu.join(room.id, token.token, context="Bob")
        await emu.leave(bob.id)
        await emu.leave(alice.id)
    deliveries = await emu.wait_for_webhooks(6, timeout=30)
    assert [d.status for d in deliveries] == [204] * 6, run.log()
    expected = [d.event_type for d in deliveries]
    assert expected == [
        "video.room.session.started",
        "video.room.participant.joined",
        "video.room.participant.joined",
        "video.room.participant.left",
        "video.room.participant.left",
        "video.room.session.ended",
    ]
    assert await run.lines(6) == expected

    # 2. replays, tampering and forgeries; then one genuine event under the second key
    first = deliveries[0]
    tampered = first.body.replace(room.id.encode(), b"00000000-0000-0000-0000-000000000000")
    assert tampered != first.body
    fresh = event_body(
        "video.room.recording.started",
        {
            "recording_id": "rec",
            "participant_id": alice.id,
            "room_id": room.id,
            "session_id": alice.session_id,
            "type": "audio",
        },
    )
    cases: list[tuple[str, bytes, dict[str, str], int, str]] = [
        ("replayed delivery", first.body, first.headers, 204, ""),
        ("tampered body", tampered, first.headers, 400, "signature_mismatch"),
        ("unknown key", fresh, other_signer.headers(fresh), 400, "signature_mismatch"),
        ("stale", fresh, signer.headers(fresh, 1_700_000_000), 400, "stale_timestamp"),
        ("unsigned", fresh, {"content-type": "application/json"}, 400, "missing_header"),
        ("genuine, second key", fresh, signer.headers(fresh), 204, ""),
        ("its redelivery", fresh, signer.headers(fresh), 204, ""),
    ]
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        for name, body, headers, status, reason in cases:
            async with session.post(run.url, data=body, headers=headers) as response:
                text = await response.text()
                assert response.status == status, (name, text, run.log())
                assert reason in text, name
        async with session.get(run.url) as response:
            assert response.status == 405
    # the only line printed since: the genuine event's (forgeries and duplicates print none)
    assert await run.lines(1) == ["video.room.recording.started"]
    assert await run.stop() == ""
    assert run.process.returncode == 0, run.log()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_guide_shows_the_example_verbatim(framework: str) -> None:
    blocks = re.findall(r"^```python\n(.*?)^```$", GUIDE.read_text(), flags=re.S | re.M)
    assert example(framework).read_text() in blocks
