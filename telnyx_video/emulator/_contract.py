"""The emulator's view of the OpenAPI contract.

The contract (``openapi.json``, a vendored copy of ``shared/spec/telnyx-video-openapi.json``)
is read once, on first use, through `importlib.resources`, so it works from a wheel or a
zip as well as from a source tree. Every ``$ref`` is resolved, and each operation is exposed
as an `Operation` with its parameters, its request body schema and its response
schemas.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

import attrs

__all__ = [
    "Operation",
    "body_defaults",
    "component_schema",
    "load_spec",
    "operation",
    "operations",
    "response_schema",
]

_SPEC_FILE = "openapi.json"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@functools.cache
def load_spec() -> Mapping[str, Any]:
    """The raw contract, parsed once; treat it as read-only."""
    text = resources.files(__package__ or "telnyx_video.emulator").joinpath(_SPEC_FILE)
    spec: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return spec


def _lookup(spec: Mapping[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $refs are supported, got {ref!r}")
    node: Any = spec
    for token in ref[2:].split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def _resolve(spec: Mapping[str, Any], node: Any, active: tuple[str, ...] = ()) -> Any:
    """A copy of ``node`` with every ``$ref`` replaced by its (resolved) target."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in active:
                raise ValueError(f"recursive $ref {ref!r} in the contract")
            return _resolve(spec, _lookup(spec, ref), (*active, ref))
        return {key: _resolve(spec, value, active) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(spec, item, active) for item in node]
    return node


@attrs.frozen
class Operation:
    """One operation of the contract, with every ``$ref`` resolved."""

    operation_id: str
    """The contract's ``operationId``, e.g. ``"CreateRoom"``."""
    method: str
    """Upper-case HTTP method."""
    path: str
    """Path template relative to the server root, e.g. ``"/rooms/{room_id}"``."""
    parameters: tuple[Mapping[str, Any], ...]
    """Path and query parameter objects (``name``, ``in``, ``schema``, ``style``...)."""
    body_schema: Mapping[str, Any] | None
    """JSON schema of the ``application/json`` request body, or ``None`` without a body."""
    responses: Mapping[str, Mapping[str, Any] | None]
    """Response schemas by status key (``"200"``, ``"4XX"``...); ``None`` when bodiless."""
    authenticated: bool = True
    """Whether the API key is required (``security: []`` in the contract says it is not)."""


def _json_schema(content_holder: Mapping[str, Any]) -> Mapping[str, Any] | None:
    content = content_holder.get("content") or {}
    media = content.get("application/json")
    if not media:
        return None
    schema = media.get("schema")
    return schema if isinstance(schema, dict) else None


@functools.cache
def operations() -> Mapping[str, Operation]:
    """Every operation of the contract, by ``operationId``."""
    spec = load_spec()
    found: dict[str, Operation] = {}
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in _METHODS:
            raw = item.get(method)
            if raw is None:
                continue
            op = _resolve(spec, raw)
            params = [_resolve(spec, p) for p in shared]
            names = {(p["in"], p["name"]) for p in op.get("parameters", [])}
            params = [p for p in params if (p["in"], p["name"]) not in names]
            params.extend(op.get("parameters", []))
            body = op.get("requestBody")
            found[op["operationId"]] = Operation(
                operation_id=op["operationId"],
                method=method.upper(),
                path=path,
                parameters=tuple(params),
                body_schema=_json_schema(body) if body else None,
                responses={
                    status: _json_schema(response)
                    for status, response in op.get("responses", {}).items()
                },
                authenticated=bool(op.get("security", spec.get("security"))),
            )
    return found


def operation(operation_id: str) -> Operation:
    """The operation named ``operation_id``; `KeyError` names the known ones."""
    try:
        return operations()[operation_id]
    except KeyError:
        known = ", ".join(sorted(operations()))
        raise KeyError(f"unknown operationId {operation_id!r}; known: {known}") from None


def response_schema(operation_id: str, status: int | str) -> Mapping[str, Any] | None:
    """The JSON schema of an operation's response for ``status``.

    Falls back to the ``"4XX"``/``"5XX"`` range key and then ``"default"``; ``None`` when
    the contract gives no JSON body for that status.
    """
    responses = operation(operation_id).responses
    key = str(status)
    for candidate in (key, f"{key[:1]}XX", "default"):
        if candidate in responses:
            return responses[candidate]
    return None


@functools.cache
def component_schema(name: str) -> Mapping[str, Any]:
    """A resolved schema of ``components/schemas`` (e.g. ``"Room"``, ``"RoomComposition"``)."""
    spec = load_spec()
    resolved: Mapping[str, Any] = _resolve(spec, spec["components"]["schemas"][name])
    return resolved


@functools.cache
def body_defaults(operation_id: str) -> Mapping[str, Any]:
    """The defaults of an operation's body fields that are values (``""`` and ``null``, which
    mean "none", left out): ``{"token_ttl_secs": 600, ...}``."""
    schema = operation(operation_id).body_schema or {}
    return {
        name: prop["default"]
        for name, prop in (schema.get("properties") or {}).items()
        if prop.get("default") not in (None, "")
    }
