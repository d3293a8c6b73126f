"""The framework adapters import their framework, and nothing else does."""

from __future__ import annotations

import subprocess
import sys

import pytest

FRAMEWORKS = ("starlette", "fastapi", "uvicorn", "django", "flask", "werkzeug")


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


def test_importing_the_webhooks_package_imports_no_framework() -> None:
    result = run(
        "import sys, telnyx_video, telnyx_video.webhooks\n"
        f"print(sorted(m for m in {FRAMEWORKS!r} if m in sys.modules))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("adapter", "framework", "extra"),
    [
        ("starlette", "starlette", "starlette"),
        ("django", "django", "django"),
        ("flask", "flask", "flask"),
    ],
)
def test_an_adapter_without_its_framework_says_what_to_install(
    adapter: str, framework: str, extra: str
) -> None:
    result = run(
        f"import sys; sys.modules[{framework!r}] = None\n"  # as if it were not installed
        f"import telnyx_video.webhooks.{adapter}"
    )
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert f"pip install 'telnyx-video[{extra}]'" in result.stderr
