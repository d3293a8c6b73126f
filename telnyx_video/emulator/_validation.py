"""Requests and responses checked against the contract with ``jsonschema``.

[`check()`][telnyx_video.emulator._validation.check] validates one request of an operation
(named by its ``operationId``) and returns its typed inputs as ``Checked``, or raises
``ValidationFailed`` (a 422 [`EmulatorError`][telnyx_video.emulator.EmulatorError]) whose
entries are Telnyx error objects, one per problem, each with a ``source``. The contract is
OpenAPI 3.1, so its schemas are JSON Schema 2020-12 (``38.0`` is an integer, ``true`` is not).

A body is validated against the operation's schema with the rules the contract states in
words added to it (``_contract_rules``): ``null`` is a value where the default is ``null``,
and in a PATCH for the fields without a concrete default (it clears them); a ``uri`` whose
default is ``""`` accepts ``""``; a composition's ``resolution`` is ``WIDTHxHEIGHT`` with each
side 16..1280 and at most 1280*720 pixels, its ``format`` one of the composition formats, its
``video_layout`` at most 2 regions whose ``video_sources`` are ids or ``"*"``.

A query string (``deepObject`` parameters such as ``filter[date_created_at][gte]``) is
decoded by hand into typed JSON (base-10 integers, ``true``/``false``, a known member given
empty is an empty object) and validated the same way. An unknown ``filter[...]`` member is
ignored and logged, like the real API ignores it, or refused in strict mode; other unknown
parameters are ignored. A query key given twice is refused.

Codes come from Telnyx's catalog: 10004 for a missing required field, 10003 for an invalid
URL, 10006 for an invalid id, 10015 for any other invalid value.
"""

from __future__ import annotations

import enum
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from typing import Any, Final
from urllib.parse import urlsplit

import attrs
import jsonschema
from jsonschema.exceptions import ValidationError

from telnyx_video.emulator import _contract
from telnyx_video.emulator._errors import EmulatorError, error_entry
from telnyx_video.errors import ErrorCode

__all__ = [
    "MAX_RESOLUTION_PIXELS",
    "MAX_RESOLUTION_SIDE",
    "MAX_VIDEO_REGIONS",
    "MIN_RESOLUTION_SIDE",
    "NO_BODY",
    "Checked",
    "Problem",
    "ResponseChecker",
    "ValidationFailed",
    "check",
]

logger = logging.getLogger("telnyx_video.emulator")

MIN_RESOLUTION_SIDE: Final = 16
"""Smallest composition width or height, in pixels."""
MAX_RESOLUTION_SIDE: Final = 1280
"""Largest composition width or height, in pixels."""
MAX_RESOLUTION_PIXELS: Final = 1280 * 720
"""Largest composition area (width * height), in pixels."""
MAX_VIDEO_REGIONS: Final = 2
"""Most regions a composition's ``video_layout`` may have."""

#: Query parameters whose unknown members are refused in strict mode (ignored otherwise).
_FILTER = "filter"
#: How many decoded query strings each operation remembers.
_QUERY_CACHE_SIZE = 256
#: Query integers longer than this (leading zeros aside) are out of any range of the contract.
_MAX_INT_DIGITS: Final = 18
_KEY_RE: Final = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)\Z")
_MEMBER_RE: Final = re.compile(r"\[([^\[\]]*)\]")
_UUID_RE: Final = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z")
_DATE_RE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_INT_RE: Final = re.compile(r"-?[0-9]+\Z")
_RESOLUTION_RE: Final = re.compile(r"([0-9]{1,6})x([0-9]{1,6})\Z")
_URL_FORBIDDEN_RE: Final = re.compile(r"[\x00-\x20\x7f]")
_TYPE_NAMES: Final = {
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "string": "a string",
    "array": "an array",
    "object": "a JSON object",
}


class _Marker(enum.Enum):
    NO_BODY = "NO_BODY"


NO_BODY: Final = _Marker.NO_BODY
"""Pass as ``body=`` when the request had no body (distinct from a JSON ``null``)."""


