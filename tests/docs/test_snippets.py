"""The examples in the guides run, against the emulator, exactly as printed.

Convention: a fenced block immediately preceded by ``<!-- run -->`` is executed (a
``python`` block as a script, a ``console`` block line by line for its ``$ telnyx-video``
commands) with ``TELNYX_API_KEY``/``TELNYX_BASE_URL`` pointing at a fresh emulator; a
``python`` block preceded by ``<!-- pytest -->`` is a test module run with pytest, using the
plugin's fixtures.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from telnyx_video.emulator import EmulatorThread

DOCS = Path(__file__).resolve().parents[2] / "docs"

#: The guide pages checked here (other pages are tested by their authors).
PAGES = (
    "index.md",
    "quickstart.md",
    "async.md",
    "pagination.md",
    "errors.md",
    "emulator.md",
    "cli.md",
    "downloads.md",
)
#: Pages that must hold at least one runnable example: all of them but the home page.
GUIDES = tuple(page for page in PAGES if page != "index.md")

BLOCK = re.compile(
    r"^<!-- (?P<mode>run|pytest) -->\n```(?P<lang>\w+)\n(?P<code>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)


@attrs.frozen
class Snippet:
    page: str
    line: int
    mode: str
    lang: str
    code: str

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def snippets() -> list[Snippet]:
    found = []
    for page in PAGES:
        text = (DOCS / page).read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(Snippet(page, line, match["mode"], match["lang"], match["code"]))
    return found


ALL = snippets()


def test_every_guide_has_a_runnable_example() -> None:
    assert {s.page for s in ALL} >= set(GUIDES)
    assert all(
        (s.mode, s.lang) in {("run", "python"), ("run", "console"), ("pytest", "python")}
        for s in ALL
    )


@pytest.fixture
def emulator() -> Iterator[EmulatorThread]:
    with EmulatorThread(api_key="docs-key") as emu:
        yield emu


def _env(emulator: EmulatorThread) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELNYX_")}
    env.update(TELNYX_API_KEY=emulator.api_key, TELNYX_BASE_URL=emulator.base_url)
    return env


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("snippet", [s for s in ALL if s.mode == "run"], ids=lambda s: s.id)
def test_runnable_snippet(snippet: Snippet, emulator: EmulatorThread, tmp_path: Path) -> None:
    env = _env(emulator)
    if snippet.lang == "python":
        script = tmp_path / "snippet.py"
        script.write_text(snippet.code, encoding="utf-8")
        result = _run([sys.executable, str(script)], env, tmp_path)
        assert result.returncode == 0, f"{snippet.id}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr
        return
    commands = [line[2:] for line in snippet.code.splitlines() if line.startswith("$ ")]
    assert commands, snippet.id
    for command in commands:
        argv = shlex.split(command)
        assert argv[0] == "telnyx-video", command
        result = _run([sys.executable, "-m", "telnyx_video", *argv[1:]], env, tmp_path)
        assert result.returncode == 0, f"{snippet.id}: {command}\n{result.stderr}"


@pytest.mark.parametrize("snippet", [s for s in ALL if s.mode == "pytest"], ids=lambda s: s.id)
def test_pytest_snippet(snippet: Snippet, tmp_path: Path) -> None:
    (tmp_path / "test_snippet.py").write_text(snippet.code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELNYX_", "PYTEST_"))}
    result = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_snippet.py"],
        env,
        tmp_path,
    )
    assert result.returncode == 0, f"{snippet.id}\n{result.stdout}\n{result.stderr}"
    tests = snippet.code.count("\ndef test_") + snippet.code.count("\nasync def test_")
    assert f"{tests} passed" in result.stdout, result.stdout
