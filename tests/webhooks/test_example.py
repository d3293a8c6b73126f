"""examples/webhook_receiver.py: the guide shows it verbatim, and it works."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import os
import re
import signal
import sys
from pathlib import Path
from types import ModuleType

import aiohttp
import pytest

from .conftest import Serve
from .webhook_support import Signer, spec_examples

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "webhook_receiver.py"
GUIDE = ROOT / "docs" / "webhooks.md"
EXAMPLES = spec_examples()


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("webhook_receiver_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def delivery(event_type: str) -> bytes:
    return json.dumps({"data": EXAMPLES[event_type], "meta": {"attempt": 1}}).encode()


def test_the_guide_shows_the_example_verbatim() -> None:
    guide = GUIDE.read_text()
    blocks = re.findall(r"^```python\n(.*?)^```$", guide, flags=re.S | re.M)
    assert EXAMPLE.read_text() in blocks


async def test_example_app_verifies_and_logs(
    signer: Signer, serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    app = load_example().create_app(signer.public_key)
    url = (await serve(app)).url + "/webhooks/telnyx"
    async with aiohttp.ClientSession() as session:
        with caplog.at_level(logging.INFO, logger="webhook_receiver"):
            for event_type in (
                "video.room.participant.joined",
                "video.room.participant.left",
                "video.room.recording.completed",
                "video.room.session.ended",
            ):
                body = delivery(event_type)
                async with session.post(url, data=body, headers=signer.headers(body)) as r:
                    assert r.status == 204
            body = delivery("video.room.session.started")
            headers = {**signer.headers(body), "telnyx-timestamp": "1"}
            async with session.post(url, data=body, headers=headers) as r:
                assert r.status == 400
    messages = [r.getMessage() for r in caplog.records if r.name == "webhook_receiver"]
    assert any("video.room.participant.joined" in m for m in messages)
    assert any("Alice joined room" in m for m in messages)
    assert any("left after 34 s (kick)" in m for m in messages)
    assert any("audio recording ready: https://www.example.com" in m for m in messages)
    assert any("ended" in m for m in messages)
    assert not any("session.started" in m for m in messages)


async def test_example_runs_standalone(signer: Signer) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TELNYX_PUBLIC_KEY": signer.public_key}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLE),
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        assert process.stdout is not None
        assert process.stderr is not None
        port = None
        async with asyncio.timeout(30):
            while port is None:
                line = (await process.stdout.readline()).decode()
                assert line, "the example exited before serving"
                match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
                if match:
                    port = int(match.group(1))
        body = delivery("video.room.participant.joined")
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"http://127.0.0.1:{port}/webhooks/telnyx", data=body, headers=signer.headers(body)
            ) as response,
        ):
            assert response.status == 204
        async with asyncio.timeout(30):
            logged = ""
            while "Alice joined room" not in logged:
                line = (await process.stderr.readline()).decode()
                assert line, "the example exited early"
                logged += line
        assert "video.room.participant.joined" in logged
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            await process.communicate()
    assert process.returncode == 0
