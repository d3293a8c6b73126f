"""Lazy paginators over the API's numbered pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

from telnyx_video.models import Page, PaginationMeta

__all__ = ["AsyncPaginator"]

T = TypeVar("T")

PageFetcher = Callable[[int], Awaitable[Page[T]]]


def _page_limit(meta: PaginationMeta) -> int:
    """How many pages the first page announces, trusting the smaller of its two counts."""
    limit = meta.total_pages
    if meta.page_size > 0 and meta.total_results >= 0:
        limit = min(limit, -(-meta.total_results // meta.page_size))
    return limit


class AsyncPaginator(Generic[T]):
    """A listing: ``async for`` walks every item, one request per page.

    ``await paginator`` (or [`first_page()`][telnyx_video.AsyncPaginator.first_page]) returns the
    first [`Page`][telnyx_video.models.Page] only, and
    [`pages()`][telnyx_video.AsyncPaginator.pages] walks page by page. Nothing is requested before
    you iterate or await.

    The walk stops at the last page the server announces, at an empty page, and, to survive
    a misbehaving server, when a page comes back with another number than the one asked
    for, repeats the previous page, has no ``meta``, or goes past the page count the first
    page announced (``total_pages``, or ``total_results / page_size`` if smaller).
    """

    __slots__ = ("_fetch",)

    def __init__(self, fetch: PageFetcher[T]) -> None:
        self._fetch = fetch

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    async def first_page(self) -> Page[T]:
        """Fetch only the first page."""
        return await self._fetch(1)

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self.first_page().__await__()

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield each page in turn, fetching the next one only when asked."""
        number = 1
        limit: int | None = None
        previous: tuple[Any, ...] | None = None
        while True:
            page = await self._fetch(number)
            if not page.items:
                return
            meta = page.meta
            if number > 1 and meta is not None and meta.page_number != number:
                return  # not the page we asked for: the server ignores page[number]
            signature = tuple(getattr(item, "id", item) for item in page.items)
            if signature == previous:
                return
            previous = signature
            yield page
            if meta is None or meta.page_number != number:
                return
            if limit is None:
                limit = _page_limit(meta)
            if number >= min(meta.total_pages, limit):
                return
            number += 1

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item
