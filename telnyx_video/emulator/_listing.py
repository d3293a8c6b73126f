"""Filtering and pagination of listings, the way the API does them."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from telnyx_video.models import DEFAULT_PAGE_SIZE, PaginationMeta

__all__ = ["matcher", "paginate"]

R = TypeVar("R")


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _date_predicate(attr: str, bounds: Mapping[str, Any]) -> Callable[[Any], bool]:
    """Match records whose ``attr`` timestamp falls, as a UTC date, within ``bounds``."""
    eq = _as_date(bounds["eq"]) if bounds.get("eq") is not None else None
    gte = _as_date(bounds["gte"]) if bounds.get("gte") is not None else None
    lte = _as_date(bounds["lte"]) if bounds.get("lte") is not None else None

    def predicate(record: Any) -> bool:
        stamp: datetime | None = getattr(record, attr)
        if stamp is None:
            return False
        day = stamp.date()  # records hold UTC timestamps
        return (
            (eq is None or day == eq)
            and (gte is None or day >= gte)
            and (lte is None or day <= lte)
        )

    return predicate


def _equals(attr: str, expected: Any) -> Callable[[Any], bool]:
    if isinstance(expected, bool):
        return lambda record: getattr(record, attr) is expected
    return lambda record: getattr(record, attr) == expected


def matcher(filters: Mapping[str, Any]) -> Callable[[Any], bool]:
    """A predicate for ``filter[...]`` values: ``date_<field>`` ranges, else equality."""
    predicates: list[Callable[[Any], bool]] = []
    for key, value in filters.items():
        if value is None:
            continue
        if key.startswith("date_") and isinstance(value, Mapping):
            predicates.append(_date_predicate(key[len("date_") :], value))
        else:
            predicates.append(_equals(key, value))
    if not predicates:
        return lambda record: True
    return lambda record: all(predicate(record) for predicate in predicates)


def paginate(
    newest_first: Iterable[R], filters: Mapping[str, Any], page: Mapping[str, Any]
) -> tuple[list[R], PaginationMeta]:
    """The requested page of the records matching ``filters``, with its meta."""
    number = int(page.get("number") or 1)
    size = int(page.get("size") or DEFAULT_PAGE_SIZE)
    keep = matcher(filters)
    matching = [record for record in newest_first if keep(record)]
    start = (number - 1) * size
    meta = PaginationMeta(
        page_number=number,
        page_size=size,
        total_pages=math.ceil(len(matching) / size),
        total_results=len(matching),
    )
    return matching[start : start + size], meta