@attrs.frozen
class Problem:
    """One problem of a request, shaped like an entry of a Telnyx ``errors`` array."""

    code: ErrorCode
    detail: str
    pointer: str | None = None
    """JSON pointer into the body (``/max_participants``), for body problems."""
    parameter: str | None = None
    """Raw query key (``page[size]``), for query problems."""

    @property
    def title(self) -> str:
        """The catalog title of ``code``."""
        return self.code.catalog_title

    def to_json(self) -> dict[str, Any]:
        """The Telnyx error object: ``code``, ``title``, ``detail`` and ``source``."""
        return error_entry(self.code, self.detail, pointer=self.pointer, parameter=self.parameter)


class ValidationFailed(EmulatorError):
    """A request broke the contract: a 422 whose ``problems`` list every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(
            422,
            problems[0].code,
            "; ".join(p.detail for p in problems),
            entries=[p.to_json() for p in problems],
        )


@attrs.frozen
class Checked:
    """The validated inputs of one request."""

    path: dict[str, str]
    """Path parameters, untouched (an unknown or malformed id is a 404 of the handler)."""
    query: dict[str, Any]
    """Typed query: nested deep objects (``{"filter": {...}, "page": {...}}``), dates as
    `datetime.date`, ``page`` defaults applied, unknown members left out."""
    body: dict[str, Any]
    """The validated JSON object (whole floats of integer fields as ``int``, no defaults
    applied); ``{}`` when no body was sent."""
    operation_id: str
    """The operation the inputs were checked against."""

    def body_with_defaults(self) -> dict[str, Any]:
        """``body`` with the contract's defaults for the fields it leaves out."""
        return {**_contract.body_defaults(self.operation_id), **self.body}


# -- details --------------------------------------------------------------------------------

_Path = tuple[str | int, ...]


