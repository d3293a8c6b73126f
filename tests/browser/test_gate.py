"""Without a browser the browser tests are skipped with the reason, unless CI requires them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import CHROMIUM_ENV, REQUIRE_ENV

HERE = Path(__file__).parent


def _run_without_a_browser(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in (CHROMIUM_ENV, REQUIRE_ENV)}
    environment.update({CHROMIUM_ENV: str(HERE / "no-such-chromium")}, **env)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(HERE / "test_dashboard.py"),
            "-k",
            "loads_nothing_from_elsewhere",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
        ],
        cwd=HERE.parents[1],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_no_browser_skips_with_the_reason() -> None:
    result = _run_without_a_browser()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "no Chromium installed (apt-get install chromium" in result.stdout


def test_no_browser_fails_when_browser_tests_are_required() -> None:
    result = _run_without_a_browser(**{REQUIRE_ENV: "1"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{REQUIRE_ENV} is set: browser tests must run" in result.stdout
    assert "skipped" not in result.stdout
