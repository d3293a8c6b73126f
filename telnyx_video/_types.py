"""Small shared types: the ``NOT_GIVEN`` sentinel and the ``TraceConfigs`` alias."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

if TYPE_CHECKING:
    import aiohttp

    TraceConfigs: TypeAlias = Sequence[aiohttp.TraceConfig]
else:  # the precise type needs aiohttp, which is imported on first use only
    TraceConfigs: TypeAlias = Sequence[Any]

__all__ = ["NOT_GIVEN", "NotGiven", "TraceConfigs"]


class NotGiven(enum.Enum):
    """Marks an argument the caller did not pass (distinct from an explicit ``None``)."""

    NOT_GIVEN = enum.auto()

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> Literal[False]:
        return False


NOT_GIVEN: Final = NotGiven.NOT_GIVEN
