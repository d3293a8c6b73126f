"""Filtering and pagination of listings, the way the API does them, in O(page) when unfiltered."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Reversible, Sized
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from telnyx_video.models import PaginationMeta

__all__ = ["matcher", "paginate"]

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
#: Filters that mean "at least" rather than "equal to" (the contract: "duration_secs greater
#: or equal for filtering room recordings").
_AT_LEAST = frozenset({"duration_secs"})


class Records(Sized, Reversible[R_co], Protocol):
    """Records oldest first, with a length: a dict's values, a list."""


def _date_predicate(attr: str, bounds: Mapping[str, date]) -> Callable[[Any], bool]:
    """Match records whose ``attr`` timestamp falls, as a UTC date, within ``bounds``."""
    eq, gte, lte = bounds.get("eq"), bounds.get("gte"), bounds.get("lte")

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


def _predicate(key: str, value: Any) -> Callable[[Any], bool]:
    if key.startswith("date_") and isinstance(value, Mapping):
        return _date_predicate(key.removeprefix("date_"), value)
    if key in _AT_LEAST:
        return lambda record: (found := getattr(record, key)) is not None and found >= value
    return lambda record: getattr(record, key) == value


def matcher(filters: Mapping[str, Any]) -> Callable[[Any], bool] | None:
    """A predicate for validated ``filter[...]`` values, or ``None`` when nothing is filtered."""
    predicates = [_predicate(k, v) for k, v in filters.items() if v is not None and v != {}]
    if not predicates:
        return None
    return lambda record: all(predicate(record) for predicate in predicates)


def paginate(
    records: Records[R], filters: Mapping[str, Any], page: Mapping[str, int]
) -> tuple[list[R], PaginationMeta]:
    """The requested page, newest first, of the ``records`` (oldest first) matching
    ``filters``, with its meta: unfiltered, it costs the page, not the whole collection."""
    number, size = page["number"], page["size"]
    start = (number - 1) * size
    keep = matcher(filters)
    if keep is None:
        total = len(records)
        found = list(itertools.islice(reversed(records), start, start + size))
    else:
        matching = [record for record in reversed(records) if keep(record)]
        total, found = len(matching), matching[start : start + size]
    meta = PaginationMeta(
        page_number=number,
        page_size=size,
        total_pages=math.ceil(total / size),
        total_results=total,
    )
    return found, meta
