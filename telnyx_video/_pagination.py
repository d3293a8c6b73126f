"""Lazy paginators over the API's numbered pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

from telnyx_video.models import Page

__all__ = ["AsyncPaginator"]

T = TypeVar("T")

PageFetcher = Callable[[int], Awaitable[Page[T]]]


class AsyncPaginator(Generic[T]):
    """A listing: ``async for`` walks every item, one request per page.

    ``await paginator`` (or [`first_page()`][telnyx_video.AsyncPaginator.first_page]) returns the
    first [`Page`][telnyx_video.models.Page] only, and
    [`pages()`][telnyx_video.AsyncPaginator.pages] walks page by page. Nothing is requested before
    you iterate or await.

    The walk stops at the last page the server announces
    ([`last_page`][telnyx_video.models.PaginationMeta.last_page], from whichever counts its
    ``meta`` holds; the first page's count bounds the walk too), or, when no count is given,
    at the first empty page. To survive a misbehaving server it also stops when a page comes
    back with another number than the one asked for, or repeats the previous page.
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
        first_last: int | None = None  # the last page as the first page announced it
        previous: tuple[Any, ...] | None = None
        while True:
            page = await self._fetch(number)
            if not page.items:
                return
            meta = page.meta
            reported = meta.page_number if meta is not None else None
            if number > 1 and reported is not None and reported != number:
                return  # not the page we asked for: the server ignores page[number]
            signature = tuple(getattr(item, "id", item) for item in page.items)
            if signature == previous:
                return
            previous = signature
            yield page
            if reported is not None and reported != number:
                return
            last = meta.last_page if meta is not None else None
            if number == 1:
                first_last = last
            if first_last is not None:
                last = first_last if last is None else min(last, first_last)
            if last is not None and number >= last:
                return
            number += 1

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item