def _pointer(path: Iterable[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path) or "/"


def _name(path: _Path) -> str:
    if not path:
        return "the request body"
    out = str(path[0])
    for part in path[1:]:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _query_key(path: _Path) -> str:
    return str(path[0]) + "".join(f"[{p}]" for p in path[1:])


def _show(value: Any) -> str:
    """A short JSON rendering of a value for error details (deep nesting included)."""
    text = ""
    while isinstance(value, list | dict) and value:
        if len(text) >= 60:
            return text[:57] + "..."
        if isinstance(value, list):  # walk the opening brackets: no recursion on deep input
            text, value = text + "[", value[0]
        else:
            key = next(iter(value))
            text, value = text + "{" + json.dumps(str(key), ensure_ascii=False) + ": ", value[key]
    try:
        text += json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text += repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_JSON_TYPES: Final[Mapping[type, str]] = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _range_text(minimum: Any, maximum: Any) -> str:
    if minimum is not None and maximum is not None:
        return f"between {minimum} and {maximum}"
    return f"at least {minimum}" if minimum is not None else f"at most {maximum}"


def _enum_text(options: list[Any]) -> str:
    shown = [_show(o) for o in options]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _describe(schema: Mapping[str, Any]) -> str:
    if schema.get("enum"):
        return _enum_text(schema["enum"])
    if schema.get("type") == "array" and (schema.get("items") or {}).get("format") == "uuid":
        return "an array of ids"
    return _TYPE_NAMES.get(str(schema.get("type")), "a value")


# -- formats: what a string lacks, or None -------------------------------------------------


def _lacks_uuid(value: str) -> str | None:
    return None if _UUID_RE.match(value) else "a UUID (8-4-4-4-12 hexadecimal digits)"


def _lacks_date(value: str) -> str | None:
    if _DATE_RE.match(value) is None:
        return "a date in YYYY-MM-DD form"
    try:
        date.fromisoformat(value)
    except ValueError:
        return "a valid calendar date in YYYY-MM-DD form"
    return None


def _lacks_url(value: str) -> str | None:
    lacks = "an absolute URL with a scheme and a host (such as https://example.com/hooks)"
    if _URL_FORBIDDEN_RE.search(value):
        return lacks
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return lacks
    return None if parts.scheme and host else lacks


def _lacks_resolution(value: str) -> str | None:
    match = _RESOLUTION_RE.match(value)
    if match is None:
        return "WIDTHxHEIGHT in pixels, such as 1280x720"
    low, high = MIN_RESOLUTION_SIDE, MAX_RESOLUTION_SIDE
    for side, size in (("width", int(match[1])), ("height", int(match[2]))):
        if not low <= size <= high:
            return f"WIDTHxHEIGHT with a {side} between {low} and {high} pixels"
    if int(match[1]) * int(match[2]) > MAX_RESOLUTION_PIXELS:
        return f"at most {MAX_RESOLUTION_PIXELS} pixels in all (1280x720)"
    return None


def _lacks_video_source(value: str) -> str | None:
    return None if value == "*" or _UUID_RE.match(value) else 'a video recording id or "*"'


_FORMATS: Final[Mapping[str, Callable[[str], str | None]]] = {
    "uuid": _lacks_uuid,
    "date": _lacks_date,
    "uri": _lacks_url,
    "resolution": _lacks_resolution,
    "video-source": _lacks_video_source,
}
_FORMAT_CODES: Final = {
    "uri": ErrorCode.INVALID_URL,
    "uuid": ErrorCode.INVALID_ID,
    "video-source": ErrorCode.INVALID_ID,
}


def _format(validator: Any, fmt: str, instance: Any, schema: Mapping[str, Any]) -> Iterator[Any]:
    check = _FORMATS.get(fmt)
    if check is None or not isinstance(instance, str):
        return
    if instance == "" and schema.get("default") == "":
        return  # the contract's own default: "no URL"
    lacks = check(instance)
    if lacks is not None:
        yield ValidationError(lacks)


def _required(validator: Any, required: list[str], instance: Any, _: Any) -> Iterator[Any]:
    if isinstance(instance, dict):
        for name in required:
            if name not in instance:  # pointed at the missing member, not at its parent
                yield ValidationError(f"{name} is required", path=[name])


# jsonschema's own messages show the instance's repr, which a deeply nested value cannot
# afford: these keywords say only what failed (the details are written by ``_problems``).


def _type(validator: Any, types: Any, instance: Any, _: Any) -> Iterator[Any]:
    if not any(
        validator.is_type(instance, t) for t in (types if isinstance(types, list) else [types])
    ):
        yield ValidationError("wrong type")


def _enum(validator: Any, options: list[Any], instance: Any, _: Any) -> Iterator[Any]:
    if not any(type(option) is type(instance) and option == instance for option in options):
        yield ValidationError("not an option")


def _one_of(validator: Any, branches: list[Any], instance: Any, _: Any) -> Iterator[Any]:
    found = [list(validator.descend(instance, b, schema_path=i)) for i, b in enumerate(branches)]
    if sum(not errors for errors in found) != 1:
        yield ValidationError(
            "not exactly one branch", context=[e for errors in found for e in errors]
        )


def _max_properties(validator: Any, limit: int, instance: Any, _: Any) -> Iterator[Any]:
    if isinstance(instance, dict) and len(instance) > limit:
        yield ValidationError("too many members")


_Validator: Any = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator,
    {
        "format": _format,
        "required": _required,
        "type": _type,
        "enum": _enum,
        "oneOf": _one_of,
        "maxProperties": _max_properties,
    },
)


# -- the contract's rules in words, added to its schemas -----------------------------------


def _allow_null(schema: dict[str, Any]) -> None:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]


