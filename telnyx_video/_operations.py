"""The operation registry: which resource method carries out which operation of the contract.

Each public resource method names its contract ``operationId`` once, with ``@operation(...)``.
The CLI's commands and the contract tests' operation list are derived from the registry, and a
test checks it against the contract (``telnyx_video/emulator/openapi.json``): every operation
has exactly one method, every registered method an operation.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["Operation", "operation", "operations"]

F = TypeVar("F", bound=Callable[..., Any])

_registered: list[tuple[str, Callable[..., Any]]] = []


def operation(operation_id: str) -> Callable[[F], F]:
    """Record that the decorated resource method carries out ``operation_id``.

    The method itself is returned unchanged: the registry costs nothing per call.
    """

    def register(function: F) -> F:
        _registered.append((operation_id, function))
        return function

    return register


@attrs.frozen
class Operation:
    """One operation of the contract and the client method that carries it out."""

    operation_id: str
    """The contract's ``operationId``, e.g. ``"ListRooms"``."""
    resource: str
    """The client attribute holding the resource, e.g. ``"room_sessions"``."""
    method: str
    """The method's name, e.g. ``"list_participants"``."""
    function: Callable[..., Any]
    """The method as defined on the async resource class."""
    resource_class: type
    """The async resource class, e.g. ``AsyncRoomSessions``."""


def _operation(operation_id: str, function: Callable[..., Any]) -> Operation:
    owner = vars(sys.modules[function.__module__])[function.__qualname__.split(".")[0]]
    # Resources are named after their client attribute: AsyncRoomSessions is room_sessions.
    resource = re.sub(r"(?<!^)(?=[A-Z])", "_", owner.__name__.removeprefix("Async")).lower()
    return Operation(operation_id, resource, function.__name__, function, owner)


@functools.cache
def operations() -> tuple[Operation, ...]:
    """Every registered operation, in the order the resource modules define them."""
    import telnyx_video.resources  # noqa: F401 - importing the resources registers them

    return tuple(_operation(operation_id, function) for operation_id, function in _registered)
