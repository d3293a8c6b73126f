"""Benchmark 5: parse cost of one 250-room page, per room, already JSON-decoded.

Ours runs what the paginator runs: the converter's ``Room`` hook on every item plus the
``PaginationMeta``. The official SDK runs what its client runs for a listing response:
``construct_type`` of the page model (its default, non-strict mode). Informational: no
target, the request benchmarks carry the gates.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks._common import Row, Settings, load_official, median_ratio, rotations
from benchmarks.server import room_page
from telnyx_video._converter import converter, structure
from telnyx_video.models import Page, PaginationMeta, Room

__all__ = ["run_parse"]

PAGE_SIZE = 250


def parse_ours(body: dict[str, Any]) -> Page[Room]:
    """Structure one listing body the way our paginator does."""
    hook = converter.get_structure_hook(Room)
    items = tuple(hook(item, Room) for item in body["data"])
    return Page(items=items, meta=structure(body["meta"], PaginationMeta))


def _official_parser() -> Callable[[dict[str, Any]], object] | None:
    telnyx = load_official()
    if telnyx is None:
        return None
    from telnyx._models import construct_type
    from telnyx.pagination import SyncDefaultFlatPagination
    from telnyx.types.room import Room as OfficialRoom

    page_type = SyncDefaultFlatPagination[OfficialRoom]

    def parse_official(body: dict[str, Any]) -> object:
        return construct_type(type_=page_type, value=body)

    return parse_official


def _per_room(parse: Callable[[dict[str, Any]], object], body: dict[str, Any], reps: int) -> float:
    started = time.perf_counter()
    for _ in range(reps):
        parse(body)
    return (time.perf_counter() - started) / reps / PAGE_SIZE


def run_parse(settings: Settings) -> list[Row]:
    """Measure and return the row of benchmark 5."""
    body = room_page(1, PAGE_SIZE, PAGE_SIZE)
    page = parse_ours(body)
    if len(page.items) != PAGE_SIZE or not isinstance(page.items[0], Room):
        raise RuntimeError("the parse benchmark did not build 250 rooms")
    parsers: dict[str, Callable[[dict[str, Any]], object]] = {"ours": parse_ours}
    official = _official_parser()
    if official is not None:
        parsers["official"] = official
    samples: dict[str, list[float]] = {}
    for name, parse in parsers.items():
        _per_room(parse, body, 2)
        samples[name] = []
    for order in rotations(list(parsers), settings.rounds):
        for name in order:
            samples[name].append(_per_room(parsers[name], body, settings.parse_reps))
    ours = f"{statistics.median(samples['ours']) * 1e6:.2f} us/room"
    if official is None:
        return [Row(benchmark="5. parse a 250-room page", ours=ours, reference="not installed")]
    return [
        Row(
            benchmark="5. parse a 250-room page, per room, vs official",
            ours=ours,
            reference=f"{statistics.median(samples['official']) * 1e6:.2f} us/room",
            ratio=median_ratio(samples["ours"], samples["official"]),
        )
    ]
