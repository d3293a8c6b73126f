"""Ways to run the emulator: the CLI in a subprocess, and EmulatorThread for sync code."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request

import pytest

from telnyx_video.emulator import EmulatorError, EmulatorThread


def _get(url: str, key: str | None = None) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url)
    if key is not None:
        request.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(request, timeout=10) as resp:
        return resp.status, json.loads(resp.read())


def test_cli_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "telnyx_video.emulator", "--port", "0", "--api-key", "cli-key"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Telnyx Video emulator serving http://127.0.0.1:")
        base_url = first.rsplit(" ", 1)[1].strip()
        assert base_url.endswith("/v2")
        status, body = _get(base_url + "/rooms", "cli-key")
        assert status == 200
        assert body["data"] == []
        assert "cli-key" not in process.stdout.readline()  # the given key is not echoed
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        if process.stdout is not None:
            process.stdout.close()


def test_cli_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "telnyx_video.emulator", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--api-key" in result.stdout


def test_emulator_thread_blocking_api() -> None:
    with EmulatorThread(api_key="thread-key") as emu:
        assert emu.api_key == "thread-key"
        status, _ = _get(emu.base_url + "/rooms", "thread-key")
        assert status == 200
        start = emu.now()
        assert (emu.advance(60) - start).total_seconds() >= 60
        with pytest.raises(EmulatorError) as info:
            emu.join("7b61621f-62e0-4aad-ab11-9fd19e272e73", "token")
        assert info.value.status == 404
        emu.configure_faults(error_rate=1.0)
        with pytest.raises(urllib.error.HTTPError) as http_error:
            _get(emu.base_url + "/rooms", "thread-key")
        assert http_error.value.code >= 500
        http_error.value.close()
        assert emu.fault_stats.faults_injected == 1
        emu.reset()
        assert emu.fault_stats.requests_seen == 0
        assert emu.webhook_deliveries == []
        assert len(emu.webhook_public_key) == 44
        root = emu.root_url
    with pytest.raises(RuntimeError):
        _ = emu.base_url
    with pytest.raises(OSError):
        _get(root + "/_emulator/clock")
