"""The cattrs converters of the package, and the helpers around them.

The hooks are strict: a JSON ``"false"`` never becomes ``True`` and ``null`` never becomes
``"None"``. Timestamps become aware datetimes (naive ones are taken as UTC). Unknown fields are
ignored; an unknown value of an enum-typed field is kept as the plain string.

Two converters are built by `make_converter()` with the same hooks:

* ``converter``, with cattrs' detailed validation: it explains any failure, field by field;
* a fast one for the hot path, which structures models with one small function per model,
  generated from its attrs fields (`compile_structure_fn()`). Whatever the fast one rejects is
  structured again by ``converter`` to word the error, so both must accept exactly the same
  data: ``tests/perf/test_compiled_structure.py`` checks it.
"""

from __future__ import annotations

import enum
import itertools
import linecache
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Final, TypeVar

import attrs
import cattrs
import cattrs.v
from cattrs.gen import make_dict_unstructure_fn, override

from telnyx_video.errors import APIResponseValidationError

__all__ = [
    "STRUCTURE_ERRORS",
    "compile_structure_fn",
    "converter",
    "describe_structure_error",
    "fast_structure_hook",
    "format_datetime",
    "make_converter",
    "parse_datetime",
    "structure",
    "unstructure",
]

T = TypeVar("T")


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


# ---------------------------------------------------------------------------------------
# Structure functions compiled per model (the fast converter's hook for attrs classes).
#
# cattrs' own generated function (``make_dict_structure_fn``) calls one hook per field and
# then the model's frozen ``__init__``, whose ``object.__setattr__`` per field is most of the
# cost (2.3 of 3.3 us per Room). The compiled function checks the usual JSON types inline,
# parses timestamps inline, calls the same hooks for everything else (and for any value the
# inline code does not take, so that the hook decides), and fills the slots directly: what
# ``__init__`` does for a model without converters, validators or init hooks, the only kind
# compiled.

#: Inline checks of values that these strict hooks return unchanged.
_INLINE_CHECKS: Final[dict[Callable[[Any, type], Any], str]] = {
    _structure_str: "type(v) is str",
    _structure_int: "type(v) is int",
    _structure_float: "type(v) is float",
    _structure_bool: "v is True or v is False",
}

_MISSING: Final = object()
_filenames = itertools.count(1)


def _slot(cls: type, name: str) -> Any:
    """The slot descriptor holding field ``name`` of ``cls``, or ``None``."""
    for klass in cls.__mro__:
        found = klass.__dict__.get(name)
        if found is not None:
            return found if isinstance(found, types.MemberDescriptorType) else None
    return None


def _compilable(cls: Any) -> bool:
    """Whether `compile_structure_fn()` can build ``cls``: a plain slotted attrs class whose
    ``__init__`` only stores its keyword arguments."""
    if not (isinstance(cls, type) and attrs.has(cls)) or cls.__dict__.get("__parameters__"):
        return False
    if any(hasattr(cls, hook) for hook in ("__attrs_pre_init__", "__attrs_post_init__")):
        return False
    if "_attrs_cached_hash" in getattr(cls, "__slots__", ()):
        return False
    return all(
        a.init
        and a.type is not None
        and a.converter is None
        and a.validator is None
        and not isinstance(a.default, attrs.Factory)  # type: ignore[arg-type]
        and _slot(cls, a.name) is not None
        for a in attrs.fields(cls)
    )


def _conversion(name: str, tp: Any, conv: cattrs.Converter) -> list[str]:
    """Source lines turning the JSON value ``v`` of field ``name`` into ``f_<name>``."""
    target, hook = f"f_{name}", f"h_{name}(v, t_{name})"
    inner = _optional(tp)
    kind = conv.get_structure_hook(tp if inner is None else inner)
    check = _INLINE_CHECKS.get(kind)
    if check is not None:
        check = check if inner is None else f"v is None or {check}"
        return [f"{target} = v if {check} else {hook}"]
    if kind is not _structure_datetime:
        return [f"{target} = {hook}"]
    parse = [
        f"try: {target} = fromisoformat(v)",
        f"except (TypeError, ValueError): {target} = {hook}",
        "else:",
        f"  if {target}.tzinfo is None: {target} = {hook}",
    ]
    if inner is None:
        return parse
    return [f"if v is None: {target} = None", "else:", *(f"  {line}" for line in parse)]


