"""The documentation site builds with ``mkdocs build --strict``: no warning is tolerated."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "WARNING" not in log, log
    # The API reference was generated from the docstrings.
    client = (site / "reference" / "client" / "index.html").read_text(encoding="utf-8")
    assert "AsyncVideoClient" in client
    resources = (site / "reference" / "resources" / "index.html").read_text(encoding="utf-8")
    assert "generate_join_client_token" in resources
    assert (site / "cli" / "index.html").is_file()
