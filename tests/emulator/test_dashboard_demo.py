"""The demo played against a running emulator, which the dashboard then shows: the data side
of the dashboard's "done when" (tests/browser checks the page itself)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest

from telnyx_video._demo import DemoError, demo
from telnyx_video.emulator import Clock, Emulator, EmulatorThread

from .support import API_KEY, START

TOKEN = "demo-control-token"


@pytest.fixture
async def guarded() -> AsyncIterator[Emulator]:
    async with Emulator(api_key=API_KEY, clock=Clock(START), control_token=TOKEN) as emulator:
        yield emulator


def _steps(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


async def test_demo_against_a_running_emulator_leaves_its_room_to_see(
    guarded: Emulator,
) -> None:
    out = io.StringIO()
    await demo(out, json_lines=True, emulator_url=guarded.base_url, control_token=TOKEN)
    steps = _steps(out.getvalue())
    assert steps[0]["ui_url"] == guarded.ui_url
    name = next(s["unique_name"] for s in steps if "unique_name" in s)
    events = next(s["events"] for s in steps if "events" in s)
    assert not any("cleaned up" in str(s["message"]) for s in steps)

    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with (
        aiohttp.ClientSession() as http,
        http.get(guarded.root_url + "/_emulator/snapshot", headers=headers) as resp,
    ):
        snapshot = (await resp.json())["data"]
    assert [r["unique_name"] for r in snapshot["rooms"]] == [name]
    assert sorted(p["context"] for p in snapshot["participants"]) == ["Alice", "Bob"]
    assert {r["status"] for r in snapshot["recordings"]} == {"completed"}
    assert [c["status"] for c in snapshot["compositions"]] == ["completed"]
    delivered = [d["event_type"] for d in snapshot["webhooks"] if d["outcome"] == "delivered"]
    assert delivered == events  # every event the demo's receiver verified, in order
    assert all(d["signature_verified"] for d in snapshot["webhooks"])


async def test_demo_needs_the_control_token_of_a_guarded_emulator(guarded: Emulator) -> None:
    with pytest.raises(DemoError, match="401"):
        await demo(io.StringIO(), emulator_url=guarded.root_url, control_token="wrong")
    assert guarded.webhook_deliveries == []


def _run_demo(url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELNYX_")}
    env["TELNYX_EMULATOR_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "telnyx_video", "demo", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_telnyx_video_demo_plays_against_the_emulator_named_by_the_environment() -> None:
    with EmulatorThread(api_key="thread-key") as emu:
        result = _run_demo(emu.root_url + "/_emulator/ui")  # any URL of the emulator
        assert result.returncode == 0, result.stderr
        steps = _steps(result.stdout)
        assert steps[0]["base_url"] == emu.base_url
        name = next(s["unique_name"] for s in steps if "unique_name" in s)
        deliveries = emu.webhook_deliveries
    assert deliveries
    assert {d.room_id for d in deliveries} == {next(s["room_id"] for s in steps if "room_id" in s)}
    assert name.startswith("demo-")


@pytest.mark.parametrize("url", ["https://example.com", "http://192.0.2.1:8787", "not a url"])
def test_demo_drives_only_a_loopback_emulator(url: str) -> None:
    result = _run_demo(url)
    assert result.returncode == 1
    assert "TELNYX_EMULATOR_URL must be a loopback http URL" in result.stderr
