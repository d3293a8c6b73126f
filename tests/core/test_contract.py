"""Every filter key and body field of the OpenAPI contract is a keyword argument."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

import telnyx_video
from telnyx_video import AsyncVideoClient

# The emulator ships the contract it validates against: the same file as the shared spec.
SPEC_PATH = Path(telnyx_video.__file__).parent / "emulator" / "openapi.json"
SPEC: dict[str, Any] = json.loads(SPEC_PATH.read_text())

OPERATIONS = {
    "ListRooms": ("rooms", "list"),
    "CreateRoom": ("rooms", "create"),
    "ViewRoom": ("rooms", "retrieve"),
    "UpdateRoom": ("rooms", "update"),
    "DeleteRoom": ("rooms", "delete"),
    "RetrieveListRoomSessions": ("rooms", "list_sessions"),
    "CreateRoomClientToken": ("rooms", "generate_join_client_token"),
    "RefreshRoomClientToken": ("rooms", "refresh_client_token"),
    "ListRoomSessions": ("room_sessions", "list"),
    "ViewRoomSession": ("room_sessions", "retrieve"),
    "RetrieveListRoomParticipants": ("room_sessions", "list_participants"),
    "EndSession": ("room_sessions", "end"),
    "KickParticipantInSession": ("room_sessions", "kick"),
    "MuteParticipantInSession": ("room_sessions", "mute"),
    "UnmuteParticipantInSession": ("room_sessions", "unmute"),
    "ListRoomParticipants": ("room_participants", "list"),
    "ViewRoomParticipant": ("room_participants", "retrieve"),
    "ListRoomRecordings": ("room_recordings", "list"),
    "ViewRoomRecording": ("room_recordings", "retrieve"),
    "DeleteRoomRecording": ("room_recordings", "delete"),
    "DeleteRoomRecordings": ("room_recordings", "delete_many"),
    "ListRoomCompositions": ("room_compositions", "list"),
    "CreateRoomComposition": ("room_compositions", "create"),
    "ViewRoomComposition": ("room_compositions", "retrieve"),
    "DeleteRoomComposition": ("room_compositions", "delete"),
}


def resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations() -> list[tuple[str, str, str, dict[str, Any]]]:
    found = []
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                found.append((op["operationId"], method.upper(), path, op))
    return found


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


def test_every_operation_is_mapped() -> None:
    assert {op_id for op_id, *_ in operations()} == set(OPERATIONS)


@pytest.mark.parametrize(
    ("op_id", "method", "path", "op"), operations(), ids=[o[0] for o in operations()]
)
def test_contract_parameters_are_keyword_arguments(
    op_id: str, method: str, path: str, op: dict[str, Any]
) -> None:
    resource, name = OPERATIONS[op_id]
    func = getattr(getattr(AsyncVideoClient("k"), resource), name)
    params = inspect.signature(func).parameters
    keywords, path_ids = expected_keywords(op)
    if op_id == "DeleteRoomRecordings":
        keywords.discard("page_size")  # a bulk delete has no pages to size
    for key in keywords:
        assert key in params, f"{resource}.{name} lacks {key}="
        assert params[key].kind is inspect.Parameter.KEYWORD_ONLY, key
    positional = [p for p in params.values() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    assert [p.name for p in positional] == sorted(path_ids)
    for common in ("timeout", "max_retries"):
        assert params[common].kind is inspect.Parameter.KEYWORD_ONLY
