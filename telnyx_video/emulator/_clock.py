"""The emulator's clock (real time by default, movable forward by tests) and what is due on it."""

from __future__ import annotations

import heapq
import itertools
import math
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = ["Clock", "Scheduler"]

#: The clock stops a century short of ``datetime.max``, so every instant the emulator
#: schedules from it (token expiry, processing) stays representable.
_LATEST = datetime(9900, 1, 1, tzinfo=UTC)


class Clock:
    """A clock that follows real time (or stands still) and can be moved forward.

    ``Clock()`` follows the system clock; ``Clock(start=datetime(...))`` starts at that instant and
    only moves when [`advance()`][telnyx_video.emulator.Clock.advance] is called, which makes tests
    exact. Either way [`advance()`][telnyx_video.emulator.Clock.advance] shifts the clock forward by
    the given number of seconds, and [`reset()`][telnyx_video.emulator.Clock.reset] undoes those
    shifts.
    """

    __slots__ = ("_frozen_at", "_lock", "_offset")

    def __init__(self, start: datetime | None = None) -> None:
        if start is not None and start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._frozen_at = start.astimezone(UTC) if start is not None else None
        self._offset = timedelta()
        self._lock = threading.Lock()

    @property
    def frozen(self) -> bool:
        """Whether the clock only moves through
        [`advance()`][telnyx_video.emulator.Clock.advance]."""
        return self._frozen_at is not None

    def now(self) -> datetime:
        """The current emulated instant, timezone-aware UTC."""
        base = self._frozen_at if self._frozen_at is not None else datetime.now(UTC)
        return base + self._offset

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` (>= 0) and return the new instant.

        Raises ``ValueError`` for a negative or non-finite amount, or one that would take
        the clock within a century of the end of the calendar (year 9999).
        """
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise TypeError(f"seconds must be a number, got {seconds!r}")
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("the clock only moves forward, by a finite number of seconds")
        with self._lock:
            base = self._frozen_at if self._frozen_at is not None else datetime.now(UTC)
            if seconds > (_LATEST - (base + self._offset)).total_seconds():
                raise ValueError(f"the clock cannot move past {_LATEST.year - 1}")
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def reset(self) -> datetime:
        """Undo every [`advance()`][telnyx_video.emulator.Clock.advance]: a frozen clock goes back
        to its start, a real-time one back to real time. Returns the new instant."""
        with self._lock:
            self._offset = timedelta()
        return self.now()

    def __repr__(self) -> str:
        mode = "frozen" if self.frozen else "real-time"
        return f"<Clock {mode} now={self.now().isoformat()}>"


class Scheduler:
    """Callbacks due at instants of the emulator's clock, run by
    [`run_due()`][telnyx_video.emulator._clock.Scheduler.run_due] in the order they fall due
    (ties in the order they were scheduled); each gets the instant it was due."""

    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self._seq = itertools.count()

    def at(self, when: datetime, callback: Callable[[datetime], None]) -> None:
        """Run ``callback(when)`` once the clock reaches ``when``."""
        heapq.heappush(self._heap, (when, next(self._seq), callback))

    @property
    def next_due(self) -> datetime | None:
        """The earliest instant something is due, if anything is."""
        return self._heap[0][0] if self._heap else None

    def run_due(self, now: datetime) -> None:
        """Run every callback due at ``now``, earliest first (including those they schedule)."""
        heap = self._heap
        while heap and heap[0][0] <= now:
            when, _, callback = heapq.heappop(heap)
            callback(when)
