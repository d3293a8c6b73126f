"""The operation registry against the OpenAPI contract: each operation has exactly one client
method, and every filter key and body field of an operation is a keyword argument of it."""

from __future__ import annotations

import copy
import inspect
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

import telnyx_video
from telnyx_video import AsyncVideoClient
from telnyx_video._operations import Operation, operations
from telnyx_video.resources import AsyncRooms

# The emulator ships the contract it validates against: the same file as the shared spec.
SPEC_PATH = Path(telnyx_video.__file__).parent / "emulator" / "openapi.json"
SPEC: dict[str, Any] = json.loads(SPEC_PATH.read_text())
BY_ID = {op.operation_id: op for op in operations()}


def resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def contract_operations(spec: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """``(operationId, HTTP method, path, operation)`` of every operation of ``spec``."""
    found = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                found.append((op["operationId"], method.upper(), path, op))
    return found


def registry_problems(spec: dict[str, Any], registered: Iterable[Operation]) -> list[str]:
    """What keeps the registry from matching the contract one to one (empty: nothing)."""
    registered = list(registered)
    methods = Counter(op.operation_id for op in registered)
    problems = []
    for op_id, method, path, _ in contract_operations(spec):
        if methods[op_id] == 0:
            problems.append(
                f"{op_id} ({method} {path}) has no client method: "
                f"add one to a resource, decorated with @operation({op_id!r})"
            )
        elif methods[op_id] > 1:
            problems.append(f"{op_id} is carried out by {methods[op_id]} methods")
    known = {op_id for op_id, *_ in contract_operations(spec)}
    problems += [
        f"{op.resource}.{op.method} names {op.operation_id!r}, which the contract lacks"
        for op in registered
        if op.operation_id not in known
    ]
    return problems


def expected_keywords(op: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(keyword arguments, positional path ids) the contract implies."""
    keywords: set[str] = set()
    path_ids: set[str] = set()
    for param in op.get("parameters", []):
        param = resolve(param)
        if param["in"] == "path":
            path_ids.add(param["name"])
        elif param["name"] == "filter":
            keywords |= set(resolve(param["schema"])["properties"])
        elif param["name"] == "page":
            keywords.add("page_size")
        else:
            keywords.add(param["name"])
    body = op.get("requestBody")
    if body:
        schema = resolve(resolve(body)["content"]["application/json"]["schema"])
        keywords |= set(schema.get("properties", {}))
    return keywords, path_ids


def test_every_contract_operation_has_exactly_one_method_and_back() -> None:
    problems = registry_problems(SPEC, operations())
    assert not problems, "\n".join(problems)


def test_a_new_contract_operation_names_the_one_place_it_needs() -> None:
    spec = copy.deepcopy(SPEC)
    spec["paths"]["/rooms/{room_id}/actions/shelve"] = {
        "post": {"operationId": "ShelveRoom", "parameters": []}
    }

    assert registry_problems(spec, operations()) == [
        "ShelveRoom (POST /rooms/{room_id}/actions/shelve) has no client method: "
        "add one to a resource, decorated with @operation('ShelveRoom')"
    ]

    async def shelve(self: object, room_id: str) -> None:
        """Shelve a room."""

    # A decorated method is all it takes: the registry then matches the contract again.
    added = Operation("ShelveRoom", "rooms", "shelve", shelve, AsyncRooms)
    assert registry_problems(spec, [*operations(), added]) == []


def test_a_method_naming_an_unknown_operation_is_reported() -> None:
    odd = Operation("NoSuchOperation", "rooms", "odd", lambda: None, AsyncRooms)
    assert "rooms.odd names 'NoSuchOperation', which the contract lacks" in registry_problems(
        SPEC, [*operations(), odd]
    )


def test_a_second_method_for_one_operation_is_reported() -> None:
    twice = Operation("ViewRoom", "rooms", "get", lambda: None, AsyncRooms)
    assert "ViewRoom is carried out by 2 methods" in registry_problems(SPEC, [*operations(), twice])


def test_each_registered_method_is_reachable_on_the_client_under_its_names() -> None:
    client = AsyncVideoClient("k")
    for op in operations():
        resource = getattr(client, op.resource)
        assert type(resource) is op.resource_class
        assert getattr(op.resource_class, op.method) is op.function, op


@pytest.mark.parametrize(
    ("op_id", "method", "path", "op"),
    contract_operations(SPEC),
    ids=[o[0] for o in contract_operations(SPEC)],
)
def test_contract_parameters_are_keyword_arguments(
    op_id: str, method: str, path: str, op: dict[str, Any]
) -> None:
    assert op_id in BY_ID, f"{op_id} has no client method: see the registry check above"
    registered = BY_ID[op_id]
    params = inspect.signature(registered.function).parameters
    keywords, path_ids = expected_keywords(op)
    if op_id == "DeleteRoomRecordings":
        keywords.discard("page_size")  # a bulk delete has no pages to size
    for key in keywords:
        assert key in params, f"{registered.resource}.{registered.method} lacks {key}="
        assert params[key].kind is inspect.Parameter.KEYWORD_ONLY, key
    positional = [p for p in params.values() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    assert [p.name for p in positional if p.name != "self"] == sorted(path_ids)
    for common in ("timeout", "max_retries"):
        assert params[common].kind is inspect.Parameter.KEYWORD_ONLY
