"""The documentation site builds with ``mkdocs build --strict``: no warning is tolerated."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: A Sphinx role, which mkdocstrings shows verbatim: write ``[`Name`][telnyx_video.Name]``.
SPHINX_ROLE = re.compile(r":(?:class|meth|func|attr|data|mod|exc|obj):`")


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
    pages = "".join(page.read_text(encoding="utf-8") for page in site.rglob("*.html"))
    assert SPHINX_ROLE.search(pages) is None, "a raw Sphinx role reached the rendered docs"


def test_docstrings_use_mkdocstrings_cross_references() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "telnyx_video").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SPHINX_ROLE.search(line)
    ]
    assert offenders == [], f"Sphinx roles render verbatim in the reference: {offenders}"
