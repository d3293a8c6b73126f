"""Encoding of paths and query strings the way the Telnyx API expects them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from telnyx_video.models import DateFilter

__all__ = ["build_query", "check_date", "encode_id", "filter_params"]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch
_PLAIN_ID = re.compile(r"[A-Za-z0-9_~-]+").fullmatch
_KEY_SAFE = "[]_"
_VALUE_SAFE = "-_.~:"
# What quote() leaves as it is with those safe characters: such text is used unchanged.
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.~\[\]-]+").fullmatch
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.~:-]*").fullmatch


def encode_id(value: str, name: str = "id") -> str:
    """Percent-encode one path segment; refuse empty ids and non-strings.

    Every character outside ``[A-Za-z0-9_~-]`` is encoded, dots included, so an id such as
    ``".."`` or ``"a/b"`` can never reach another route.
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    if _PLAIN_ID(value):  # the usual case, a uuid: nothing to encode
        return value
    if not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    return quote(value, safe="").replace(".", "%2E")


def _scalar(value: Any, name: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        # The API compares dates in UTC: an aware datetime counts on its UTC date.
        moment: datetime = value.astimezone(UTC) if value.tzinfo is not None else value
        return moment.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise TypeError(f"{name} cannot be {type(value).__name__} {value!r:.40}")


def check_date(value: Any, name: str) -> str:
    """A date filter's value as sent: a `datetime.date`, or a string spelled ``YYYY-MM-DD``.

    The client's filters and the CLI's date options both check dates here.

    Raises:
        ValueError: a string that is not a ``YYYY-MM-DD`` calendar date.
        TypeError: neither a date nor a string.
    """
    if isinstance(value, str):
        try:
            if not _ISO_DATE(value):  # fromisoformat also takes 20260105 and 2026W011
                raise ValueError(value)
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"{name} must be a date or a YYYY-MM-DD string, got {value!r}"
            ) from None
        return value
    if isinstance(value, date):
        return _scalar(value, name)
    raise TypeError(f"{name} must be a date or a YYYY-MM-DD string, got {type(value).__name__}")


def filter_params(**filters: Any) -> list[tuple[str, Any]]:
    """Turn filter keyword arguments into ``filter[...]`` pairs, skipping ``None``.

    A [`DateFilter`][telnyx_video.models.DateFilter] gives ``filter[name][eq|gte|lte]``; a bare date
    or ISO string for a ``date_*`` filter means ``eq``.
    """
    pairs: list[tuple[str, Any]] = []
    for name, value in filters.items():
        if value is None:
            continue
        if name.startswith("date_"):
            if isinstance(value, DateFilter):
                for op in ("eq", "gte", "lte"):
                    bound = getattr(value, op)
                    if bound is not None:
                        pairs.append((f"filter[{name}][{op}]", check_date(bound, f"{name}.{op}")))
            else:
                pairs.append((f"filter[{name}][eq]", check_date(value, name)))
        else:
            if isinstance(value, str) and not value.strip():
                # A server that ignores an empty filter would match everything: never send one.
                raise ValueError(f"{name} must not be empty (pass None to leave it out)")
            pairs.append((f"filter[{name}]", _scalar(value, name)))
    return pairs


def build_query(pairs: Iterable[tuple[str, Any]]) -> str:
    """Encode ``(key, value)`` pairs; brackets in keys stay readable (``filter[a][b]``)."""
    parts = []
    for key, value in pairs:
        if value is None:
            continue
        text = _scalar(value, key)
        if not _PLAIN_VALUE(text):
            text = quote(text, safe=_VALUE_SAFE)
        parts.append(f"{key if _PLAIN_KEY(key) else quote(key, safe=_KEY_SAFE)}={text}")
    return "&".join(parts)
