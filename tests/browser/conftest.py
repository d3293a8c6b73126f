"""Fixtures of the browser tests: the system's Chromium driven by Playwright, a loopback
webhook receiver, and a folder for screenshots.

Playwright never downloads a browser here: it launches the Chromium found on the machine
(``$TELNYX_VIDEO_CHROMIUM``, else ``chromium`` on the ``PATH``; Debian's ``chromium``
package). Without one the tests are skipped, with the reason, unless
``TELNYX_VIDEO_REQUIRE_BROWSER=1`` (as ``.ci/run`` sets), which makes that a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aiohttp import web

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

CHROMIUM_ENV = "TELNYX_VIDEO_CHROMIUM"
REQUIRE_ENV = "TELNYX_VIDEO_REQUIRE_BROWSER"
#: How long a test waits for a condition on the page (milliseconds).
TIMEOUT_MS = 10_000
#: Headless, no sandbox (root in CI), and nothing that reaches out of the machine.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).parent
_ARTIFACTS = pytest.StashKey[list[Path]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


def _find_chromium() -> str | None:
    given = os.environ.get(CHROMIUM_ENV, "").strip()
    if given:
        return given if Path(given).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0"):
        pytest.fail(f"{reason}, and {REQUIRE_ENV} is set: browser tests must run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable to drive."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    path = _find_chromium()
    if path is None:
        _unavailable(
            "no Chromium installed (apt-get install chromium, or set "
            f"{CHROMIUM_ENV} to a Chromium executable)"
        )
    assert path is not None
    return path


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Browser]:
    """A fresh headless Chromium (Playwright gives each launch a new profile)."""
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=TIMEOUT_MS)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium, headless=True, args=FLAGS
        )
        try:
            yield launched
        finally:
            await launched.close()


class PageErrors:
    """Script errors and content-security-policy violations seen on a page."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page: Page) -> Page:
        page.on("pageerror", lambda error: self.errors.append(f"script error: {error}"))
        page.on("console", self._console)
        return page

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.errors.append(f"CSP: {message.text}")


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A page at a fixed viewport; the test fails on a script error or a CSP violation."""
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    errors = PageErrors()
    opened = errors.watch(await context.new_page())
    try:
        yield opened
    finally:
        await context.close()
    assert errors.errors == []


@pytest.fixture(scope="session")
def artifacts(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go (listed at the end of the run)."""
    folder = tmp_path_factory.getbasetemp() / "artifacts"
    folder.mkdir(exist_ok=True)
    request.config.stash.setdefault(_ARTIFACTS, []).append(folder)
    return folder


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    for folder in config.stash.get(_ARTIFACTS, []):
        shots = sorted(p.name for p in folder.iterdir())
        if shots:
            terminalreporter.write_line(f"browser test artifacts in {folder}: {', '.join(shots)}")


class Receiver:
    """A webhook endpoint on 127.0.0.1 that answers 200 and counts what it receives."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        async with self._changed:
            self.bodies.append(body)
            self._changed.notify_all()
        return web.Response(status=200)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hooks", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hooks"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A loopback webhook receiver for the rooms the page creates."""
    hooks = Receiver()
    await hooks.start()
    try:
        yield hooks
    finally:
        await hooks.close()
