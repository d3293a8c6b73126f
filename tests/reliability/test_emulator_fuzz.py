"""Ids, paths and request bodies under arbitrary input, through the real emulator.

Any string id either round-trips (the emulator's 404 names exactly the id that was sent)
or is refused by the client; no id (``..``, ``%2e%2e``, ``/``, ``?``, unicode, whitespace)
reaches another route. Arbitrary field values in a request body either get a typed 4xx
and change nothing, or succeed consistently with a follow-up retrieve.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from telnyx_video import (
    APIStatusError,
    AsyncVideoClient,
    BadRequestError,
    NotFoundError,
    Room,
    UnprocessableEntityError,
)
from telnyx_video._query import encode_id
from telnyx_video.emulator import Emulator

from .conftest import FAST_RETRIES

KEY = "fuzz-key"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TRICKY = [
    "..",
    ".",
    "../rooms",
    "..%2frooms",
    "%2e%2e",
    "%2E%2E/rooms",
    "/",
    "//",
    "a/../../rooms",
    "rooms/../room_sessions",
    "?filter[unique_name]=x",
    "#frag",
    "..\\..\\rooms",
    "\u2025",  # two-dot leader
    "\uff0e\uff0e",  # fullwidth dots
    "%00",
    "\x00",
    " leading",
    "trailing ",
    "\ttab",
    "ünïcødé",
    "\U0001f600",
    "a" * 300,
]

ids = (
    st.text(min_size=1, max_size=40)
    | st.sampled_from(TRICKY)
    | st.from_regex(r"\A[./%2eEfF\\?#&=]{1,12}\Z")
)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(api_key=KEY) as emu:
        yield emu


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[AsyncVideoClient]:
    async with AsyncVideoClient(
        KEY, base_url=emulator.base_url, retry_policy=FAST_RETRIES
    ) as client:
        yield client


@pytest.fixture
async def room(client: AsyncVideoClient) -> Room:
    """One room, which no fuzzed id may reach, change or delete."""
    return await client.rooms.create(unique_name="keep-me", max_participants=7)


@given(value=ids)
@example(value="..")
@example(value="a/b")
def test_encoded_id_is_one_opaque_segment(value: str) -> None:
    if not value.strip():
        with pytest.raises(ValueError):
            encode_id(value)
        return
    encoded = encode_id(value)
    assert unquote(encoded) == value
    assert "/" not in encoded
    assert "." not in encoded
    assert "?" not in encoded
    assert "#" not in encoded


Call = Callable[[AsyncVideoClient, str], Awaitable[Any]]

READS: dict[str, Call] = {
    "rooms.retrieve": lambda c, i: c.rooms.retrieve(i),
    "room_sessions.retrieve": lambda c, i: c.room_sessions.retrieve(i),
    "room_participants.retrieve": lambda c, i: c.room_participants.retrieve(i),
    "room_recordings.retrieve": lambda c, i: c.room_recordings.retrieve(i),
    "room_compositions.retrieve": lambda c, i: c.room_compositions.retrieve(i),
    "rooms.list_sessions": lambda c, i: c.rooms.list_sessions(i).first_page(),
}

WRITES: dict[str, Call] = {
    "rooms.update": lambda c, i: c.rooms.update(i, max_participants=2),
    "rooms.delete": lambda c, i: c.rooms.delete(i),
    "rooms.token": lambda c, i: c.rooms.generate_join_client_token(i),
    "room_sessions.end": lambda c, i: c.room_sessions.end(i),
    "room_recordings.delete": lambda c, i: c.room_recordings.delete(i),
    "room_compositions.delete": lambda c, i: c.room_compositions.delete(i),
}


def _refused_or_not_found(outcome: BaseException | None, value: str) -> None:
    """The only acceptable outcomes for an id that names nothing."""
    assert outcome is not None, f"{value!r} reached a resource"
    if isinstance(outcome, NotFoundError):
        assert outcome.status == 404
        detail = outcome.errors[0].detail or ""
        if len(value) <= 80:  # the emulator names the id it decoded: it round-tripped
            assert repr(value) in detail, outcome.errors
        return
    if isinstance(outcome, APIStatusError):
        # list_sessions of an unknown room may be an empty page or a 404; never 2xx data
        raise AssertionError(f"{value!r}: unexpected {outcome!r}")
    assert isinstance(outcome, ValueError | TypeError), repr(outcome)
    assert not value.strip() or any(0xD800 <= ord(ch) <= 0xDFFF for ch in value)


async def _outcome(call: Call, client: AsyncVideoClient, value: str) -> BaseException | None:
    try:
        result = await call(client, value)
    except (APIStatusError, ValueError, TypeError) as exc:
        return exc
    if isinstance(result, list | tuple) or hasattr(result, "items"):
        assert not getattr(result, "items", result), f"{value!r} listed {result!r}"
        return NotFoundError(status=404, errors=())  # an empty listing reached nothing
    return None


@FUZZ
@given(name=st.sampled_from(sorted(READS)), value=ids)
async def test_fuzzed_ids_never_reach_another_route(
    client: AsyncVideoClient, room: Room, name: str, value: str
) -> None:
    outcome = await _outcome(READS[name], client, value)
    if isinstance(outcome, NotFoundError) and not outcome.errors:
        return  # an empty listing
    _refused_or_not_found(outcome, value)


@FUZZ
@given(name=st.sampled_from(sorted(WRITES)), value=ids)
async def test_fuzzed_ids_never_change_anything(
    client: AsyncVideoClient, room: Room, name: str, value: str
) -> None:
    outcome = await _outcome(WRITES[name], client, value)
    _refused_or_not_found(outcome, value)
    assert await client.rooms.retrieve(room.id) == room


@pytest.mark.parametrize("value", ["\ud800", "a\udfffb"])
async def test_unencodable_ids_are_refused_before_sending(
    client: AsyncVideoClient, value: str
) -> None:
    with pytest.raises(ValueError):
        await client.rooms.retrieve(value)


async def test_the_real_id_round_trips(client: AsyncVideoClient, room: Room) -> None:
    assert (await client.rooms.retrieve(room.id)).id == room.id


# --- request bodies --------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["https://example.com/hook", "http://127.0.0.1:1/x", "", "ftp://x"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)

FIELDS = [
    "unique_name",
    "max_participants",
    "enable_recording",
    "webhook_event_url",
    "webhook_event_failover_url",
    "webhook_timeout_secs",
]
plausible = {
    "unique_name": st.text(max_size=30),
    "max_participants": st.integers(min_value=-5, max_value=100),
    "enable_recording": st.booleans(),
    "webhook_event_url": st.sampled_from(["https://example.com/h", "not a url", ""]),
    "webhook_event_failover_url": st.sampled_from(["https://example.com/f", "x"]),
    "webhook_timeout_secs": st.integers(min_value=-5, max_value=40),
}
changes = st.dictionaries(
    st.sampled_from(FIELDS), json_values, min_size=1, max_size=3
) | st.fixed_dictionaries({}, optional={k: v for k, v in plausible.items()}).filter(bool)


def _blank_name(fields: dict[str, Any]) -> bool:
    """The client refuses a blank unique_name itself, before sending (tests/core cover it)."""
    name = fields.get("unique_name")
    return isinstance(name, str) and not name.strip()


async def _refused_or(call: Awaitable[Room]) -> Room | APIStatusError:
    """The room a call returns, or the 400/422 refusal it raised."""
    try:
        return await call
    except (UnprocessableEntityError, BadRequestError) as exc:
        return exc


@FUZZ
@given(change=changes)
async def test_fuzzed_update_is_refused_or_consistent(
    client: AsyncVideoClient, room: Room, change: dict[str, Any]
) -> None:
    assume(not _blank_name(change))
    before = await client.rooms.retrieve(room.id)
    updated = await _refused_or(client.rooms.update(room.id, **change))
    if isinstance(updated, APIStatusError):
        assert updated.errors, "a refusal says what was wrong"
        assert await client.rooms.retrieve(room.id) == before  # nothing changed
        return
    after = await client.rooms.retrieve(room.id)
    assert after == updated
    for name, value in change.items():
        assert getattr(after, name) == value, (name, value, after)
    # Put the room back, so that every example starts from the same room.
    restore = {f: getattr(room, f) for f in FIELDS}
    await client.rooms.update(room.id, **restore)


@FUZZ
@given(fields=changes)
async def test_fuzzed_create_is_refused_or_consistent(
    client: AsyncVideoClient, room: Room, fields: dict[str, Any]
) -> None:
    assume(not _blank_name(fields))
    count_before = len([r async for r in client.rooms.list()])
    created = await _refused_or(client.rooms.create(**fields))
    if isinstance(created, APIStatusError):
        assert created.errors
        assert len([r async for r in client.rooms.list()]) == count_before
        return
    assert await client.rooms.retrieve(created.id) == created
    for name, value in fields.items():
        if value is not None:
            assert getattr(created, name) == value, (name, value, created)
    await client.rooms.delete(created.id)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 2**80, -1, 1.5, "10", True])
async def test_out_of_range_numbers_are_refused(
    client: AsyncVideoClient, room: Room, value: Any
) -> None:
    """NaN and infinities would be invalid JSON; the rest violate the schema."""
    with pytest.raises((UnprocessableEntityError, BadRequestError)):
        await client.rooms.update(room.id, max_participants=value)
    assert await client.rooms.retrieve(room.id) == room
