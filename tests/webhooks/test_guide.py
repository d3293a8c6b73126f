"""docs/webhooks.md: its ``<!-- run -->`` examples run as printed (as tests/docs does for the
other guides), and its sections cover every feature."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
BLOCK = re.compile(r"^<!-- run -->\n```python\n(?P<code>.*?)^```$", re.MULTILINE | re.DOTALL)
TEXT = GUIDE.read_text(encoding="utf-8")
RUNNABLE = {
    f"webhooks.md:{TEXT.count(chr(10), 0, m.start()) + 1}": m["code"] for m in BLOCK.finditer(TEXT)
}


def test_every_feature_has_a_section_with_a_runnable_example() -> None:
    headings = re.findall(r"^#+ (.+)$", TEXT, flags=re.MULTILINE)
    for section in (
        "The aiohttp receiver",
        "FastAPI and Starlette",
        "Django",
        "Flask",
        "Duplicates",
        "Ordering a room's events",
        "Weak keys",
    ):
        assert section in headings
    assert len(RUNNABLE) >= 2  # the dedupe store and the ordering recipe (the examples: below)
    for framework in ("fastapi", "django", "flask"):
        assert f"python examples/webhooks_{framework}.py --port" in TEXT


@pytest.mark.parametrize("code", RUNNABLE.values(), ids=RUNNABLE.keys())
def test_runnable_snippet(code: str, tmp_path: Path) -> None:
    script = tmp_path / "snippet.py"
    script.write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELNYX_")}
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