def compile_structure_fn(cls: type[T], conv: cattrs.Converter) -> Callable[[Any, Any], T]:
    """Generate the structure function of the attrs class ``cls`` from its fields.

    For each field, in order: take ``o[name]`` (for a field with a default, keep the default
    when the key is absent) and pass it through the field's hook from ``conv``, unless an
    inline type check shows the hook would return it unchanged or it is a timestamp that
    ``datetime.fromisoformat`` parses to an aware datetime; then fill the slots. For ``Room``,
    the generated source reads::

        def structure_Room(o, _=None):
          v = o['id']
          f_id = v if type(v) is str else h_id(v, t_id)
          v = o['created_at']
          try: f_created_at = fromisoformat(v)
          except (TypeError, ValueError): f_created_at = h_created_at(v, t_created_at)
          ...
          v = o.get('unique_name', missing)
          if v is missing: f_unique_name = d_unique_name
          else:
            f_unique_name = v if v is None or type(v) is str else h_unique_name(v, t_unique_name)
          ...
          self = new(cls)
          s_id(self, f_id)
          ...
          return self

    Missing keys, non-mappings and rejected values raise; the caller then asks the detailed
    converter for the explanation.

    Raises:
        TypeError: ``cls`` is not a class `compile_structure_fn()` can build (see
            ``_compilable``).
    """
    if not _compilable(cls):
        raise TypeError(f"{cls!r} cannot be compiled: it is not a plain slotted attrs class")
    model: Any = attrs.resolve_types(cls)  # type: ignore[type-var]
    names: dict[str, Any] = {
        "cls": model,
        "new": object.__new__,
        "missing": _MISSING,
        "fromisoformat": datetime.fromisoformat,
    }
    lines = [f"def structure_{cls.__name__}(o, _=None):"]
    stores = []
    for a in attrs.fields(model):
        n = a.name
        names[f"h_{n}"] = conv.get_structure_hook(a.type)
        names[f"t_{n}"] = a.type
        names[f"s_{n}"] = _slot(cls, n).__set__
        conversion = _conversion(n, a.type, conv)
        if a.default is attrs.NOTHING:
            lines += [f"  v = o[{n!r}]", *(f"  {line}" for line in conversion)]
        else:
            names[f"d_{n}"] = a.default
            lines += [f"  v = o.get({n!r}, missing)", f"  if v is missing: f_{n} = d_{n}"]
            lines += ["  else:", *(f"    {line}" for line in conversion)]
        stores.append(f"  s_{n}(self, f_{n})")
    lines += ["  self = new(cls)", *stores, "  return self"]
    source = "\n".join(lines) + "\n"
    filename = f"<telnyx_video structure {cls.__qualname__} #{next(_filenames)}>"
    # In linecache, so that tracebacks and profilers show the generated lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), names)  # noqa: S102 - source built above
    fn: Callable[[Any, Any], T] = names[f"structure_{cls.__name__}"]
    return fn


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """A converter with the package's strict hooks.

    Args:
        detailed_validation: ``True`` for cattrs' detailed validation (every failure
            explained with its path); ``False`` for the fast converter, which also structures
            plain attrs models with `compile_structure_fn()`.
    """
    conv = cattrs.Converter(forbid_extra_keys=False, detailed_validation=detailed_validation)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_structure_hook(date, _structure_date)
    conv.register_structure_hook_factory(lambda t: _open_enum(t) is not None, _open_enum_hook)
    # ``X | None`` resolved once per field instead of dispatching on every value.
    conv.register_structure_hook_factory(lambda t: _optional(t) is not None, _optional_hook)
    if not detailed_validation:
        conv.register_structure_hook_factory(
            _compilable, lambda cls: compile_structure_fn(cls, conv)
        )
    conv.register_unstructure_hook(datetime, format_datetime)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_unstructure_hook_factory(
        lambda t: _open_enum(t) is not None,
        lambda _: lambda v: v.value if isinstance(v, enum.Enum) else v,
    )

    def omit_none_fields(cls: Any) -> Any:
        """Unstructure an attrs class, leaving out optional fields that are ``None``."""
        overrides = {
            a.name: override(omit_if_default=True) for a in attrs.fields(cls) if a.default is None
        }
        return make_dict_unstructure_fn(cls, conv, **overrides)  # type: ignore[arg-type]

    conv.register_unstructure_hook_factory(attrs.has, omit_none_fields)
    return conv


converter = make_converter()
"""The converter that explains: cattrs' detailed validation, the strict hooks."""

# The same hooks, without detailed validation and with compiled model functions: the hot path.
# Anything it rejects is structured again by ``converter`` to explain exactly what is wrong.
_fast = make_converter(detailed_validation=False)

_fast_hooks: dict[Any, Callable[[Any, Any], Any]] = {}

#: What structuring with ``converter`` raises for data that does not fit.
STRUCTURE_ERRORS: Final = (
    cattrs.BaseValidationError,
    TypeError,
    ValueError,
    KeyError,
    AttributeError,
)


def describe_structure_error(exc: BaseException, path: str = "$") -> str:
    """What is wrong, in words, for an exception raised by ``converter.structure``.

    One ``"<problem> @ <path>"`` per failure, joined with ``"; "``, e.g. ``"expected a
    string, got int 42 @ Room.id"``; an exception that is not one of cattrs' validation
    errors is described by its type and message.

    Args:
        exc: the exception, one of ``STRUCTURE_ERRORS``.
        path: the name the paths start with (a class name, say).
    """
    if isinstance(exc, cattrs.BaseValidationError):
        return "; ".join(
            cattrs.transform_error(exc, path=path, format_exception=_format_exception)
        )
    return f"{type(exc).__name__}: {exc}"


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
        return fast_structure_hook(cls)(data, cls)
    except Exception:  # noqa: S110 - explained below, by the detailed converter
        pass
    try:
        return converter.structure(data, cls)
    except STRUCTURE_ERRORS as exc:
        raise APIResponseValidationError(
            f"the response does not match {cls.__name__}: "
            f"{describe_structure_error(exc, cls.__name__)}",
            status=status,
            body=data,
            request_id=request_id,
        ) from exc


def unstructure(value: Any) -> Any:
    """Turn models into JSON-ready data (``None`` optional fields omitted)."""
    return converter.unstructure(value)
