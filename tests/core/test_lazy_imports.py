"""Importing the package and building clients stays cheap: aiohttp and anyio load on first use."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_import_and_construction_do_not_load_aiohttp_or_anyio() -> None:
    out = run(
        """
        import sys
        import telnyx_video
        telnyx_video.AsyncVideoClient("key")
        telnyx_video.VideoClient("key").close()
        print(sorted(m for m in ("aiohttp", "anyio") if m in sys.modules))
        """
    )
    assert out == "[]"


def test_first_request_loads_aiohttp() -> None:
    out = run(
        """
        import asyncio, sys
        import telnyx_video

        async def main():
            async with telnyx_video.AsyncVideoClient(
                "key", base_url="http://127.0.0.1:9/v2", max_retries=0
            ) as client:
                try:
                    await client.rooms.retrieve("r1")
                except telnyx_video.APIConnectionError:
                    pass
            print("aiohttp" in sys.modules)

        asyncio.run(main())
        """
    )
    assert out == "True"
