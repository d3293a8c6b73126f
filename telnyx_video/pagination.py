"""Lazy paginators over the API's numbered pages: what listing methods return.

[`AsyncPaginator`][telnyx_video.pagination.AsyncPaginator] for the async client,
[`SyncPaginator`][telnyx_video.pagination.SyncPaginator] for the sync one (it drives the
async paginator through the sync client's event loop). Both are also exported from the
package root.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from telnyx_video.models import Page

if TYPE_CHECKING:
    from telnyx_video._portal import ClientPortal

__all__ = ["AsyncPaginator", "SyncPaginator"]

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
        previous: tuple[Any, ...] = ()
        while True:
            page = await self._fetch(number)
            if not page.items:
                return
            meta = page.meta
            reported = meta.page_number if meta is not None else None
            if number > 1 and reported is not None and reported != number:
                return  # not the page we asked for: the server ignores page[number]
            if _repeats(page.items, previous):
                return
            previous = page.items
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


def _repeats(items: tuple[Any, ...], previous: tuple[Any, ...]) -> bool:
    """Whether ``items`` are the previous page's again (the same ids, in the same order).

    A next page differs from its first item on, so this costs one comparison per page.
    """
    if len(items) != len(previous):
        return False
    return all(
        getattr(item, "id", item) == getattr(before, "id", before)
        for item, before in zip(items, previous, strict=True)
    )


class _AsyncPages(Protocol[T]):
    def first_page(self) -> Awaitable[Page[T]]: ...

    def pages(self) -> AsyncIterator[Page[T]]: ...


class SyncPaginator(Generic[T]):
    """A listing for sync code: ``for item in paginator`` walks every item lazily.

    Each page is fetched with one request (one turn of the client's event loop), only when the
    previous one is used up. [`first_page()`][telnyx_video.SyncPaginator.first_page] returns the
    first [`Page`][telnyx_video.Page] only and [`pages()`][telnyx_video.SyncPaginator.pages] walks
    page by page. Nothing is requested before you iterate; each iteration starts again from the
    first page. Breaking out of a loop early closes the underlying async iterator.
    """

    __slots__ = ("_paginator", "_portal")

    def __init__(self, portal: ClientPortal, paginator: _AsyncPages[T]) -> None:
        self._portal = portal
        self._paginator = paginator

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def first_page(self) -> Page[T]:
        """Fetch only the first page."""
        return self._portal.call(self._paginator.first_page)

    def pages(self) -> Generator[Page[T], None, None]:
        """Yield each page in turn, fetching the next one only when asked."""
        pages = self._paginator.pages()
        try:
            while True:
                try:
                    page = self._portal.call(pages.__anext__)
                except StopAsyncIteration:
                    return
                yield page
        finally:
            self._aclose(pages)

    def __iter__(self) -> Iterator[T]:
        with contextlib.closing(self.pages()) as pages:
            for page in pages:
                yield from page.items

    def _aclose(self, pages: AsyncIterator[Any]) -> None:
        aclose: Callable[[], Awaitable[None]] | None = getattr(pages, "aclose", None)
        if aclose is None:
            return
        # When the client is closed (or this runs inside its loop, from a garbage
        # collection), the loop closes its pending async generators itself on shutdown.
        with contextlib.suppress(RuntimeError):
            self._portal.call(aclose)
