"""The contenders: the same few calls, made by each client under test.

Every contender runs in its own process (`benchmarks.worker`), so one library's imports,
allocator state and garbage never weigh on another's figures. Async contenders offer
``retrieve()`` (one room), ``page(size)`` (the first page of the listing) and ``walk(size)``
(every room of the listing, page after page; returns how many); sync ones offer
``retrieve()``. Retries are off everywhere; every other setting is each library's default.

* ``raw``: aiohttp ``get`` + ``read()`` + ``json.loads``, no model: the ceiling of any
  aiohttp-based client. Like ours, it first moves glibc's mmap threshold above asyncio's
  256 KiB reads (``telnyx_video._read_buffer``), so that the ratios against it compare code,
  not the luck of a process's allocator (docs/performance.md).
* ``raw_plain``: the same without that, as aiohttp is usually written (information only).
* ``raw_cattrs``: ``raw``, plus a plain cattrs converter building our models (what a user
  of aiohttp and cattrs writes by hand).
* ``ours`` / ``ours_sync``: `AsyncVideoClient` / `VideoClient`.
* ``official_httpx`` / ``official_aiohttp``: the official ``AsyncTelnyx`` with its default
  httpx transport, and with its aiohttp transport (``DefaultAioHttpClient``, the
  ``telnyx[aiohttp]`` extra).
* ``official_sync``: the official ``Telnyx``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

__all__ = ["ASYNC_CONTENDERS", "SYNC_CONTENDERS", "make_async", "make_sync"]

API_KEY = "bench-key-not-secret"
ROOM_ID = "7b61621f-62e0-4aad-ab11-000000000000"

ASYNC_CONTENDERS = (
    "raw",
    "raw_plain",
    "raw_cattrs",
    "ours",
    "official_httpx",
    "official_aiohttp",
)
SYNC_CONTENDERS = ("ours_sync", "official_sync")


class Raw:
    """aiohttp by hand: ``get`` + ``read()`` + ``json.loads``; ``structure`` builds models."""

    def __init__(
        self,
        base_url: str,
        *,
        structure: Callable[[Any], Any] | None = None,
        read_buffer_fix: bool = True,
    ) -> None:
        import aiohttp

        if read_buffer_fix:
            from telnyx_video._read_buffer import raise_mmap_threshold

            raise_mmap_threshold()
        self._session = aiohttp.ClientSession()
        self._room_url = f"{base_url}/rooms/{ROOM_ID}"
        self._list_url = f"{base_url}/rooms"
        self._headers = {
            "Authorization": f"Bearer {API_KEY}",
            "Accept": "application/json",
            "User-Agent": "bench-raw-aiohttp",
        }
        self._structure = structure

    async def _get(self, url: str, params: dict[str, str] | None = None) -> Any:
        async with self._session.get(url, params=params, headers=self._headers) as resp:
            body = await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"raw aiohttp got HTTP {resp.status}")
        return json.loads(body)

    async def retrieve(self) -> object:
        data = (await self._get(self._room_url))["data"]
        return data if self._structure is None else self._structure(data)

    async def _page(self, size: int, number: int) -> tuple[list[Any], dict[str, Any]]:
        params = {"page[number]": str(number), "page[size]": str(size)}
        body = await self._get(self._list_url, params)
        data = body["data"]
        if self._structure is not None:
            data = [self._structure(item) for item in data]
        return data, body["meta"]

    async def page(self, size: int) -> int:
        return len((await self._page(size, 1))[0])

    async def walk(self, size: int) -> int:
        seen, number = 0, 1
        while True:
            data, meta = await self._page(size, number)
            seen += len(data)
            if not data or number >= meta["total_pages"]:
                return seen
            number += 1

    async def close(self) -> None:
        await self._session.close()


def _cattrs_by_hand() -> Callable[[Any], Any]:
    """A plain cattrs converter for our ``Room``: timestamps by ``fromisoformat``, no more."""
    import cattrs

    from telnyx_video.models import Room

    converter = cattrs.Converter(detailed_validation=False)
    converter.register_structure_hook(datetime, lambda value, _: datetime.fromisoformat(value))
    hook = converter.get_structure_hook(Room)
    return lambda data: hook(data, Room)


class Ours:
    """`AsyncVideoClient`."""

    def __init__(self, base_url: str) -> None:
        from telnyx_video import AsyncVideoClient

        self._client = AsyncVideoClient(api_key=API_KEY, base_url=base_url, max_retries=0)

    async def retrieve(self) -> object:
        return await self._client.rooms.retrieve(ROOM_ID)

    async def page(self, size: int) -> int:
        return len(await self._client.rooms.list(page_size=size))

    async def walk(self, size: int) -> int:
        seen = 0
        async for _room in self._client.rooms.list(page_size=size):
            seen += 1
        return seen

    async def close(self) -> None:
        await self._client.close()


class Official:
    """The official ``AsyncTelnyx``, with httpx or with its aiohttp transport."""

    def __init__(self, base_url: str, *, aiohttp: bool) -> None:
        import telnyx

        extra: dict[str, Any] = {}
        if aiohttp:
            extra["http_client"] = telnyx.DefaultAioHttpClient()
        self._client = telnyx.AsyncTelnyx(
            api_key=API_KEY, base_url=base_url, max_retries=0, **extra
        )

    async def retrieve(self) -> object:
        return await self._client.rooms.retrieve(ROOM_ID)

    async def page(self, size: int) -> int:
        return len((await self._client.rooms.list(page_size=size)).data)

    async def walk(self, size: int) -> int:
        seen = 0
        async for _room in self._client.rooms.list(page_size=size):
            seen += 1
        return seen

    async def close(self) -> None:
        await self._client.close()


def make_async(name: str, base_url: str) -> Any:
    """The async contender ``name`` (call it inside the running loop)."""
    if name == "raw":
        return Raw(base_url)
    if name == "raw_plain":
        return Raw(base_url, read_buffer_fix=False)
    if name == "raw_cattrs":
        return Raw(base_url, structure=_cattrs_by_hand())
    if name == "ours":
        return Ours(base_url)
    if name in ("official_httpx", "official_aiohttp"):
        return Official(base_url, aiohttp=name == "official_aiohttp")
    raise ValueError(f"no async contender {name!r}")


class Sync:
    """A sync client: ``retrieve()`` and ``close()``."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def retrieve(self) -> object:
        return self._client.rooms.retrieve(ROOM_ID)

    def close(self) -> None:
        self._client.close()


def make_sync(name: str, base_url: str) -> Sync:
    """The sync contender ``name``."""
    if name == "ours_sync":
        from telnyx_video import VideoClient

        return Sync(VideoClient(api_key=API_KEY, base_url=base_url, max_retries=0))
    if name == "official_sync":
        import telnyx

        return Sync(telnyx.Telnyx(api_key=API_KEY, base_url=base_url, max_retries=0))
    raise ValueError(f"no sync contender {name!r}")
