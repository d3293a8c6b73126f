"""Benchmark 6: the cost of building the models of one 250-room page, already JSON-decoded.

CPU time per room (``time.process_time``), in this process:

* ours: what the paginator runs, the fast structure hook of ``Room`` on every item;
* cattrs by hand: a plain ``cattrs.Converter`` (no detailed validation) on our ``Room``,
  timestamps through ``datetime.fromisoformat``, nothing strict;
* the official SDK: ``construct_type`` of its page model, what its client runs for a listing.

Informational: the request benchmarks carry the gates.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from benchmarks._common import Row, Settings, load_official, median_ratio, rotations
from benchmarks.server import room_page
from telnyx_video._converter import fast_structure_hook
from telnyx_video.models import Room

__all__ = ["parse_ours", "run_parse"]

PAGE_SIZE = 250

Parser = Callable[[list[dict[str, Any]]], object]


def parse_ours(items: list[dict[str, Any]]) -> tuple[Room, ...]:
    """Build the rooms of a page the way our paginator does."""
    hook = fast_structure_hook(Room)
    return tuple(hook(item, Room) for item in items)


def _parse_cattrs_by_hand() -> Parser:
    import cattrs

    converter = cattrs.Converter(detailed_validation=False)
    converter.register_structure_hook(datetime, lambda value, _: datetime.fromisoformat(value))
    hook = converter.get_structure_hook(Room)
    return lambda items: [hook(item, Room) for item in items]


def _parse_official() -> Parser | None:
    if load_official() is None:
        return None
    from telnyx._models import construct_type
    from telnyx.pagination import SyncDefaultFlatPagination
    from telnyx.types.room import Room as OfficialRoom

    page_type = SyncDefaultFlatPagination[OfficialRoom]
    meta = {"page_number": 1, "page_size": 250, "total_pages": 1, "total_results": 250}
    return lambda items: construct_type(type_=page_type, value={"data": items, "meta": meta})


def _per_room(parse: Parser, items: list[dict[str, Any]], reps: int) -> float:
    started = time.process_time()
    for _ in range(reps):
        parse(items)
    return (time.process_time() - started) / reps / PAGE_SIZE


def run_parse(settings: Settings) -> list[Row]:
    """Measure and return the rows of benchmark 5."""
    items = room_page(1, PAGE_SIZE, PAGE_SIZE)["data"]
    rooms = parse_ours(items)
    if len(rooms) != PAGE_SIZE or not isinstance(rooms[0], Room):
        raise RuntimeError("the parse benchmark did not build 250 rooms")
    parsers: dict[str, Parser] = {"ours": parse_ours, "cattrs": _parse_cattrs_by_hand()}
    official = _parse_official()
    if official is not None:
        parsers["official"] = official
    samples: dict[str, list[float]] = {}
    for name, parse in parsers.items():
        _per_room(parse, items, 2)
        samples[name] = []
    for order in rotations(list(parsers), settings.rounds * 3):
        for name in order:
            samples[name].append(_per_room(parsers[name], items, settings.parse_reps))

    def us(name: str) -> str:
        return f"{statistics.median(samples[name]) * 1e6:.2f} us/room"

    rows = [
        Row(
            benchmark="6. build a 250-room page, CPU per room: ours vs cattrs by hand",
            ours=us("ours"),
            reference=us("cattrs"),
            ratio=median_ratio(samples["ours"], samples["cattrs"]),
        )
    ]
    if official is None:
        rows.append(
            Row(
                benchmark="6. build a 250-room page, CPU per room: vs official",
                ours=us("ours"),
                reference="not installed",
            )
        )
    else:
        rows.append(
            Row(
                benchmark="6. build a 250-room page, CPU per room: vs official",
                ours=us("ours"),
                reference=us("official"),
                ratio=median_ratio(samples["ours"], samples["official"]),
            )
        )
    return rows
