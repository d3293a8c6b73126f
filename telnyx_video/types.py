"""What the SDK's signatures are made of, besides the models: argument types and defaults.

Import them to annotate your own code:

```python
from telnyx_video.types import DateArg, Participants
```
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date
from typing import Final, Literal, TypeAlias

from telnyx_video.models import DateFilter

__all__ = ["DEFAULT_TIMEOUT", "NOT_GIVEN", "DateArg", "NotGiven", "Participants"]


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

DateArg: TypeAlias = DateFilter | date | str
"""A date filter argument: a [`DateFilter`][telnyx_video.models.DateFilter] for a range, or one
day as a `datetime.date` or an ISO ``YYYY-MM-DD`` string."""

Participants: TypeAlias = Literal["all"] | Sequence[str]
"""Whom a session action (kick, mute, unmute) applies to: ``"all"`` or a sequence of participant
ids."""
