"""What every resource shares: the request helper and the paginator factory."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from itertools import repeat
from typing import Any, TypedDict, TypeVar, Unpack

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


_model_parsers: dict[type[Any], Callable[[Response], Any]] = {}
_page_parsers: dict[type[Any], Callable[[Response], Any]] = {}


def model_parser(cls: type[T]) -> Callable[[Response], T]:
    """The parser of ``{"data": {...}}`` answers holding one ``cls`` (made once per class)."""
    parse = _model_parsers.get(cls)
    if parse is None:
        parse = _model_parsers[cls] = _make_model_parser(cls)
    return parse


def page_parser(cls: type[T]) -> Callable[[Response], Page[T]]:
    """The parser of listing answers, ``{"data": [...], "meta": {...}}`` of ``cls``."""
    parse = _page_parsers.get(cls)
    if parse is None:
        parse = _page_parsers[cls] = _make_page_parser(cls)
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
    meta_hook = fast_structure_hook(PaginationMeta)

    def parse(response: Response) -> Page[T]:
        data = _envelope(response)
        status, request_id = response.status, response.request_id
        if type(data) is not list:
            raise APIResponseValidationError(
                f"expected a list of {cls.__name__} under 'data', got {type(data).__name__}",
                status=status,
                body=response.body,
                request_id=request_id,
            )
        try:
            items = tuple(map(hook, data, repeat(cls)))
        except Exception:  # re-parse item by item for a precise error
            items = tuple(
                structure(item, cls, status=status, request_id=request_id) for item in data
            )
        raw_meta = response.body.get("meta")
        meta = None
        if raw_meta is not None:
            try:
                meta = meta_hook(raw_meta, PaginationMeta)
            except Exception:
                meta = structure(raw_meta, PaginationMeta, status=status, request_id=request_id)
        return Page(items=items, meta=meta)

    return parse


class _Options(TypedDict, total=False):
    """The request options of ``_data()``, passed on to ``_request()`` as they are."""

    query: list[tuple[str, Any]] | None
    body: Any
    timeout: float | None | NotGiven
    max_retries: int | NotGiven


class AsyncResource:
    """Base of the async resources: holds the transport and the request helpers."""

    __slots__ = ("_transport",)

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def _request(
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
    ) -> Coroutine[Any, Any, R]:
        """``Transport.request()`` with the query given as pairs: await what it returns.

        A plain function, not a coroutine of its own, so a call costs one coroutine (the
        transport's) instead of one per layer.
        """
        return self._transport.request(
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

    def _data(
        self, cls: type[T], method: str, path: str, **options: Unpack[_Options]
    ) -> Coroutine[Any, Any, T]:
        """A request whose answer is ``{"data": <cls>}``: await what it returns."""
        return self._request(model_parser(cls), method, path, **options)

    def _delete(
        self, path: str, *, timeout: float | None | NotGiven, max_retries: int | NotGiven
    ) -> Coroutine[Any, Any, None]:
        """A DELETE whose answer's body is not used: await what it returns."""
        return self._transport.request(
            "DELETE", path, ignore_body, timeout=timeout, max_retries=max_retries
        )

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
        # The filters are encoded once; each page only adds its number (and the size).
        filters = build_query(query)
        head = f"{filters}&page[number]=" if filters else "page[number]="
        tail = f"&page[size]={page_size}" if page_size is not None else ""
        parse = page_parser(cls)
        request = self._transport.request

        def fetch(number: int) -> Awaitable[Page[T]]:
            return request(
                "GET",
                path,
                parse,
                query=f"{head}{number}{tail}",
                timeout=timeout,
                max_retries=max_retries,
            )

        return AsyncPaginator(fetch)