def _described(node: Any) -> Any:
    """A copy of ``node`` with the rules that descriptions state in words: ``video_layout``
    "limited to 2 regions", whose ``video_sources`` "can be \"*\"", and a composition's
    ``resolution`` "between 16 and 1280 [...] should not exceed 1280 * 720"."""
    if isinstance(node, list):
        return [_described(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _described(value) for key, value in node.items()}
    properties = node.get("properties") or {}
    if "video_layout" in properties:
        properties["video_layout"]["maxProperties"] = MAX_VIDEO_REGIONS
    if "video_sources" in properties:
        properties["video_sources"]["items"]["format"] = "video-source"
    if "resolution" in properties:
        properties["resolution"]["format"] = "resolution"
    return node


def _contract_rules(operation: _contract.Operation) -> dict[str, Any]:
    """The operation's body schema with the rules its descriptions state."""
    schema: dict[str, Any] = _described(operation.body_schema or {})
    properties: dict[str, Any] = schema.get("properties", {})
    for prop in properties.values():
        default = prop.get("default", "")
        if ("default" in prop and default is None) or (
            operation.method == "PATCH" and default in ("", None)
        ):
            _allow_null(prop)
    if operation.operation_id == "CreateRoomComposition":  # the formats a composition has
        composition = _contract.component_schema("RoomComposition")["properties"]
        properties["format"]["enum"] = list(composition["format"]["enum"])
    return schema


def _nullable_optionals(node: Any) -> Any:
    """``node`` with every optional property also accepting ``null``: the API sends ``null``
    for a field without a value (``download_url`` of a composition still processing)."""
    if isinstance(node, list):
        return [_nullable_optionals(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_optionals(value) for key, value in node.items()}
    required = set(node.get("required", ()))
    for name, prop in (node.get("properties") or {}).items():
        if name not in required:
            _allow_null(prop)
    return node


# -- from jsonschema errors to problems -----------------------------------------------------


def _fits(branch: Mapping[str, Any], value: Any) -> bool:
    kind = branch.get("type")
    return kind is None or _Validator.TYPE_CHECKER.is_type(value, kind)


def _problems(error: Any, where: Callable[[_Path], tuple[str, Problem]]) -> Iterator[Problem]:
    """The problems one jsonschema ``ValidationError`` stands for (a ``oneOf`` may stand for
    several)."""
    path: _Path = tuple(error.absolute_path)
    name, template = where(path)
    keyword, value, schema = error.validator, error.instance, error.schema
    code = ErrorCode.BAD_REQUEST
    if value is None and (path or template.parameter) and keyword in ("type", "oneOf"):
        detail = f"{name} must not be null."
    elif keyword == "oneOf":
        expected = " or ".join(_describe(branch) for branch in error.validator_value)
        fitting = [i for i, branch in enumerate(error.validator_value) if _fits(branch, value)]
        inner = [e for e in error.context or () if e.schema_path and e.schema_path[0] in fitting]
        if len(fitting) == 1 and inner:
            for sub in inner:
                for problem in _problems(sub, where):
                    if (
                        problem.pointer == template.pointer
                        and problem.parameter == template.parameter
                    ):
                        problem = attrs.evolve(
                            problem, detail=f"{name} must be {expected}, got {_show(value)}."
                        )
                    yield problem
            return
        detail = f"{name} must be {expected}, got {_show(value)}."
    elif keyword == "required":
        code, detail = ErrorCode.MISSING_REQUIRED_PARAMETER, f"{name} is required."
    elif keyword == "type":
        kind = error.validator_value
        kind = kind[0] if isinstance(kind, list) else kind
        if kind == "object":
            what = f"{name} must be" if path or template.parameter else "The request body must be"
            detail = f"{what} a JSON object, got {_json_type(value)}."
        else:
            detail = f"{name} must be {_TYPE_NAMES.get(kind, kind)}, got {_show(value)}."
    elif keyword in ("minimum", "maximum"):
        bounds = _range_text(schema.get("minimum"), schema.get("maximum"))
        detail = f"{name} must be {bounds}, got {_show(value)}."
    elif keyword == "enum":
        detail = f"{name} must be {_enum_text(error.validator_value)}, got {_show(value)}."
    elif keyword == "format":
        code = _FORMAT_CODES.get(error.validator_value, code)
        detail = f"{name} must be {error.message}, got {_show(value)}."
    elif keyword == "maxProperties":
        detail = f"{name} must have at most {error.validator_value} entries, got {len(value)}."
    else:
        detail = f"{name}: {error.message}."
    yield attrs.evolve(template, code=code, detail=detail)


def _collect(
    errors: Iterable[ValidationError],
    where: Callable[[_Path], tuple[str, Problem]],
    position: Callable[[ValidationError], tuple[int, ...]],
) -> list[Problem]:
    """The problems of ``errors`` in document order, one per location: a value of the wrong
    type is not also reported as out of its enum or range."""
    ranked = sorted(
        errors, key=lambda e: (position(e), len(e.absolute_path), e.validator != "type")
    )
    problems: dict[tuple[str | None, str | None], Problem] = {}
    for error in ranked:
        for problem in _problems(error, where):
            problems.setdefault((problem.pointer, problem.parameter), problem)
    return list(problems.values())


def _sort_key(document: Any, path: Iterable[str | int]) -> tuple[int, ...]:
    """Where ``path`` is in ``document``, in document order (missing members first)."""
    key: list[int] = []
    node = document
    for part in path:
        if isinstance(node, dict):
            key.append(list(node).index(part) if part in node else -1)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            key.append(part)
            node = node[part]
        else:
            key.append(-1)
    return tuple(key)


def _normalized(schema: Mapping[str, Any], value: Any) -> Any:
    """A valid ``value`` with the whole floats of integer fields as ``int`` (``38.0`` -> 38)."""
    kind = schema.get("type")
    if isinstance(value, float) and "integer" in (kind if isinstance(kind, list) else [kind]):
        return int(value)
    if isinstance(value, dict):
        props, extra = schema.get("properties") or {}, schema.get("additionalProperties")
        return {
            k: _normalized(props.get(k) or (extra if isinstance(extra, dict) else {}), v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        fitting = [b for b in schema.get("oneOf", ()) if _fits(b, value)]
        items = (fitting[0] if fitting else schema).get("items")
        return [_normalized(items if isinstance(items, dict) else {}, v) for v in value]
    return value


# -- operations -----------------------------------------------------------------------------


def _leaf_keys(schema: Mapping[str, Any], path: _Path) -> Iterator[str]:
    if schema.get("type") == "object":
        for member, sub in (schema.get("properties") or {}).items():
            yield from _leaf_keys(sub, (*path, member))
    else:
        yield _query_key(path)


def _summary(keys: Iterable[str]) -> str:
    """``filter[a], filter[d][eq|gte|lte]``: the known filters, compactly."""
    groups: dict[str, list[str]] = {}
    for key in keys:
        head, sep, tail = key.partition("][")
        groups.setdefault(head + "]" if sep else key, []).extend([tail.rstrip("]")] if sep else [])
    return (
        ", ".join(h + (f"[{'|'.join(ops)}]" if ops else "") for h, ops in groups.items()) or "none"
    )


class _Operation:
    """The compiled checks of one operation."""

    def __init__(self, operation: _contract.Operation) -> None:
        self.id = operation.operation_id
        self.params: dict[str, Mapping[str, Any]] = {}
        self.defaults: dict[str, dict[str, Any]] = {}
        required: list[str] = []
        for param in operation.parameters:
            if param.get("in") != "query":
                continue
            schema = param.get("schema") or {}
            self.params[param["name"]] = schema
            if param.get("required"):
                required.append(param["name"])
            defaults = {
                k: v["default"]
                for k, v in (schema.get("properties") or {}).items()
                if "default" in v
            }
            if defaults:
                self.defaults[param["name"]] = defaults
        query_schema = {"type": "object", "properties": self.params, "required": required}
        self.query_validator = _Validator(query_schema)
        filters = self.params.get(_FILTER)
        self.filters = _summary(_leaf_keys(filters, (_FILTER,))) if filters else "none"
        self.body_schema = _contract_rules(operation) if operation.body_schema else None
        self.body_validator = _Validator(self.body_schema) if self.body_schema else None
        self.body_required = bool((self.body_schema or {}).get("required"))
        self._queries: dict[tuple[Any, bool], tuple[dict[str, Any], list[str]]] = {}

    def check(
        self,
        path: Mapping[str, str] | None,
        query: Mapping[str, str] | None,
        body: Any,
        strict: bool,
    ) -> Checked:
        problems: list[Problem] = []
        # Decoded queries are remembered: a client asks for the same pages again and again.
        items = tuple((key, str(raw)) for key, raw in query.items()) if query else ()
        known = self._queries.get((items, strict))
        if known is None:
            known = self._query(items, problems, strict)
            if not problems:
                if len(self._queries) >= _QUERY_CACHE_SIZE:
                    self._queries.clear()
                self._queries[items, strict] = known
        parsed, ignored = known
        for key in ignored:
            logger.warning(
                "emulator: ignored %s, not a filter of %s (known: %s)", key, self.id, self.filters
            )
        checked_body: dict[str, Any] = {}
        if self.body_validator is not None and self.body_schema is not None:
            document = {} if body is NO_BODY else body
            if body is not NO_BODY or self.body_required:
                errors = self.body_validator.iter_errors(document)
                problems.extend(
                    _collect(errors, _body_problem, lambda e: _sort_key(document, e.absolute_path))
                )
            if not problems and isinstance(document, dict):
                checked_body = _normalized(self.body_schema, document)
        if problems:
            raise ValidationFailed(problems)
        return Checked(
            path=dict(path or {}), query=_copied(parsed), body=checked_body, operation_id=self.id
        )

    def _query(
        self, query: tuple[tuple[str, str], ...], problems: list[Problem], strict: bool
    ) -> tuple[dict[str, Any], list[str]]:
        """The typed query and the unknown filters it ignored (``problems`` gets the rest)."""
        decoded: dict[str, Any] = {}
        keys: dict[_Path, str] = {}
        seen: set[str] = set()
        ignored: list[str] = []
        for key, raw in query:
            match = _KEY_RE.match(key)
            if match is None:
                continue
            path: _Path = (match[1], *_MEMBER_RE.findall(match[2]))
            schema = self.params.get(match[1])
            for member in path[1:] if schema is not None else path:
                members = (schema or {}).get("properties")
                if not members or member not in members:
                    if path[0] == _FILTER and strict:
                        detail = f"{key} is not a filter of {self.id}; known filters: "
                        problems.append(
                            Problem(
                                ErrorCode.BAD_REQUEST, detail + f"{self.filters}.", parameter=key
                            )
                        )
                    elif path[0] == _FILTER:
                        ignored.append(key)
                    break  # other unknown parameters are ignored
                schema = members[member]
            else:
                value, wrong = _decode(schema or {}, raw, key)
                if key in seen:
                    wrong = f"{key} must be given at most once."
                seen.add(key)
                if wrong is not None:
                    problems.append(Problem(ErrorCode.BAD_REQUEST, wrong, parameter=key))
                    continue
                node: Any = decoded
                for part in path[:-1]:
                    node = node.setdefault(part, {})
                    if not isinstance(node, dict):
                        break
                else:
                    node[path[-1]] = value
                    keys[path] = key
        order = {key: i for i, (key, _) in enumerate(query)}

        def where(path: _Path) -> tuple[str, Problem]:
            key = next((keys[path[:n]] for n in range(len(path), 0, -1) if path[:n] in keys), None)
            key = key or _query_key(path)
            return key, Problem(ErrorCode.BAD_REQUEST, "", parameter=key)

        errors = self.query_validator.iter_errors(decoded)
        problems.extend(
            _collect(errors, where, lambda e: (order.get(where(tuple(e.absolute_path))[0], -1),))
        )
        for name, defaults in self.defaults.items():
            given = decoded.get(name)
            decoded[name] = {**defaults, **(given if isinstance(given, dict) else {})}
        return (decoded if problems else _dates(self.params, decoded)), ignored


def _copied(value: dict[str, Any]) -> dict[str, Any]:
    return {k: _copied(v) if isinstance(v, dict) else v for k, v in value.items()}


def _body_problem(path: _Path) -> tuple[str, Problem]:
    return _name(path), Problem(ErrorCode.BAD_REQUEST, "", pointer=_pointer(path))


def _decode(schema: Mapping[str, Any], raw: str, key: str) -> tuple[Any, str | None]:
    """A query value typed by its schema, or what is wrong with it."""
    kind = schema.get("type", "string")
    if kind == "object":
        return ({} if raw == "" else raw), None  # an empty member is an empty object
    if kind == "boolean":
        if raw in ("true", "false"):
            return raw == "true", None
        return None, f"{key} must be true or false, got {_show(raw)}."
    if kind == "integer":
        if _INT_RE.match(raw) is None:
            return None, f"{key} must be a base-10 integer, got {_show(raw)}."
        if len(raw.lstrip("-").lstrip("0")) > _MAX_INT_DIGITS:  # beyond any bound
            low, high = schema.get("minimum"), schema.get("maximum")
            bounds = _range_text(low, high) if low is not None or high is not None else "smaller"
            return None, f"{key} must be {bounds}, got {_show(raw)}."
        return int(raw), None
    return raw, None


def _dates(params: Mapping[str, Mapping[str, Any]], value: dict[str, Any]) -> dict[str, Any]:
    """The validated query with ``format: date`` strings as `datetime.date`."""
    for name, item in value.items():
        schema = params.get(name) or {}
        if isinstance(item, dict):
            _dates(schema.get("properties") or {}, item)
        elif isinstance(item, str) and schema.get("format") == "date":
            value[name] = date.fromisoformat(item)
    return value


_OPERATIONS: dict[str, _Operation] = {}


def check(
    operation_id: str,
    *,
    path: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = None,
    body: Any = NO_BODY,
    strict: bool = False,
) -> Checked:
    """Validate one request of ``operation_id`` against the contract.

    ``path`` is the route's match info (passed through), ``query`` the raw query (a mapping
    or multidict of strings), ``body`` the decoded JSON or ``NO_BODY``; ``strict`` refuses
    unknown ``filter[...]`` members. Returns the typed inputs; raises ``ValidationFailed``
    listing every problem. An unknown ``operation_id`` is a programming error (`KeyError`).
    """
    compiled = _OPERATIONS.get(operation_id)
    if compiled is None:
        compiled = _OPERATIONS[operation_id] = _Operation(_contract.operation(operation_id))
    return compiled.check(path, query, body, strict)


class ResponseChecker:
    """Validates the emulator's JSON responses per operation and status (a test aid); records
    violations as text. Optional fields may be ``null``, as the API sends them."""

    def __init__(self) -> None:
        self._validators: dict[tuple[str, int], Any] = {}
        self.violations: list[str] = []

    def check(self, operation_id: str, status: int, body: bytes | None) -> None:
        """Validate one response; a problem is appended to ``violations``."""
        where = f"{operation_id} {status}"
        responses = _contract.operation(operation_id).responses
        declared = str(status) in responses or f"{str(status)[0]}XX" in responses
        if status < 400 and not declared:
            self.violations.append(f"{where}: status not declared by the contract")
            return
        if status == 204:
            if body:
                self.violations.append(f"{where}: a 204 response must have no body")
            return
        try:
            document = json.loads(body) if body else None
        except ValueError:
            self.violations.append(f"{where}: the body is not JSON")
            return
        schema = _contract.response_schema(operation_id, status) if declared else None
        if schema is None and status >= 400:
            schema = _contract.component_schema("video_Errors")
            if not isinstance(document, dict) or not document.get("errors"):
                self.violations.append(f"{where}: an error response needs an errors list")
                return
        if schema is None:
            return
        validator = self._validators.get((operation_id, status))
        if validator is None:
            validator = self._validators[operation_id, status] = _Validator(
                _nullable_optionals(_described(schema))
            )
        for error in validator.iter_errors(document):
            self.violations.append(f"{where}: at {_pointer(error.absolute_path)}: {error.message}")
