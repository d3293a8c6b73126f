"""The one cattrs converter of the package, and the helpers around it.

The hooks are strict: a JSON ``"false"`` never becomes ``True`` and ``null`` never becomes
``"None"``. Timestamps become aware datetimes (naive ones are taken as UTC). Unknown fields are
ignored; an unknown value of an enum-typed field is kept as the plain string.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import attrs
import cattrs
import cattrs.v
from cattrs.gen import make_dict_unstructure_fn, override

from telnyx_video.errors import APIResponseValidationError

__all__ = ["converter", "format_datetime", "parse_datetime", "structure", "unstructure"]

T = TypeVar("T")

converter = cattrs.Converter(forbid_extra_keys=False, detailed_validation=True)


class _BadValue(TypeError):
    """A JSON value of the wrong type or form; its message names what was expected and got."""


def _fail(value: Any, expected: str) -> typing.NoReturn:
    raise _BadValue(f"expected {expected}, got {type(value).__name__} {value!r:.60}")


def _format_exception(exc: BaseException, tp: type | None) -> str:
    if isinstance(exc, _BadValue):
        return str(exc)
    return cattrs.v.format_exception(exc, tp)


def _structure_str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    _fail(value, "a string")


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    _fail(value, "an integer")


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    _fail(value, "a number")


def _structure_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    _fail(value, "a boolean")


def parse_datetime(value: str) -> datetime:
    """Parse a Telnyx timestamp (``...Z``, 0-7 fraction digits, ``T`` or space) as aware."""
    try:
        parsed = datetime.fromisoformat(value)  # fast path: the API's usual shape
    except ValueError:
        parsed = _parse_datetime_slow(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _parse_datetime_slow(value: str) -> datetime:
    text = value.strip()
    if "." in text:
        # Python accepts up to 6 fraction digits everywhere we run; trim the 7th (100 ns).
        head, _, tail = text.partition(".")
        digits = len(tail) - len(tail.lstrip("0123456789"))
        if digits > 6:
            tail = tail[:6] + tail[digits:]
        text = f"{head}.{tail}"
    return datetime.fromisoformat(text)


def format_datetime(value: datetime) -> str:
    """Format a datetime the way Telnyx does: UTC, ``Z`` suffix."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _structure_datetime(value: Any, _: type) -> datetime:
    if type(value) is str:
        try:  # fast path: the API's usual shape, parsed in C
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            return parse_datetime(value)
        except ValueError:
            pass
    _fail(value, "an ISO 8601 timestamp")


def _structure_date(value: Any, _: type) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    _fail(value, "an ISO 8601 date")


def _open_enum(tp: Any) -> type[enum.Enum] | None:
    """The enum class of an ``Enum | str`` (optionally ``| None``) union, else ``None``."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    enums = [a for a in args if isinstance(a, type) and issubclass(a, enum.Enum)]
    if len(args) == 2 and len(enums) == 1 and str in args:
        return enums[0]
    return None


def _open_enum_hook(tp: Any) -> Any:
    enum_cls = _open_enum(tp)
    assert enum_cls is not None
    optional = type(None) in typing.get_args(tp)

    def structure_open_enum(value: Any, _: type) -> Any:
        if value is None and optional:
            return None
        if not isinstance(value, str):
            _fail(value, f"one of {[m.value for m in enum_cls]} or another string")
        try:
            return enum_cls(value)
        except ValueError:
            return value

    return structure_open_enum


converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook(int, _structure_int)
converter.register_structure_hook(float, _structure_float)
converter.register_structure_hook(bool, _structure_bool)
converter.register_structure_hook(datetime, _structure_datetime)
converter.register_structure_hook(date, _structure_date)
converter.register_structure_hook_factory(lambda t: _open_enum(t) is not None, _open_enum_hook)
converter.register_unstructure_hook_factory(
    lambda t: _open_enum(t) is not None,
    lambda _: lambda v: v.value if isinstance(v, enum.Enum) else v,
)


def _optional(tp: Any) -> Any:
    """The ``X`` of ``X | None`` when ``X`` is a single type, else ``None``."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    args = typing.get_args(tp)
    if len(args) != 2 or type(None) not in args:
        return None
    return args[0] if args[1] is type(None) else args[1]


def _optional_hook(tp: Any, conv: cattrs.Converter) -> Any:
    inner = _optional(tp)
    hook = conv.get_structure_hook(inner)
    if inner is str:

        def structure_optional_str(value: Any, _: type) -> Any:
            if value is None or type(value) is str:
                return value
            return hook(value, inner)

        return structure_optional_str

    def structure_optional(value: Any, _: type) -> Any:
        return None if value is None else hook(value, inner)

    return structure_optional


# ``X | None`` resolved once per field instead of dispatching on every value.
converter.register_structure_hook_factory(lambda t: _optional(t) is not None, _optional_hook)

converter.register_unstructure_hook(datetime, format_datetime)
converter.register_unstructure_hook(date, date.isoformat)


def _omit_none_fields(cls: Any) -> Any:
    """Unstructure an attrs class, leaving out optional fields that are ``None``."""
    overrides = {
        a.name: override(omit_if_default=True) for a in attrs.fields(cls) if a.default is None
    }
    return make_dict_unstructure_fn(cls, converter, **overrides)  # type: ignore[arg-type]


converter.register_unstructure_hook_factory(attrs.has, _omit_none_fields)

# The same hooks without cattrs' detailed validation: noticeably faster on the hot path.
# Anything it rejects is structured again by ``converter`` to explain exactly what is wrong.
_fast = converter.copy(detailed_validation=False)


_fast_hooks: dict[Any, Callable[[Any, Any], Any]] = {}


def fast_structure_hook(cls: type[T]) -> Callable[[Any, type[T]], T]:
    """The quick structure function for ``cls``; on failure, call `structure()`."""
    hook = _fast_hooks.get(cls)
    if hook is None:
        hook = _fast_hooks[cls] = _fast.get_structure_hook(cls)
    return hook


def structure(
    data: Any, cls: type[T], *, status: int | None = None, request_id: str | None = None
) -> T:
    """Structure decoded JSON into ``cls``, raising
    [`APIResponseValidationError`][telnyx_video.errors.APIResponseValidationError]."""
    if attrs.has(cls) and not isinstance(data, dict):
        raise APIResponseValidationError(
            f"the response does not match {cls.__name__}: expected a JSON object, "
            f"got {type(data).__name__}",
            status=status,
            body=data,
            request_id=request_id,
        )
    try:
        return _fast.structure(data, cls)
    except Exception:  # noqa: S110 - explained below, by the detailed converter
        pass
    try:
        return converter.structure(data, cls)
    except (cattrs.BaseValidationError, TypeError, ValueError, KeyError, AttributeError) as exc:
        if isinstance(exc, cattrs.BaseValidationError):
            problems = "; ".join(
                cattrs.transform_error(exc, path=cls.__name__, format_exception=_format_exception)
            )
        else:
            problems = f"{type(exc).__name__}: {exc}"
        raise APIResponseValidationError(
            f"the response does not match {cls.__name__}: {problems}",
            status=status,
            body=data,
            request_id=request_id,
        ) from exc


def unstructure(value: Any) -> Any:
    """Turn models into JSON-ready data (``None`` optional fields omitted)."""
    return converter.unstructure(value)
