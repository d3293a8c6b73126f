"""Ways to run the emulator: the CLI in a subprocess, and EmulatorThread for sync code."""

from __future__ import annotations

import argparse
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


def test_one_command_line_for_both_entry_points() -> None:
    """``telnyx-video emulator`` and ``python -m telnyx_video.emulator`` share one parser:
    the same flags, the same defaults."""
    from telnyx_video.cli import build_parser
    from telnyx_video.emulator._cli import DEFAULT_API_KEY, DEFAULT_PORT, add_arguments

    argv = ["--host", "::1", "--port", "0", "--api-key", "k", "--control-token", "t", "--strict"]
    own = argparse.ArgumentParser()
    add_arguments(own)
    mine = vars(own.parse_args(argv))
    theirs = vars(build_parser().parse_args(["emulator", *argv]))
    assert mine.items() <= theirs.items()
    assert mine == {
        "emulator_host": "::1",
        "emulator_port": 0,
        "emulator_api_key": "k",
        "emulator_control_token": "t",
        "emulator_strict": True,
    }
    defaults = vars(build_parser().parse_args(["emulator"]))
    assert (defaults["emulator_port"], defaults["emulator_api_key"]) == (8787, "test-key")
    assert (DEFAULT_PORT, DEFAULT_API_KEY) == (8787, "test-key")
    assert defaults["emulator_strict"] is False  # strict mode is opt-in on the command line


@pytest.mark.parametrize("entry", [["telnyx_video", "emulator"], ["telnyx_video.emulator"]])
def test_binding_beyond_loopback_warns(entry: list[str]) -> None:
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the bind fails, after the warning.
    result = subprocess.run(
        [sys.executable, "-m", *entry, "--host", "192.0.2.1", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "warning: serving on 192.0.2.1, not loopback" in result.stderr
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_the_command_line_loads_the_emulator_only_to_run_it() -> None:
    code = (
        "import sys, telnyx_video.cli as cli; cli.build_parser(); "
        "print(sorted(m for m in ('jsonschema', 'aiohttp.web', 'telnyx_video.emulator._emulator')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
