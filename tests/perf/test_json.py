"""``telnyx_video._json``: orjson when installed, the standard library otherwise, same results.

Each backend is forced in turn (``_json.use``); the lazy choice and the fallback without
orjson run in fresh interpreters, where ``sys.modules["orjson"] = None`` makes it
unimportable.
"""

from __future__ import annotations

import enum
import json
import math
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telnyx_video import _json

BACKENDS = list(_json.BACKENDS)


@pytest.fixture
def restore_backend() -> Iterator[None]:
    before = _json.backend()
    try:
        yield
    finally:
        _json.use(before)


def with_backend(name: str, func: Any, *args: Any) -> tuple[str, Any]:
    """``("ok", result)`` or ``("refused", kind)`` of ``func(*args)`` with backend ``name``."""
    _json.use(name)  # type: ignore[arg-type]
    try:
        return "ok", func(*args)
    except (ValueError, RecursionError):
        return "refused", ValueError
    except TypeError:
        return "refused", TypeError


#: JSON data both backends carry alike (integers within 64 bits: see the module docstring).
JSON_DATA = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)


@pytest.mark.usefixtures("restore_backend")
@settings(max_examples=200, deadline=None)
@given(value=JSON_DATA)
def test_both_backends_round_trip_json_data_alike(value: Any) -> None:
    results = {}
    for name in BACKENDS:
        _json.use(name)  # type: ignore[arg-type]
        encoded = _json.dumps(value)
        assert isinstance(encoded, bytes)
        assert _json.loads(encoded) == value
        assert json.loads(encoded) == value  # what the other end reads
        results[name] = _json.loads(encoded)
    assert results["orjson"] == results["stdlib"]


# Bytes that are JSON, almost JSON, or not at all: both backends agree on each.
DOCUMENTS = st.one_of(
    JSON_DATA.map(lambda v: json.dumps(v).encode()),
    JSON_DATA.map(lambda v: json.dumps(v)),
    st.binary(max_size=20),
    st.text(alphabet='[]{}":,0123456789.eE+-tfnaulrsNIy \\ud800', max_size=20),
    st.text(max_size=10).map(
        lambda t: json.dumps(t, ensure_ascii=False).encode("utf-8", "surrogatepass")
    ),
)


@pytest.mark.usefixtures("restore_backend")
@settings(max_examples=300, deadline=None)
@given(document=DOCUMENTS)
def test_both_backends_decode_any_input_alike(document: bytes | str) -> None:
    outcomes = [with_backend(name, _json.loads, document) for name in BACKENDS]
    assert outcomes[0] == outcomes[1], (document, outcomes)


@pytest.mark.usefixtures("restore_backend")
@pytest.mark.parametrize("name", BACKENDS)
@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (b'{"a": [1, 2.5, "x", true, null]}', {"a": [1, 2.5, "x", True, None]}),
        ('"\\ud800"', "\ud800"),  # a lone surrogate: orjson refuses, the stdlib decides
        (b'\xef\xbb\xbf{"bom": 1}', {"bom": 1}),  # UTF-8 with a byte-order mark
        ('{"caf\u00e9": "\u2603"}', {"caf\u00e9": "\u2603"}),
    ],
)
def test_decoding(name: str, document: bytes | str, expected: Any) -> None:
    _json.use(name)  # type: ignore[arg-type]
    assert _json.loads(document) == expected


@pytest.mark.usefixtures("restore_backend")
@pytest.mark.parametrize("name", BACKENDS)
def test_nesting_is_bounded(name: str) -> None:
    _json.use(name)  # type: ignore[arg-type]
    # The interpreter's default limit: mypy's API, run in-process by other tests, raises it.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        assert _json.loads("[" * 900 + "]" * 900) is not None
        with pytest.raises((ValueError, RecursionError)):
            _json.loads("[" * 1100 + "]" * 1100)  # deeper than either backend goes
    finally:
        sys.setrecursionlimit(limit)


@pytest.mark.usefixtures("restore_backend")
@pytest.mark.parametrize("name", BACKENDS)
@pytest.mark.parametrize(
    "document", [b"NaN", b"[Infinity]", b'{"a": -Infinity}', b"", b"{", b"\xff", b"[1,]", b"01"]
)
def test_non_json_is_refused_with_value_error(name: str, document: bytes) -> None:
    _json.use(name)  # type: ignore[arg-type]
    with pytest.raises(ValueError):  # any wording: the type is the contract
        _json.loads(document)


class Color(enum.StrEnum):
    RED = "red"


@pytest.mark.usefixtures("restore_backend")
@pytest.mark.parametrize("name", BACKENDS)
def test_encoding(name: str) -> None:
    _json.use(name)  # type: ignore[arg-type]
    assert _json.dumps({"a": [1, "\u2603", None], "b": (True,)}) == (
        '{"a":[1,"\u2603",null],"b":[true]}'.encode()
    )
    assert _json.dumps(Color.RED) == b'"red"'  # a str subclass, written as its value
    assert _json.dumps({"n": 2**70}) == b'{"n":1180591620717411303424}'
    for not_json in (datetime(2026, 1, 1, tzinfo=UTC), {1, 2}, object()):
        with pytest.raises(TypeError):
            _json.dumps(not_json)


@pytest.mark.usefixtures("restore_backend")
def test_the_documented_differences() -> None:
    _json.use("stdlib")
    assert _json.loads(b"18446744073709551616") == 2**64
    with pytest.raises(ValueError, match="Out of range float values"):
        _json.dumps(math.nan)
    _json.use("orjson")
    assert _json.loads(b"18446744073709551616") == float(2**64)
    assert _json.dumps(math.nan) == b"null"


@pytest.mark.usefixtures("restore_backend")
def test_use_switches_and_refuses_unknown_backends() -> None:
    assert _json.use("stdlib") == "stdlib"
    assert _json.backend() == "stdlib"
    assert _json.use(None) == "orjson"  # installed with the test extra
    with pytest.raises(ValueError, match="unknown JSON backend 'ujson'"):
        _json.use("ujson")  # type: ignore[arg-type]
    assert _json.backend() == "orjson"


def run_child(code: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_orjson_is_imported_on_first_use_only() -> None:
    out = run_child(
        "import sys, telnyx_video, telnyx_video._json as j\n"
        "before = 'orjson' in sys.modules\n"
        "value = j.loads(b'{\"a\": 1}')\n"
        "print(before, 'orjson' in sys.modules, j.backend(), value)"
    )
    assert out == "False True orjson {'a': 1}"


def test_without_orjson_the_stdlib_serves() -> None:
    out = run_child(
        "import sys; sys.modules['orjson'] = None\n"
        "import telnyx_video._json as j\n"
        "print(j.dumps({'a': [1]}), j.loads(b'[true]'), j.backend())\n"
        "try:\n"
        "    j.use('orjson')\n"
        "except ImportError:\n"
        "    print('orjson refused', j.backend())"
    )
    assert out.splitlines() == ["b'{\"a\":[1]}' [True] stdlib", "orjson refused stdlib"]
