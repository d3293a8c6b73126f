"""Requests racing state changes: a request whose body arrives late is judged on the state
it finds once the body is in (a room deleted or an emulator reset meanwhile is a 404)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from telnyx_video import AsyncVideoClient
from telnyx_video.emulator import Emulator

from .support import API_KEY


class _SlowRequest:
    """A raw HTTP/1.1 request whose JSON body arrives in two halves.

    :meth:`begin` sends the headers and the first half once the server has started handling
    the request; :meth:`finish` sends the rest and reads the answer. ``Expect:
    100-continue`` is the synchronisation: aiohttp answers ``100 Continue`` right before its
    handler chain runs, and the handler then runs on the same event loop until its first real
    wait, so by the time the test has read that line the handler is parked on the body.
    """

    def __init__(self, emu: Emulator, method: str, path: str, body: dict[str, object]) -> None:
        self._url = urlsplit(emu.base_url)
        self._head = (
            f"{method} {self._url.path}{path} HTTP/1.1\r\nHost: {self._url.netloc}\r\n"
            f"Authorization: Bearer {API_KEY}\r\nContent-Type: application/json\r\n"
        )
        self._raw = json.dumps(body).encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def begin(self) -> None:
        reader, writer = self._reader, self._writer = await asyncio.open_connection(
            self._url.hostname, self._url.port
        )
        writer.write(
            f"{self._head}Content-Length: {len(self._raw)}\r\nExpect: 100-continue\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        await writer.drain()
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 100")
        writer.write(self._raw[: len(self._raw) // 2])
        await writer.drain()

    async def finish(self) -> tuple[int, dict[str, object]]:
        assert self._reader is not None
        assert self._writer is not None
        self._writer.write(self._raw[len(self._raw) // 2 :])
        await self._writer.drain()
        status_line = await self._reader.readuntil(b"\r\n")
        head = await self._reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        body = await self._reader.readexactly(length)
        return int(status_line.split()[1]), json.loads(body) if body else {}

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()


@asynccontextmanager
async def _slow_request(
    emu: Emulator, method: str, path: str, body: dict[str, object]
) -> AsyncIterator[_SlowRequest]:
    request = _SlowRequest(emu, method, path, body)
    try:
        await request.begin()
        yield request
    finally:
        await request.close()


async def test_patch_racing_a_delete_answers_404_and_frees_the_name(
    emu: Emulator, client: AsyncVideoClient
) -> None:
    room = await client.rooms.create(unique_name="old-name")
    async with _slow_request(emu, "PATCH", f"/rooms/{room.id}", {"unique_name": "new-name"}) as r:
        await client.rooms.delete(room.id)
        status, body = await r.finish()
    assert status == 404, body
    # Neither name stays reserved by the deleted room.
    assert (await client.rooms.create(unique_name="new-name")).unique_name == "new-name"
    assert (await client.rooms.create(unique_name="old-name")).unique_name == "old-name"


async def test_kick_racing_a_reset_answers_404(emu: Emulator, client: AsyncVideoClient) -> None:
    room = await client.rooms.create()
    tokens = await client.rooms.generate_join_client_token(room.id)
    participant = await emu.join(room.id, tokens.token)
    path = f"/room_sessions/{participant.session_id}/actions/kick"
    async with _slow_request(emu, "POST", path, {"participants": "all"}) as r:
        await emu.reset()
        status, body = await r.finish()
    assert status == 404, body
