"""Contract-driven validation of the emulator's requests.

`check()` validates one request of an operation (named by the contract's
``operationId``) and returns its typed, parsed inputs as `Checked`, or raises
`ValidationFailed` with *every* `Problem` found. The rules come from the
contract (``openapi.json``): types, ``minimum``/``maximum``, ``enum``, ``required``, the
``uuid``, ``date`` and ``uri`` formats, ``oneOf``, ``additionalProperties`` and arrays.

Strictness:

* In JSON bodies types are strict: ``true`` is not an integer and ``"5"`` is not an integer.
* Query strings are parsed: integers in base 10 (ASCII digits, optional leading ``-``, at
  most 18 digits besides leading zeros),
  booleans only as ``true``/``false``, dates as ``YYYY-MM-DD``, UUIDs in the canonical
  8-4-4-4-12 hexadecimal form. A query key given twice is a problem (a bulk delete must never
  guess which value was meant).
* An unknown ``filter[...]`` key is refused (code ``10001``): a typo in a bulk-delete filter
  must not delete everything. Other unknown query parameters are ignored.
* ``null`` is accepted in a body only where the contract's default is ``null``
  (``webhook_timeout_secs``), and in ``UpdateRoom`` (PATCH /rooms/{id}) for the clearable
  fields ``unique_name``, ``webhook_event_url``, ``webhook_event_failover_url`` and
  ``webhook_timeout_secs``, where it means "clear". A ``uri`` field whose contract default is
  the empty string accepts ``""`` (no URL).
* Path parameters are passed through untouched: the app answers 404 for an unknown id.
* A body must be a JSON object where the contract has a body schema (pointer ``/``
  otherwise); unknown body fields are ignored. Without a body, an operation whose body has no
  required field gets ``{}``. A body sent to an operation without a body schema is ignored.

Rules the contract implies beyond its schema, for ``CreateRoomComposition``:

* ``resolution`` is ``"WIDTHxHEIGHT"`` with decimal integers, each between
  `MIN_RESOLUTION_SIDE` (16) and `MAX_RESOLUTION_SIDE` (1920) pixels, and at most
  `MAX_RESOLUTION_PIXELS` (1920 * 1080) pixels in all.
* ``format`` must be one of the ``RoomComposition.format`` enum (only ``mp4``).

Validators are compiled per operation on first use, so a request without a query or body
costs a dictionary lookup and a few allocations.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Final
from urllib.parse import urlsplit

import attrs

from telnyx_video.emulator import _contract

__all__ = [
    "CODE_INVALID_VALUE",
    "CODE_MISSING_REQUIRED",
    "CODE_UNKNOWN_PARAMETER",
    "MAX_RESOLUTION_PIXELS",
    "MAX_RESOLUTION_SIDE",
    "MIN_RESOLUTION_SIDE",
    "NO_BODY",
    "TITLE_INVALID_VALUE",
    "TITLE_MISSING_REQUIRED",
    "TITLE_UNKNOWN_PARAMETER",
    "Checked",
    "NoBody",
    "Problem",
    "ValidationFailed",
    "check",
]

CODE_INVALID_VALUE: Final = "10015"
"""Error code of a value that breaks a constraint (type, range, enum, format...)."""
TITLE_INVALID_VALUE: Final = "Invalid value"
CODE_MISSING_REQUIRED: Final = "10016"
"""Error code of a required field or parameter that is missing."""
TITLE_MISSING_REQUIRED: Final = "Missing required parameter"
CODE_UNKNOWN_PARAMETER: Final = "10001"
"""Error code of an unknown ``filter[...]`` query parameter."""
TITLE_UNKNOWN_PARAMETER: Final = "Unknown parameter"

MIN_RESOLUTION_SIDE: Final = 16
"""Smallest composition width or height, in pixels."""
MAX_RESOLUTION_SIDE: Final = 1920
"""Largest composition width or height, in pixels."""
MAX_RESOLUTION_PIXELS: Final = 1920 * 1080
"""Largest composition area (width * height), in pixels: full HD."""

#: Fields of ``UpdateRoom`` that an explicit JSON ``null`` clears.
_CLEARABLE: Final[Mapping[str, frozenset[str]]] = {
    "UpdateRoom": frozenset(
        {"unique_name", "webhook_event_url", "webhook_event_failover_url", "webhook_timeout_secs"}
    ),
}
#: Deep-object query parameters whose unknown keys are refused rather than ignored.
_STRICT_DEEP_PARAMS: Final = frozenset({"filter"})


class NoBody:
    """Type of `NO_BODY`, the marker of a request sent without a body."""

    __slots__ = ()
    _instance: NoBody | None = None

    def __new__(cls) -> NoBody:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_BODY"

    def __bool__(self) -> bool:
        return False


NO_BODY: Final = NoBody()
"""Pass as ``body=`` when the request had no body (distinct from a JSON ``null``)."""


@attrs.frozen
class Problem:
    """One validation problem, shaped like an entry of a Telnyx ``errors`` array."""

    code: str
    title: str
    detail: str
    pointer: str | None = None
    """JSON pointer into the body (``/max_participants``), for body problems."""
    parameter: str | None = None
    """Raw query key (``page[size]``), for query problems."""

    def to_json(self) -> dict[str, Any]:
        """The Telnyx error object: ``code``, ``title``, ``detail`` and ``source``."""
        data: dict[str, Any] = {"code": self.code, "title": self.title, "detail": self.detail}
        if self.pointer is not None:
            data["source"] = {"pointer": self.pointer}
        elif self.parameter is not None:
            data["source"] = {"parameter": self.parameter}
        return data


class ValidationFailed(Exception):
    """A request broke the contract; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.detail for p in problems) or "invalid request")

    def to_json(self) -> dict[str, Any]:
        """The 422 response body: ``{"errors": [...]}``."""
        return {"errors": [p.to_json() for p in self.problems]}


