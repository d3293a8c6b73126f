"""The emulator's own security: loopback by default, keys compared in constant time."""

from __future__ import annotations

import asyncio
import hmac
import re
import subprocess
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest

from telnyx_video import AsyncVideoClient, AuthenticationError
from telnyx_video.emulator import Emulator

KEY = "emu-key-0123456789"


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(api_key=KEY) as emu:
        yield emu


async def test_binds_loopback_by_default(emulator: Emulator) -> None:
    assert emulator.base_url.startswith("http://127.0.0.1:")
    runner = emulator._runner
    assert runner is not None
    assert [address[0] for address in runner.addresses] == ["127.0.0.1"]


async def test_command_line_binds_loopback_by_default() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "telnyx_video.emulator",
        "--port",
        "0",
        "--api-key",
        KEY,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            line = (await process.stdout.readline()).decode()
        match = re.search(r"http://([^:/]+):(\d+)/v2", line)
        assert match, line
        assert match.group(1) == "127.0.0.1"
        async with AsyncVideoClient(KEY, base_url=match.group(0)) as client:
            page = await client.rooms.list()
        assert page.items == ()
        assert KEY not in line  # a key given on the command line is not echoed
    finally:
        process.terminate()
        async with asyncio.timeout(30):
            await process.communicate()
    assert process.returncode is not None


def _variants(key: str) -> list[str]:
    """Wrong keys: same length differing anywhere, prefixes, extensions, case, empty."""
    same_length = [
        key[:i] + ("X" if key[i] != "X" else "Y") + key[i + 1 :] for i in range(len(key))
    ]
    return [*same_length, key[:-1], key + "0", key.upper(), "\u00e9" * len(key)]


async def test_every_wrong_key_is_refused(emulator: Emulator) -> None:
    for wrong in _variants(KEY):
        async with AsyncVideoClient(wrong, base_url=emulator.base_url, max_retries=0) as client:
            with pytest.raises(AuthenticationError) as info:
                await client.rooms.list()
        assert info.value.status == 401
        assert wrong not in str(info.value)
    async with AsyncVideoClient(KEY, base_url=emulator.base_url) as client:
        await client.rooms.list()


async def test_missing_or_malformed_authorization_is_refused(emulator: Emulator) -> None:
    headers_list: list[dict[str, str]] = [
        {},
        {"Authorization": KEY},
        {"Authorization": f"Basic {KEY}"},
        {"Authorization": "Bearer"},
        {"Authorization": f"Bearer {KEY}x"},
    ]
    async with aiohttp.ClientSession() as session:
        for headers in headers_list:
            async with session.get(f"{emulator.base_url}/rooms", headers=headers) as response:
                assert response.status == 401, headers
                body = await response.json()
                assert KEY not in str(body)


async def test_keys_are_compared_in_constant_time(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every key the emulator is given, right or wrong, is checked by ``hmac.compare_digest``."""
    compared: list[tuple[bytes, bytes]] = []
    constant_time = hmac.compare_digest

    def spy(given: bytes, expected: bytes) -> bool:
        compared.append((given, expected))
        return constant_time(given, expected)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    tries = {f"{KEY}x": 401, KEY[:-1]: 401, "x" * len(KEY): 401, KEY: 200}
    async with aiohttp.ClientSession() as session:
        for key, status in tries.items():
            headers = {"Authorization": f"Bearer {key}"}
            async with session.get(f"{emulator.base_url}/rooms", headers=headers) as response:
                assert response.status == status, key
    assert compared == [(key.encode(), KEY.encode()) for key in tries]
