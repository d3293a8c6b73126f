"""Fixtures: the CLI run in this process or as a subprocess against the pytest plugin's
emulator (``telnyx_emulator``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from telnyx_video.cli import main
from telnyx_video.emulator import EmulatorThread
from telnyx_video.pytest_plugin import API_KEY


@attrs.frozen
class Result:
    """What one run of the CLI did."""

    code: int
    out: str
    err: str

    def json(self) -> list[dict[str, Any]]:
        """stdout as JSON lines."""
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]

    def one(self) -> dict[str, Any]:
        """stdout as exactly one JSON object."""
        records = self.json()
        assert len(records) == 1, self.out
        return records[0]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any TELNYX_* setting of the machine running the tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELNYX_")}
    env.update(extra)
    return env


def run_cli(*args: str, env: dict[str, str], input: str | None = None) -> Result:
    proc = subprocess.run(
        [sys.executable, "-m", "telnyx_video", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        input=input,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


Cli = Callable[..., Result]


def _checked(run: Callable[..., Result]) -> Cli:
    def checked(*args: str, expect: int = 0) -> Result:
        result = run(*args)
        assert result.code == expect, (result.code, result.out, result.err)
        if expect == 0:
            assert result.err == "", result.err
        return result

    return checked


@pytest.fixture
def cli_process(telnyx_emulator: EmulatorThread) -> Cli:
    """Run ``python -m telnyx_video ARGS...`` as a subprocess against the emulator, checking
    the exit code (``expect``)."""
    env = clean_env(TELNYX_API_KEY=API_KEY, TELNYX_BASE_URL=telnyx_emulator.base_url)
    return _checked(lambda *args: run_cli(*args, env=env))


@pytest.fixture
def cli(
    telnyx_emulator: EmulatorThread,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Cli:
    """Like :func:`cli_process`, calling ``main()`` in this process (much faster)."""
    for name in [k for k in os.environ if k.startswith("TELNYX_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TELNYX_API_KEY", API_KEY)
    monkeypatch.setenv("TELNYX_BASE_URL", telnyx_emulator.base_url)

    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _checked(run)