@attrs.frozen
class Checked:
    """The validated inputs of one request."""

    path: dict[str, str]
    """Path parameters, untouched."""
    query: dict[str, Any]
    """Typed query: nested deep objects (``{"filter": {...}, "page": {...}}``), dates as
    `datetime.date`, integers and booleans parsed; ``page`` defaults applied."""
    body: dict[str, Any]
    """The validated JSON object (no defaults applied); ``{}`` when no body was sent."""


# --------------------------------------------------------------------------- helpers

_Path = tuple[str | int, ...]
_BodyCheck = Callable[[Any, _Path, list[Problem]], None]
_INVALID: Final = object()
_QueryParse = Callable[[str, str, list[Problem]], Any]

_UUID_RE: Final = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z")
_DATE_RE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_INT_RE: Final = re.compile(r"-?[0-9]+\Z")
#: Query integers longer than this (leading zeros aside) are refused before ``int()``.
_MAX_INT_DIGITS: Final = 18
_RESOLUTION_RE: Final = re.compile(r"([0-9]{1,6})x([0-9]{1,6})\Z")
_URL_FORBIDDEN_RE: Final = re.compile(r"[\x00-\x20\x7f]")

_TYPE_NAMES: Final = {
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "string": "a string",
    "array": "an array",
    "object": "an object",
}


