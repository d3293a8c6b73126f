"""JSON for the wire: orjson when it is installed (``pip install telnyx-video[speedups]``),
the standard library otherwise, with the same results either way.

Call them through the module (``_json.loads(raw)``): the first call picks the backend, so
importing this module imports neither orjson nor anything else, and later calls go straight
to the chosen functions.

* `loads` takes the bytes (or text) of a body and returns plain ``dict``/``list``/``str``/
  ``int``/``float``/``bool``/``None`` values, or raises ``ValueError`` (or ``RecursionError``
  for absurdly deep nesting). Both backends are strict JSON: ``NaN``/``Infinity`` are
  refused. Whatever orjson refuses (lone surrogates, a byte-order mark, nesting deeper than
  1,024 levels) is decided by the standard library. Two differences are left, at the edges:
  orjson reads an integer beyond 64 bits as a ``float`` (the strict converter then refuses
  it for an integer field; no field of the API holds such numbers), and it decodes nesting
  between the interpreter's recursion limit (about 1,000 levels) and its own 1,024.
* `dumps` returns compact UTF-8 JSON bytes of JSON data (``dict`` with ``str`` keys,
  ``list``, ``tuple``, ``str``, ``int``, ``float``, ``bool``, ``None``; subclasses such as
  ``StrEnum`` members included), or raises ``TypeError``. What orjson refuses (integers beyond
  64 bits, subclasses, datetimes) goes to the standard library too. Only values that are not
  JSON data differ: orjson writes a non-finite float as ``null`` (the standard library
  raises ``ValueError``) and also writes enums and UUIDs. The SDK sends unstructured models,
  never those.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final, Literal

__all__ = ["BACKENDS", "backend", "dumps", "loads", "use"]

Backend = Literal["orjson", "stdlib"]

BACKENDS: Final[tuple[Backend, ...]] = ("orjson", "stdlib")
"""The backends, in order of preference."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_decoder = json.JSONDecoder(parse_constant=_refuse_constant)
_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _stdlib_loads(data: bytes | bytearray | str) -> Any:
    if not isinstance(data, str):
        data = data.decode(json.detect_encoding(data), "surrogatepass")
    return _decoder.decode(data)


def _stdlib_dumps(value: Any) -> bytes:
    return _encoder.encode(value).encode("utf-8", "surrogatepass")


def _orjson_functions() -> tuple[Callable[[Any], Any], Callable[[Any], bytes]]:
    import orjson  # the optional speedup: ImportError when it is not installed

    orjson_loads, orjson_dumps = orjson.loads, orjson.dumps
    refused, unencodable = orjson.JSONDecodeError, orjson.JSONEncodeError
    # Subclasses (StrEnum members...), datetimes and dataclasses raise instead of being
    # written in orjson's own way: the standard library then writes them, or refuses.
    passthrough = (
        orjson.OPT_PASSTHROUGH_SUBCLASS
        | orjson.OPT_PASSTHROUGH_DATETIME
        | orjson.OPT_PASSTHROUGH_DATACLASS
    )

    def orjson_then_stdlib_loads(data: bytes | bytearray | str) -> Any:
        try:
            return orjson_loads(data)
        except refused:
            return _stdlib_loads(data)  # decides, and words the error

    def orjson_then_stdlib_dumps(value: Any) -> bytes:
        try:
            return orjson_dumps(value, option=passthrough)
        except unencodable:
            return _stdlib_dumps(value)

    return orjson_then_stdlib_loads, orjson_then_stdlib_dumps


_chosen: Backend | None = None


def use(name: Backend | None) -> Backend:
    """Switch the backend: ``"orjson"``, ``"stdlib"``, or ``None`` for the best installed.

    Args:
        name: the backend to use; ``None`` picks orjson if it can be imported.

    Raises:
        ImportError: ``"orjson"`` was asked for and is not installed.
        ValueError: ``name`` is not a backend.
    """
    global _chosen, loads, dumps
    if name not in (*BACKENDS, None):
        raise ValueError(f"unknown JSON backend {name!r}; expected one of {BACKENDS}")
    if name != "stdlib":
        try:
            loads, dumps = _orjson_functions()
        except ImportError:
            if name == "orjson":
                raise
        else:
            _chosen = "orjson"
            return _chosen
    loads, dumps = _stdlib_loads, _stdlib_dumps
    _chosen = "stdlib"
    return _chosen


def backend() -> Backend:
    """The backend in use (picking it now if no call has yet)."""
    return _chosen if _chosen is not None else use(None)


def _first_loads(data: bytes | bytearray | str) -> Any:
    use(None)
    return loads(data)


def _first_dumps(value: Any) -> bytes:
    use(None)
    return dumps(value)


loads: Callable[[bytes | bytearray | str], Any] = _first_loads
"""Decode a JSON document (see the module's description)."""

dumps: Callable[[Any], bytes] = _first_dumps
"""Encode a value as compact UTF-8 JSON bytes (see the module's description)."""
