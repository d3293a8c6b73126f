"""How the CLI prints results: JSON (one object per line) or an aligned table."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol, TextIO

from telnyx_video._converter import unstructure
from telnyx_video.models import Room, RoomComposition, RoomParticipant, RoomRecording, RoomSession

__all__ = ["COLUMNS", "JsonPrinter", "Printer", "TablePrinter", "to_json_data"]

#: The columns a table shows for each kind of record, in order.
COLUMNS: dict[type, tuple[str, ...]] = {
    Room: (
        "id",
        "unique_name",
        "max_participants",
        "enable_recording",
        "active_session_id",
        "created_at",
    ),
    RoomSession: ("id", "room_id", "active", "created_at", "ended_at"),
    RoomParticipant: ("id", "session_id", "context", "joined_at", "left_at"),
    RoomRecording: (
        "id",
        "session_id",
        "participant_id",
        "type",
        "status",
        "duration_secs",
        "size_mb",
        "started_at",
    ),
    RoomComposition: (
        "id",
        "session_id",
        "status",
        "format",
        "resolution",
        "duration_secs",
        "created_at",
    ),
}


def to_json_data(value: Any) -> Any:
    """A model (or plain data) as JSON-ready data: datetimes as ISO strings, no ``None``s."""
    return unstructure(value)


def _cell(value: Any) -> str:
    """One table cell: timestamps shortened to the second, nested data summarized."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if len(value) >= 19 and value[10:11] == "T" and value.endswith("Z"):
            return value[:10] + " " + value[11:19]
        return value
    if isinstance(value, list | tuple):
        return f"{len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, Mapping):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _render(rows: list[list[str]], out: TextIO) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        out.write(line.rstrip() + "\n")


class Printer(Protocol):
    """Where the CLI's results go."""

    def item(self, data: Mapping[str, Any]) -> None:
        """One result (a record, a token, an action result)."""

    def list_item(self, data: Mapping[str, Any]) -> None:
        """One record of a listing."""

    def finish(self) -> None:
        """Flush what was buffered."""


class JsonPrinter:
    """Each result as one line of JSON, written as soon as it arrives."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def item(self, data: Mapping[str, Any]) -> None:
        self._out.write(json.dumps(data, ensure_ascii=False) + "\n")

    def list_item(self, data: Mapping[str, Any]) -> None:
        self.item(data)
        self._out.flush()

    def finish(self) -> None:
        self._out.flush()


class TablePrinter:
    """Listings as aligned columns of the key fields; single results as field/value pairs."""

    def __init__(self, out: TextIO, columns: tuple[str, ...] | None = None) -> None:
        """``columns``: those of a listing (empty: every field of its records), ``None`` when
        the command prints single results."""
        self._out = out
        self._columns = columns
        self._rows: list[Mapping[str, Any]] = []

    def item(self, data: Mapping[str, Any]) -> None:
        rows = [[key, _cell(value)] for key, value in data.items()]
        if rows:
            _render(rows, self._out)

    def list_item(self, data: Mapping[str, Any]) -> None:
        self._rows.append(data)

    def finish(self) -> None:
        if self._columns is not None:
            columns = self._columns or tuple(dict.fromkeys(k for row in self._rows for k in row))
            if columns:
                table = [[c.upper() for c in columns]]
                table += [[_cell(row.get(c)) for c in columns] for row in self._rows]
                _render(table, self._out)
        self._out.flush()