def _pointer(path: _Path) -> str:
    if not path:
        return "/"
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _name(path: _Path) -> str:
    if not path:
        return "the request body"
    out = str(path[0])
    for part in path[1:]:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _show(value: Any) -> str:
    """A short JSON rendering of a value for error details."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = _repr(value)
    except RecursionError:  # nested deeper than the stack: say what it starts with
        text = _outline(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _repr(value: Any) -> str:
    try:
        return repr(value)
    except RecursionError:
        return _outline(value)


def _outline(value: Any) -> str:
    """The opening brackets of a deeply nested array or object, for `_show()`."""
    text = ""
    while len(text) < 60 and isinstance(value, list | dict) and value:
        if isinstance(value, list):
            text += "["
            value = value[0]
        else:
            key = next(iter(value))
            text += "{" + json.dumps(str(key), ensure_ascii=False) + ": "
            value = value[key]
    return text + "..."


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_type(value: Any, type_name: str) -> bool:
    if type_name == "integer":
        return type(value) is int
    if type_name == "number":
        return type(value) in (int, float)
    if type_name == "boolean":
        return type(value) is bool
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "array":
        return isinstance(value, list)
    if type_name == "object":
        return isinstance(value, dict)
    return True


def _body_problem(path: _Path, detail: str) -> Problem:
    return Problem(CODE_INVALID_VALUE, TITLE_INVALID_VALUE, detail, pointer=_pointer(path))


def _range_text(minimum: Any, maximum: Any) -> str:
    if minimum is not None and maximum is not None:
        return f"between {minimum} and {maximum}"
    if minimum is not None:
        return f"at least {minimum}"
    return f"at most {maximum}"


def _enum_text(options: list[Any]) -> str:
    shown = [_show(o) for o in options]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _is_absolute_url(value: str) -> bool:
    if _URL_FORBIDDEN_RE.search(value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return bool(parts.scheme) and bool(host)


def _format_error(fmt: str | None, value: str) -> str | None:
    """What ``value`` lacks to match the string ``format``, or ``None`` when it matches."""
    if fmt == "uuid":
        if _UUID_RE.match(value) is None:
            return "a UUID (8-4-4-4-12 hexadecimal digits)"
    elif fmt == "date":
        if _DATE_RE.match(value) is None:
            return "a date in YYYY-MM-DD form"
        try:
            date.fromisoformat(value)
        except ValueError:
            return "a valid calendar date in YYYY-MM-DD form"
    elif fmt == "uri" and not _is_absolute_url(value):
        return "an absolute URL with a scheme and a host (such as https://example.com/hooks)"
    return None


# --------------------------------------------------------------------------- body checks


def _compile_body(
    schema: Mapping[str, Any], *, clearable: frozenset[str] = frozenset()
) -> _BodyCheck:
    """A checker of a JSON value against ``schema`` (nullability is decided by the parent)."""
    if "oneOf" in schema:
        return _compile_one_of(schema)
    type_name = schema.get("type")
    if type_name == "object" or "properties" in schema:
        return _compile_object(schema, clearable)
    if type_name == "array":
        return _compile_array(schema)
    return _compile_scalar(schema)


def _compile_scalar(schema: Mapping[str, Any]) -> _BodyCheck:
    type_name: str | None = schema.get("type")
    minimum = schema.get("minimum")
    maximum = schema.get("maximum")
    enum: list[Any] | None = schema.get("enum")
    fmt: str | None = schema.get("format") if type_name == "string" else None
    allow_empty = fmt == "uri" and schema.get("default") == ""
    expected = _TYPE_NAMES.get(type_name or "", "a value")

    def check_scalar(value: Any, path: _Path, problems: list[Problem]) -> None:
        if type_name is not None and not _is_type(value, type_name):
            problems.append(
                _body_problem(path, f"{_name(path)} must be {expected}, got {_show(value)}.")
            )
            return
        if enum is not None and value not in enum:
            problems.append(
                _body_problem(
                    path, f"{_name(path)} must be {_enum_text(enum)}, got {_show(value)}."
                )
            )
            return
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            problems.append(
                _body_problem(
                    path,
                    f"{_name(path)} must be {_range_text(minimum, maximum)}, got {_show(value)}.",
                )
            )
            return
        if fmt is not None and not (allow_empty and value == ""):
            lacks = _format_error(fmt, value)
            if lacks is not None:
                problems.append(
                    _body_problem(path, f"{_name(path)} must be {lacks}, got {_show(value)}.")
                )

    return check_scalar


def _compile_array(schema: Mapping[str, Any]) -> _BodyCheck:
    items_schema = schema.get("items")
    check_item = _compile_body(items_schema) if isinstance(items_schema, dict) else None

    def check_array(value: Any, path: _Path, problems: list[Problem]) -> None:
        if not isinstance(value, list):
            problems.append(
                _body_problem(path, f"{_name(path)} must be an array, got {_show(value)}.")
            )
            return
        if check_item is not None:
            for index, item in enumerate(value):
                if item is None:
                    problems.append(
                        _body_problem((*path, index), f"{_name((*path, index))} must not be null.")
                    )
                else:
                    check_item(item, (*path, index), problems)

    return check_array


def _describe(schema: Mapping[str, Any]) -> str:
    enum = schema.get("enum")
    if enum:
        return _enum_text(enum)
    type_name = schema.get("type", "")
    if type_name == "array":
        items = schema.get("items") or {}
        if items.get("format") == "uuid":
            return "an array of ids"
        return "an array"
    return _TYPE_NAMES.get(type_name, "a value")


def _compile_one_of(schema: Mapping[str, Any]) -> _BodyCheck:
    branches = [(b, _compile_body(b)) for b in schema["oneOf"]]
    expected = " or ".join(_describe(b) for b, _ in branches)

    def check_one_of(value: Any, path: _Path, problems: list[Problem]) -> None:
        # Branches whose JSON type fits the value; the errors of the only fitting branch are
        # precise (``/participants/1``), so they are reported as they are.
        fitting = [c for b, c in branches if "type" not in b or _is_type(value, b["type"])]
        if len(fitting) == 1:
            found: list[Problem] = []
            fitting[0](value, path, found)
            here = _pointer(path)
            for problem in found:
                if problem.pointer == here:
                    problem = attrs.evolve(
                        problem, detail=f"{_name(path)} must be {expected}, got {_show(value)}."
                    )
                problems.append(problem)
            return
        passing = 0
        for candidate in fitting:
            failed: list[Problem] = []
            candidate(value, path, failed)
            passing += not failed
        if passing != 1:
            problems.append(
                _body_problem(path, f"{_name(path)} must be {expected}, got {_show(value)}.")
            )

    return check_one_of


def _nullable(name: str, schema: Mapping[str, Any], clearable: frozenset[str]) -> bool:
    return (
        name in clearable
        or schema.get("nullable") is True
        or ("default" in schema and schema["default"] is None)
    )


def _compile_object(schema: Mapping[str, Any], clearable: frozenset[str]) -> _BodyCheck:
    properties: dict[str, Mapping[str, Any]] = dict(schema.get("properties") or {})
    fields: dict[str, tuple[_BodyCheck, bool]] = {
        name: (_compile_body(prop), _nullable(name, prop, clearable))
        for name, prop in properties.items()
    }
    required: tuple[str, ...] = tuple(schema.get("required") or ())
    extra_schema = schema.get("additionalProperties")
    check_extra = _compile_body(extra_schema) if isinstance(extra_schema, dict) else None

    def check_object(value: Any, path: _Path, problems: list[Problem]) -> None:
        if not isinstance(value, dict):
            what = (
                f"{_name(path)} must be a JSON object"
                if path
                else "The request body must be a JSON object"
            )
            problems.append(_body_problem(path, f"{what}, got {_json_type(value)}."))
            return
        for name in required:
            if name not in value:
                sub = (*path, name)
                problems.append(
                    Problem(
                        CODE_MISSING_REQUIRED,
                        TITLE_MISSING_REQUIRED,
                        f"{_name(sub)} is required.",
                        pointer=_pointer(sub),
                    )
                )
        for name, item in value.items():
            field = fields.get(name)
            if field is None:
                if check_extra is not None:
                    sub = (*path, name)
                    if item is None:
                        problems.append(_body_problem(sub, f"{_name(sub)} must not be null."))
                    else:
                        check_extra(item, sub, problems)
                continue
            check_field, nullable = field
            if item is None:
                if not nullable:
                    sub = (*path, name)
                    problems.append(_body_problem(sub, f"{_name(sub)} must not be null."))
                continue
            check_field(item, (*path, name), problems)

    return check_object


def _check_resolution(body: dict[str, Any], problems: list[Problem]) -> None:
    value = body.get("resolution")
    if not isinstance(value, str):
        return  # absent, null or already reported as not a string
    path: _Path = ("resolution",)
    match = _RESOLUTION_RE.match(value)
    if match is None:
        problems.append(
            _body_problem(
                path,
                f"resolution must be WIDTHxHEIGHT in pixels, such as 1280x720, got {_show(value)}.",
            )
        )
        return
    width, height = int(match[1]), int(match[2])
    for side, size in (("width", width), ("height", height)):
        if not MIN_RESOLUTION_SIDE <= size <= MAX_RESOLUTION_SIDE:
            problems.append(
                _body_problem(
                    path,
                    f"The resolution {side} must be between {MIN_RESOLUTION_SIDE} and "
                    f"{MAX_RESOLUTION_SIDE} pixels, got {size}.",
                )
            )
            return
    if width * height > MAX_RESOLUTION_PIXELS:
        problems.append(
            _body_problem(
                path,
                f"resolution must be at most {MAX_RESOLUTION_PIXELS} pixels in all (1920x1080), "
                f"got {value} ({width * height}).",
            )
        )


def _composition_extras() -> Callable[[dict[str, Any], list[Problem]], None]:
    formats: list[Any] = list(
        _contract.component_schema("RoomComposition")["properties"]["format"]["enum"]
    )

    def check_composition(body: dict[str, Any], problems: list[Problem]) -> None:
        _check_resolution(body, problems)
        value = body.get("format")
        if isinstance(value, str) and value not in formats:
            problems.append(
                _body_problem(
                    ("format",), f"format must be {_enum_text(formats)}, got {_show(value)}."
                )
            )

    return check_composition


_EXTRA_BODY_RULES: Final[
    Mapping[str, Callable[[], Callable[[dict[str, Any], list[Problem]], None]]]
] = {
    "CreateRoomComposition": _composition_extras,
}


# --------------------------------------------------------------------------- query parsing


def _query_problem(key: str, detail: str) -> Problem:
    return Problem(CODE_INVALID_VALUE, TITLE_INVALID_VALUE, detail, parameter=key)


def _compile_query_scalar(schema: Mapping[str, Any]) -> _QueryParse:
    type_name = schema.get("type", "string")
    minimum = schema.get("minimum")
    maximum = schema.get("maximum")
    enum: list[Any] | None = schema.get("enum")
    fmt: str | None = schema.get("format")

    if type_name == "integer":

        def parse_int(raw: str, key: str, problems: list[Problem]) -> Any:
            if _INT_RE.match(raw) is None:
                problems.append(
                    _query_problem(key, f"{key} must be a base-10 integer, got {_show(raw)}.")
                )
                return _INVALID
            if len(raw.lstrip("-").lstrip("0")) > _MAX_INT_DIGITS:
                # Beyond any bound of the contract (and int() refuses 4300+ digits anyway).
                bounds = (
                    _range_text(minimum, maximum)
                    if minimum is not None or maximum is not None
                    else f"an integer of at most {_MAX_INT_DIGITS} digits"
                )
                problems.append(_query_problem(key, f"{key} must be {bounds}, got {_show(raw)}."))
                return _INVALID
            value = int(raw)
            if (minimum is not None and value < minimum) or (
                maximum is not None and value > maximum
            ):
                problems.append(
                    _query_problem(
                        key, f"{key} must be {_range_text(minimum, maximum)}, got {value}."
                    )
                )
                return _INVALID
            return value

        return parse_int

    if type_name == "boolean":

        def parse_bool(raw: str, key: str, problems: list[Problem]) -> Any:
            if raw == "true":
                return True
            if raw == "false":
                return False
            problems.append(_query_problem(key, f"{key} must be true or false, got {_show(raw)}."))
            return _INVALID

        return parse_bool

    def parse_str(raw: str, key: str, problems: list[Problem]) -> Any:
        if enum is not None and raw not in enum:
            problems.append(
                _query_problem(key, f"{key} must be {_enum_text(enum)}, got {_show(raw)}.")
            )
            return _INVALID
        if fmt is not None:
            lacks = _format_error(fmt, raw)
            if lacks is not None:
                problems.append(_query_problem(key, f"{key} must be {lacks}, got {_show(raw)}."))
                return _INVALID
            if fmt == "date":
                return date.fromisoformat(raw)
        return raw

    return parse_str


@attrs.frozen
class _QueryEntry:
    path: tuple[str, ...]
    parse: _QueryParse


def _leaves(
    schema: Mapping[str, Any], prefix: tuple[str, ...]
) -> list[tuple[tuple[str, ...], Mapping[str, Any]]]:
    if schema.get("type") == "object" or "properties" in schema:
        found: list[tuple[tuple[str, ...], Mapping[str, Any]]] = []
        for name, prop in (schema.get("properties") or {}).items():
            found.extend(_leaves(prop, (*prefix, name)))
        return found
    return [(prefix, schema)]


def _raw_key(path: tuple[str, ...]) -> str:
    return path[0] + "".join(f"[{p}]" for p in path[1:])


def _summarize(keys: list[str]) -> str:
    """``filter[a], filter[d][eq|gte|lte]``: the known keys, compactly."""
    if not keys:
        return "none"
    groups: dict[str, list[str]] = {}
    for key in keys:
        head, sep, tail = key.partition("][")
        if sep:
            groups.setdefault(head + "]", []).append(tail.rstrip("]"))
        else:
            groups.setdefault(key, [])
    return ", ".join(head + (f"[{'|'.join(ops)}]" if ops else "") for head, ops in groups.items())


def _defaults(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: prop["default"]
        for name, prop in (schema.get("properties") or {}).items()
        if "default" in prop and not isinstance(prop["default"], dict | list)
    }


# --------------------------------------------------------------------------- operations


@attrs.frozen
class _OperationChecker:
    operation_id: str
    entries: Mapping[str, _QueryEntry]
    defaults: Mapping[str, Mapping[str, Any]]
    strict_prefixes: tuple[str, ...]
    known_filters: str
    required_query: tuple[str, ...]
    body_check: _BodyCheck | None
    body_required_fields: bool
    extra_body: Callable[[dict[str, Any], list[Problem]], None] | None

    def check(
        self, path: Mapping[str, str] | None, query: Mapping[str, str] | None, body: Any
    ) -> Checked:
        problems: list[Problem] = []
        parsed: dict[str, Any] = {name: dict(values) for name, values in self.defaults.items()}
        if query:
            self._parse_query(query, parsed, problems)
        checked_body: dict[str, Any] = {}
        if self.body_check is not None:
            if body is NO_BODY:
                if self.body_required_fields:
                    self.body_check({}, (), problems)
            else:
                self.body_check(body, (), problems)
                if isinstance(body, dict):
                    checked_body = body
                    if self.extra_body is not None:
                        self.extra_body(body, problems)
        if problems:
            raise ValidationFailed(problems)
        return Checked(path=dict(path) if path else {}, query=parsed, body=checked_body)

    def _parse_query(
        self, query: Mapping[str, str], parsed: dict[str, Any], problems: list[Problem]
    ) -> None:
        seen: set[str] = set()
        for key, raw in query.items():
            entry = self.entries.get(key)
            if entry is None:
                if key.startswith(self.strict_prefixes) or key in _STRICT_DEEP_PARAMS:
                    problems.append(
                        Problem(
                            CODE_UNKNOWN_PARAMETER,
                            TITLE_UNKNOWN_PARAMETER,
                            f"{key} is not a filter of {self.operation_id}; "
                            f"known filters: {self.known_filters}.",
                            parameter=key,
                        )
                    )
                continue
            if key in seen:
                problems.append(_query_problem(key, f"{key} must be given at most once."))
                continue
            seen.add(key)
            value = entry.parse(raw if isinstance(raw, str) else str(raw), key, problems)
            if value is _INVALID:
                continue
            target = parsed
            for part in entry.path[:-1]:
                target = target.setdefault(part, {})
            target[entry.path[-1]] = value
        for key in self.required_query:
            if key not in seen:
                problems.append(
                    Problem(
                        CODE_MISSING_REQUIRED,
                        TITLE_MISSING_REQUIRED,
                        f"{key} is required.",
                        parameter=key,
                    )
                )


def _build(operation_id: str) -> _OperationChecker:
    op = _contract.operation(operation_id)
    entries: dict[str, _QueryEntry] = {}
    defaults: dict[str, dict[str, Any]] = {}
    required_query: list[str] = []
    filter_keys: list[str] = []
    for param in op.parameters:
        if param.get("in") != "query":
            continue
        name: str = param["name"]
        schema: Mapping[str, Any] = param.get("schema") or {}
        deep = param.get("style") == "deepObject" or schema.get("type") == "object"
        if deep:
            for leaf_path, leaf_schema in _leaves(schema, (name,)):
                key = _raw_key(leaf_path)
                entries[key] = _QueryEntry(leaf_path, _compile_query_scalar(leaf_schema))
                if name in _STRICT_DEEP_PARAMS:
                    filter_keys.append(key)
            found = _defaults(schema)
            if found:
                defaults[name] = found
        else:
            entries[name] = _QueryEntry((name,), _compile_query_scalar(schema))
            if param.get("required"):
                required_query.append(name)
    body_check: _BodyCheck | None = None
    body_required_fields = False
    if op.body_schema is not None:
        body_check = _compile_body(
            op.body_schema, clearable=_CLEARABLE.get(operation_id, frozenset())
        )
        body_required_fields = bool(op.body_schema.get("required"))
    extra = _EXTRA_BODY_RULES.get(operation_id)
    return _OperationChecker(
        operation_id=operation_id,
        entries=entries,
        defaults=defaults,
        strict_prefixes=tuple(f"{p}[" for p in sorted(_STRICT_DEEP_PARAMS)),
        known_filters=_summarize(filter_keys),
        required_query=tuple(required_query),
        body_check=body_check,
        body_required_fields=body_required_fields,
        extra_body=extra() if extra is not None else None,
    )


_CHECKERS: dict[str, _OperationChecker] = {}


def check(
    operation_id: str,
    *,
    path: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = None,
    body: Any = NO_BODY,
) -> Checked:
    """Validate one request of ``operation_id`` against the contract.

    ``path`` is the route's match info (passed through), ``query`` the raw query (a mapping
    or multidict of strings), ``body`` the decoded JSON or `NO_BODY`. Returns the typed
    inputs; raises `ValidationFailed` listing every problem. An unknown
    ``operation_id`` is a programming error (`KeyError`).
    """
    checker = _CHECKERS.get(operation_id)
    if checker is None:
        checker = _CHECKERS[operation_id] = _build(operation_id)
    return checker.check(path, query, body)
