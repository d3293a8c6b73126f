"""Make a :class:`VideoClient` look like an :class:`AsyncVideoClient` to async tests.

So one suite of integration scenarios runs against both facades::

    @pytest.fixture(params=["async", "sync"])
    async def client(request, emulator):
        if request.param == "async":
            async with AsyncVideoClient(emulator.api_key, base_url=emulator.base_url) as c:
                yield c
        else:
            async with SyncAdapter(VideoClient(emulator.api_key, base_url=emulator.base_url)) as c:
                yield c

Each sync call runs in a worker thread (``asyncio.to_thread``), so the test's event loop
(and an in-process emulator on it) keeps running while the sync client blocks. List methods
return an object that can be awaited (the first page) or walked with ``async for`` (items,
fetched page by page in a worker thread), like ``AsyncPaginator``.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable, Generator
from types import TracebackType
from typing import Any, Generic, TypeVar

from telnyx_video import Page
from telnyx_video.pagination import SyncPaginator
from telnyx_video.sync import VideoClient

__all__ = ["PaginatorAdapter", "SyncAdapter"]

T = TypeVar("T")
RESOURCES = ("rooms", "room_sessions", "room_participants", "room_recordings", "room_compositions")


class PaginatorAdapter(Generic[T]):
    """A :class:`SyncPaginator` with the interface of ``AsyncPaginator``."""

    def __init__(self, paginator: SyncPaginator[T]) -> None:
        self.sync = paginator

    async def first_page(self) -> Page[T]:
        return await asyncio.to_thread(self.sync.first_page)

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self.first_page().__await__()

    async def pages(self) -> AsyncIterator[Page[T]]:
        pages = self.sync.pages()
        try:
            while True:
                page = await asyncio.to_thread(next, pages, None)
                if page is None:
                    return
                yield page
        finally:
            await asyncio.to_thread(pages.close)

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item


class ResourceAdapter:
    """A sync resource whose methods are awaitable (and whose listings are async)."""

    def __init__(self, resource: object) -> None:
        self.sync = resource

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.sync, name)
        returns = inspect.signature(method).return_annotation
        if isinstance(returns, str) and returns.startswith("SyncPaginator["):

            def listing(*args: Any, **kwargs: Any) -> PaginatorAdapter[Any]:
                return PaginatorAdapter(method(*args, **kwargs))

            return listing

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await asyncio.to_thread(method, *args, **kwargs)

        return call

    def __repr__(self) -> str:
        return f"<ResourceAdapter of {self.sync!r}>"


class SyncAdapter:
    """An ``AsyncVideoClient`` look-alike backed by a sync :class:`VideoClient`."""

    def __init__(self, client: VideoClient) -> None:
        self.sync = client
        self.rooms = ResourceAdapter(client.rooms)
        self.room_sessions = ResourceAdapter(client.room_sessions)
        self.room_participants = ResourceAdapter(client.room_participants)
        self.room_recordings = ResourceAdapter(client.room_recordings)
        self.room_compositions = ResourceAdapter(client.room_compositions)

    @property
    def base_url(self) -> str:
        return self.sync.base_url

    @property
    def closed(self) -> bool:
        return self.sync.closed

    def __repr__(self) -> str:
        return f"SyncAdapter({self.sync!r})"

    async def close(self) -> None:
        await asyncio.to_thread(self.sync.close)

    async def __aenter__(self) -> SyncAdapter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
