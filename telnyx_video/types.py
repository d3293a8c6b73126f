"""What the SDK's signatures are made of, besides the models: argument types and defaults.

Import them to annotate your own code:

```python
from telnyx_video.types import DateArg, Participants
```
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Sequence
from datetime import date
from typing import IO, TYPE_CHECKING, Any, Final, Literal, TypeAlias

from telnyx_video.models import DateFilter

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "DEFAULT_MAX_RESPONSE_SIZE",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "DateArg",
    "Destination",
    "NotGiven",
    "Participants",
    "Progress",
    "TraceConfigs",
]


class NotGiven(enum.Enum):
    """Marks an argument the caller did not pass (distinct from an explicit ``None``)."""

    NOT_GIVEN = enum.auto()

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> Literal[False]:
        return False


NOT_GIVEN: Final = NotGiven.NOT_GIVEN
"""The default of arguments for which ``None`` is a value of its own: a per-call ``timeout`` left
out uses the client's (``None`` means no limit), a field left out of
[`update()`][telnyx_video.resources.AsyncRooms.update] stays as it is (``None`` clears it)."""

DEFAULT_TIMEOUT: Final = 30.0
"""Seconds each attempt of a request may take, unless the client or the call sets a ``timeout``."""

DEFAULT_MAX_RESPONSE_SIZE: Final = 16 * 1024 * 1024
"""The largest response body (16 MiB, once decompressed) a client accepts unless it sets its own
``max_response_size``: far above any real page, far below what a hostile answer could cost."""

if TYPE_CHECKING:
    TraceConfigs: TypeAlias = Sequence[aiohttp.TraceConfig]
else:  # the precise type needs aiohttp, which is imported on first use only
    TraceConfigs: TypeAlias = Sequence[Any]
"""``aiohttp.TraceConfig`` objects the client's session calls back (OpenTelemetry's aiohttp
instrumentation provides one)."""

DateArg: TypeAlias = DateFilter | date | str
"""A date filter argument: a [`DateFilter`][telnyx_video.models.DateFilter] for a range, or one
day as a `datetime.date` or an ISO ``YYYY-MM-DD`` string."""

Participants: TypeAlias = Literal["all"] | Sequence[str]
"""Whom a session action (kick, mute, unmute) applies to: ``"all"`` or a sequence of participant
ids."""

Destination: TypeAlias = str | os.PathLike[str] | IO[bytes]
"""Where a download goes: a file path, an existing directory (the file is named after the
media, see [`media_filename()`][telnyx_video.downloads.media_filename]), or a binary file
object opened for writing."""

Progress: TypeAlias = Callable[[int, int | None], None]
"""A download's progress callback: ``progress(bytes_so_far, total)``, ``total`` being ``None``
when the storage does not say. Called on the client's event loop, after each piece (1 MiB)
and once at the end."""
