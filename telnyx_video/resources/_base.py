"""What every resource shares: the request helper and the paginator factory."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from telnyx_video._converter import fast_structure_hook, structure, unstructure
from telnyx_video._query import build_query
from telnyx_video._transport import Recover, Response, Transport
from telnyx_video.errors import APIResponseValidationError
from telnyx_video.models import MAX_PAGE_SIZE, Page, PaginationMeta
from telnyx_video.pagination import AsyncPaginator
from telnyx_video.types import NOT_GIVEN, NotGiven

__all__ = ["AsyncResource", "body_of"]

T = TypeVar("T")
R = TypeVar("R")


def body_of(**fields: Any) -> dict[str, Any]:
    """A JSON body from keyword arguments: ``NOT_GIVEN`` is left out, models unstructured.

    ``None`` is kept (it means an explicit ``null``); callers drop it first where ``None``
    stands for "not given".
    """
    return {
        name: unstructure(value)
        for name, value in fields.items()
        if not isinstance(value, NotGiven)
    }


def given(**fields: Any) -> dict[str, Any]:
    """Like `body_of()`, for create-style calls where ``None`` means "not given"."""
    return body_of(**{k: v for k, v in fields.items() if v is not None})


def _envelope(response: Response) -> Any:
    body = response.body
    if type(body) is dict and "data" in body:  # the usual case, without an ABC check
        return body["data"]
    if not isinstance(body, Mapping) or "data" not in body:
        raise APIResponseValidationError(
            "the response has no 'data' member",
            status=response.status,
            body=body,
            request_id=response.request_id,
        )
    return body["data"]


def ignore_body(response: Response) -> None:
    """The parser of answers whose body is not used (a DELETE): nothing to read or check."""


_parsers: dict[tuple[str, type[Any]], Callable[[Response], Any]] = {}


def model_parser(cls: type[T]) -> Callable[[Response], T]:
    """The parser of ``{"data": {...}}`` answers holding one ``cls`` (made once per class)."""
    parse = _parsers.get(("model", cls))
    if parse is None:
        parse = _parsers["model", cls] = _make_model_parser(cls)
    return parse


def page_parser(cls: type[T]) -> Callable[[Response], Page[T]]:
    """The parser of listing answers, ``{"data": [...], "meta": {...}}`` of ``cls``."""
    parse = _parsers.get(("page", cls))
    if parse is None:
        parse = _parsers["page", cls] = _make_page_parser(cls)
    return parse


def _make_model_parser(cls: type[T]) -> Callable[[Response], T]:
    hook = fast_structure_hook(cls)

    def parse(response: Response) -> T:
        data = _envelope(response)
        try:
            return hook(data, cls)
        except Exception:  # explained precisely (and typed) by the detailed converter
            return structure(data, cls, status=response.status, request_id=response.request_id)

    return parse


def _make_page_parser(cls: type[T]) -> Callable[[Response], Page[T]]:
    hook = fast_structure_hook(cls)

    def parse(response: Response) -> Page[T]:
        data = _envelope(response)
        if not isinstance(data, list):
            raise APIResponseValidationError(
                f"expected a list of {cls.__name__} under 'data', got {type(data).__name__}",
                status=response.status,
                body=response.body,
                request_id=response.request_id,
            )
        try:
            items = tuple(hook(item, cls) for item in data)
        except Exception:  # re-parse item by item for a precise error
            items = tuple(
                structure(item, cls, status=response.status, request_id=response.request_id)
                for item in data
            )
        raw_meta = response.body.get("meta")
        meta = (
            structure(
                raw_meta, PaginationMeta, status=response.status, request_id=response.request_id
            )
            if raw_meta is not None
            else None
        )
        return Page(items=items, meta=meta)

    return parse


class AsyncResource:
    """Base of the async resources: holds the transport and the request helpers."""

    __slots__ = ("_transport",)

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    async def _request(
        self,
        parse: Callable[[Response], R],
        method: str,
        path: str,
        *,
        query: list[tuple[str, Any]] | None = None,
        body: Any = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_ambiguous: bool | None = None,
        recover: Recover[R] | None = None,
    ) -> R:
        return await self._transport.request(
            method,
            path,
            parse,
            query=build_query(query) if query else "",
            body=body,
            timeout=timeout,
            max_retries=max_retries,
            retry_ambiguous=retry_ambiguous,
            recover=recover,
        )

    async def _data(
        self,
        cls: type[T],
        method: str,
        path: str,
        *,
        query: list[tuple[str, Any]] | None = None,
        body: Any = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> T:
        return await self._request(
            model_parser(cls),
            method,
            path,
            query=query,
            body=body,
            timeout=timeout,
            max_retries=max_retries,
        )

    async def _delete(
        self, path: str, *, timeout: float | None | NotGiven, max_retries: int | NotGiven
    ) -> None:
        await self._request(ignore_body, "DELETE", path, timeout=timeout, max_retries=max_retries)

    def _paginate(
        self,
        cls: type[T],
        path: str,
        query: list[tuple[str, Any]],
        *,
        page_size: int | None,
        timeout: float | None | NotGiven,
        max_retries: int | NotGiven,
    ) -> AsyncPaginator[T]:
        if page_size is not None and (
            isinstance(page_size, bool)
            or not isinstance(page_size, int)
            or not 1 <= page_size <= MAX_PAGE_SIZE
        ):
            raise ValueError(
                f"page_size must be an integer from 1 to {MAX_PAGE_SIZE}, got {page_size!r}"
            )
        size = [("page[size]", page_size)] if page_size is not None else []
        parse = page_parser(cls)

        async def fetch(number: int) -> Page[T]:
            return await self._request(
                parse,
                "GET",
                path,
                query=[*query, ("page[number]", number), *size],
                timeout=timeout,
                max_retries=max_retries,
            )

        return AsyncPaginator(fetch)
