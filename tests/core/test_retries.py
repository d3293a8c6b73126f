"""Retries and timeouts: which failures are retried, how often, and how long we wait."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime as http_date

import pytest
from _stub import DROP, Hang, Reply, StubServer

from telnyx_video import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncVideoClient,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    RetryPolicy,
)
from telnyx_video._retry import parse_retry_after

from .helpers import MakeClient, data, refused_port, room_json

OK_ROOM = Reply(200, data(room_json("r1")))
CREATED = Reply(201, data(room_json("r1")))
FAIL = {"errors": [{"code": "x", "title": "nope"}]}


class RetryLog:
    """The ``telnyx_video`` log records that announce a retry (they carry ``retry_delay``)."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self._caplog = caplog

    @property
    def records(self) -> list[logging.LogRecord]:
        return [r for r in self._caplog.records if hasattr(r, "retry_delay")]

    def field(self, name: str) -> list[object]:
        return [getattr(r, name) for r in self.records]

    @property
    def delays(self) -> list[object]:
        return self.field("retry_delay")


@pytest.fixture
def retries(caplog: pytest.LogCaptureFixture) -> RetryLog:
    caplog.set_level(logging.DEBUG, logger="telnyx_video")
    return RetryLog(caplog)


# --- safe methods (GET, DELETE) -------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_get_retries_retryable_statuses(
    server: StubServer,
    client: AsyncVideoClient,
    retries: RetryLog,
    status: int,
) -> None:
    server.on("GET", "/rooms/r1", Reply(status, FAIL))
    with pytest.raises(APIStatusError) as info:
        await client.rooms.retrieve("r1")
    assert info.value.status == status
    assert len(server.requests) == 3  # the first try and max_retries=2 retries
    assert retries.field("attempt") == [1, 2]
    assert all(isinstance(d, float) and 0 <= d <= 0.002 for d in retries.delays)


async def test_get_recovers_after_failures(
    server: StubServer, client: AsyncVideoClient, retries: RetryLog
) -> None:
    server.on("GET", "/rooms/r1", Reply(503, FAIL), Reply(500, FAIL), OK_ROOM)
    room = await client.rooms.retrieve("r1")
    assert room.id == "r1"
    assert len(server.requests) == 3
    assert retries.field("reason") == ["HTTP 503", "HTTP 500"]


async def test_get_retries_dropped_connections(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("GET", "/rooms/r1", DROP)
    with pytest.raises(APIConnectionError) as info:
        await client.rooms.retrieve("r1")
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.maybe_sent
    assert len(server.requests) == 3


async def test_get_recovers_after_a_drop(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms/r1", DROP, OK_ROOM)
    assert (await client.rooms.retrieve("r1")).id == "r1"
    assert len(server.requests) == 2


async def test_get_retries_timeouts(server: StubServer, make_client: MakeClient) -> None:
    client = make_client(timeout=0.05)
    server.on("GET", "/rooms/r1", Hang())
    with pytest.raises(APITimeoutError):
        await client.rooms.retrieve("r1")
    assert len(server.requests) == 3


async def test_delete_is_retried_like_get(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("DELETE", "/rooms/r1", Reply(500, FAIL), DROP, Reply(204))
    await client.rooms.delete("r1")
    assert len(server.requests) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 422])
async def test_client_errors_are_not_retried(
    server: StubServer, client: AsyncVideoClient, status: int
) -> None:
    server.on("GET", "/rooms/r1", Reply(status, FAIL))
    with pytest.raises(APIStatusError):
        await client.rooms.retrieve("r1")
    assert len(server.requests) == 1


async def test_safe_method_connection_refused(make_client: MakeClient, retries: RetryLog) -> None:
    with refused_port() as port:
        client = make_client(base_url=f"http://127.0.0.1:{port}/v2")
        with pytest.raises(APIConnectionError) as info:
            await client.rooms.retrieve("r1")
    assert info.value.maybe_sent is False
    assert f"127.0.0.1:{port}" in str(info.value)
    assert len(retries.records) == 2


# --- non-idempotent methods (POST, PATCH) ---------------------------------------------------


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
async def test_post_is_not_retried_on_ambiguous_statuses(
    server: StubServer, client: AsyncVideoClient, status: int
) -> None:
    server.on("POST", "/rooms", Reply(status, FAIL))
    with pytest.raises(APIStatusError):
        await client.rooms.create(max_participants=4)
    assert len(server.requests) == 1


async def test_post_is_not_retried_on_drop(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("POST", "/room_sessions/s1/actions/kick", DROP)
    with pytest.raises(APIConnectionError) as info:
        await client.room_sessions.kick("s1", participants="all")
    assert info.value.maybe_sent
    assert len(server.requests) == 1


async def test_post_is_not_retried_on_timeout(server: StubServer, make_client: MakeClient) -> None:
    client = make_client(timeout=0.05)
    server.on("POST", "/room_compositions", Hang())
    with pytest.raises(APITimeoutError):
        await client.room_compositions.create(session_id="s1")
    assert len(server.requests) == 1


async def test_patch_is_not_retried_on_5xx_drop_or_timeout(
    server: StubServer, make_client: MakeClient
) -> None:
    client = make_client(timeout=0.05)
    server.on("PATCH", "/rooms/a", Reply(500, FAIL))
    server.on("PATCH", "/rooms/b", DROP)
    server.on("PATCH", "/rooms/c", Hang())
    with pytest.raises(InternalServerError):
        await client.rooms.update("a", max_participants=3)
    with pytest.raises(APIConnectionError):
        await client.rooms.update("b", max_participants=3)
    with pytest.raises(APITimeoutError):
        await client.rooms.update("c", max_participants=3)
    assert [r.path for r in server.requests] == ["/v2/rooms/a", "/v2/rooms/b", "/v2/rooms/c"]


async def test_post_and_patch_are_retried_on_429(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("POST", "/rooms", Reply(429, FAIL), CREATED)
    server.on("PATCH", "/rooms/r1", Reply(429, FAIL), Reply(429, FAIL), OK_ROOM)
    await client.rooms.create(max_participants=4)
    await client.rooms.update("r1", max_participants=4)
    assert [r.method for r in server.requests] == ["POST", "POST", "PATCH", "PATCH", "PATCH"]
    assert all(r.json == {"max_participants": 4} for r in server.requests)


async def test_post_429_gives_up_after_max_retries(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("POST", "/rooms/r1/actions/refresh_client_token", Reply(429, FAIL))
    with pytest.raises(RateLimitError):
        await client.rooms.refresh_client_token("r1", refresh_token="t")
    assert len(server.requests) == 3


async def test_post_is_retried_when_the_connection_is_refused(
    make_client: MakeClient, retries: RetryLog
) -> None:
    with refused_port() as port:
        client = make_client(base_url=f"http://127.0.0.1:{port}/v2", max_retries=3)
        with pytest.raises(APIConnectionError) as info:
            await client.rooms.create(max_participants=4)
    assert info.value.maybe_sent is False
    assert retries.field("attempt") == [1, 2, 3]
    assert set(retries.field("method")) == {"POST"}


# --- Retry-After ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [("0", 0.0), ("0.004", 0.004), ("  0.003 ", 0.003)],
)
async def test_retry_after_seconds_are_honoured(
    server: StubServer,
    client: AsyncVideoClient,
    retries: RetryLog,
    header: str,
    expected: float,
) -> None:
    server.on("GET", "/rooms/r1", Reply(429, FAIL, headers={"Retry-After": header}), OK_ROOM)
    await client.rooms.retrieve("r1")
    assert retries.delays == [expected]


async def test_retry_after_on_503_is_honoured(
    server: StubServer, client: AsyncVideoClient, retries: RetryLog
) -> None:
    server.on("GET", "/rooms/r1", Reply(503, FAIL, headers={"Retry-After": "0.005"}), OK_ROOM)
    await client.rooms.retrieve("r1")
    assert retries.delays == [0.005]


async def test_retry_after_http_date_is_honoured(
    server: StubServer, make_client: MakeClient, retries: RetryLog
) -> None:
    # Without the header the wait would be exactly 0.002 s (no jitter): a date in the past
    # means "now", so the 0.0 below proves the date was read.
    client = make_client(retry_policy=RetryPolicy(initial_backoff=0.002, jitter=False))
    past = http_date(datetime.now(UTC) - timedelta(minutes=5), usegmt=True)
    server.on("GET", "/rooms/r1", Reply(429, FAIL, headers={"Retry-After": past}), OK_ROOM)
    await client.rooms.retrieve("r1")
    assert retries.delays == [0.0]


async def test_unusable_retry_after_falls_back_to_backoff(
    server: StubServer, make_client: MakeClient, retries: RetryLog
) -> None:
    client = make_client(retry_policy=RetryPolicy(initial_backoff=0.002, jitter=False))
    server.on("GET", "/rooms/r1", Reply(429, FAIL, headers={"Retry-After": "soon"}), OK_ROOM)
    await client.rooms.retrieve("r1")
    assert retries.delays == [0.002]


@pytest.mark.parametrize("header", ["120", "FUTURE"])
async def test_retry_after_over_the_cap_is_raised_at_once(
    server: StubServer, make_client: MakeClient, retries: RetryLog, header: str
) -> None:
    if header == "FUTURE":
        header = http_date(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    client = make_client(retry_policy=RetryPolicy(max_retry_after=60))
    server.on("GET", "/rooms/r1", Reply(429, FAIL, headers={"Retry-After": header}))
    with pytest.raises(RateLimitError) as info:
        await client.rooms.retrieve("r1")
    assert len(server.requests) == 1
    assert retries.records == []
    assert info.value.retry_after is not None
    assert info.value.retry_after > 60


def test_parse_retry_after() -> None:
    future = http_date(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    parsed = parse_retry_after(future)
    assert parsed is not None
    assert 27 <= parsed <= 31
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("-3") == 0.0
    for bad in (None, "", "nan", "inf", "tomorrow", "Mon, 99 Foo 2026"):
        assert parse_retry_after(bad) is None


# --- backoff --------------------------------------------------------------------------------


def test_backoff_is_exponential_capped_and_jittered() -> None:
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=8.0, jitter=False)
    assert [policy.backoff(n) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert policy.backoff(10_000) == 8.0
    jittered = RetryPolicy(initial_backoff=0.5, max_backoff=8.0)
    samples = [jittered.backoff(3) for _ in range(200)]
    assert all(0 <= s <= 4.0 for s in samples)
    assert len(set(samples)) > 1
    with pytest.raises(ValueError, match="initial_backoff"):
        RetryPolicy(initial_backoff=-1)


async def test_backoff_delays_grow_between_attempts(
    server: StubServer, make_client: MakeClient, retries: RetryLog
) -> None:
    client = make_client(
        max_retries=4,
        retry_policy=RetryPolicy(initial_backoff=0.001, max_backoff=0.004, jitter=False),
    )
    server.on("GET", "/rooms/r1", Reply(500, FAIL))
    with pytest.raises(InternalServerError):
        await client.rooms.retrieve("r1")
    assert retries.delays == [0.001, 0.002, 0.004, 0.004]
    assert len(server.requests) == 5


# --- per-call settings ----------------------------------------------------------------------


async def test_max_retries_per_client_and_per_call(
    server: StubServer, make_client: MakeClient
) -> None:
    server.on("GET", "/rooms/r1", Reply(500, FAIL))
    none = make_client(max_retries=0)
    with pytest.raises(InternalServerError):
        await none.rooms.retrieve("r1")
    assert len(server.requests) == 1
    with pytest.raises(InternalServerError):
        await none.rooms.retrieve("r1", max_retries=3)
    assert len(server.requests) == 1 + 4
    many = make_client(max_retries=5)
    with pytest.raises(InternalServerError):
        await many.rooms.retrieve("r1", max_retries=1)
    assert len(server.requests) == 5 + 2
    with pytest.raises(InternalServerError):
        await many.rooms.list(max_retries=0)
    assert len(server.calls("GET", "/rooms")) == 1  # unscripted: a 599, not retried here
    assert len(server.requests) == 7 + 1


async def test_per_call_timeout_overrides_the_client(
    server: StubServer, make_client: MakeClient
) -> None:
    client = make_client(timeout=30.0)
    server.on("GET", "/rooms/r1", Hang())
    with pytest.raises(APITimeoutError) as info:
        await client.rooms.retrieve("r1", timeout=0.05, max_retries=0)
    assert "timed out after 0.05 s" in str(info.value)
    assert info.value.maybe_sent
    assert len(server.requests) == 1


async def test_per_call_timeout_none_lifts_the_client_limit(
    server: StubServer, make_client: MakeClient
) -> None:
    client = make_client(timeout=0.05)
    release = asyncio.Event()
    server.on("GET", "/rooms/r1", Hang(release, then=OK_ROOM))
    task = asyncio.create_task(client.rooms.retrieve("r1", timeout=None, max_retries=0))
    await server.arrived.wait()
    done, _ = await asyncio.wait([task], timeout=0.3)  # well past the client's 0.05 s
    assert not done
    release.set()
    assert (await task).id == "r1"


async def test_timeout_raises_within_its_bound(server: StubServer, make_client: MakeClient) -> None:
    client = make_client(timeout=0.05, max_retries=0)
    server.on("GET", "/rooms", Hang())
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        await client.rooms.list()
    # Generous bound: only proves the call did not wait for the (never-ending) response.
    assert time.monotonic() - started < 10


async def test_retry_gives_up_on_the_last_error_class(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("GET", "/rooms/r1", Reply(500, FAIL), DROP, Reply(400, FAIL))
    with pytest.raises(BadRequestError):
        await client.rooms.retrieve("r1")
    assert len(server.requests) == 3


# --- a retried DELETE that finds the resource gone ------------------------------------------


NOT_FOUND = Reply(404, {"errors": [{"code": "10005", "title": "Not found"}]})


@pytest.mark.parametrize("first", [Reply(500, FAIL), Reply(503, FAIL), DROP])
async def test_delete_retry_answered_404_means_an_earlier_attempt_deleted_it(
    server: StubServer, client: AsyncVideoClient, first: object
) -> None:
    server.on("DELETE", "/rooms/r1", first, NOT_FOUND)
    assert await client.rooms.delete("r1") is None
    assert len(server.requests) == 2


async def test_delete_404_on_the_first_attempt_is_not_found(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("DELETE", "/rooms/r1", NOT_FOUND)
    with pytest.raises(APIStatusError) as info:
        await client.rooms.delete("r1")
    assert info.value.status == 404


async def test_delete_404_after_a_429_is_still_not_found(
    server: StubServer, client: AsyncVideoClient
) -> None:
    # A 429 is answered before anything happens, so it proves nothing was deleted.
    server.on("DELETE", "/rooms/r1", Reply(429, FAIL, headers={"Retry-After": "0"}), NOT_FOUND)
    with pytest.raises(APIStatusError) as info:
        await client.rooms.delete("r1")
    assert info.value.status == 404


async def test_get_404_after_a_5xx_is_still_not_found(
    server: StubServer, client: AsyncVideoClient
) -> None:
    server.on("GET", "/rooms/r1", Reply(500, FAIL), NOT_FOUND)
    with pytest.raises(APIStatusError) as info:
        await client.rooms.retrieve("r1")
    assert info.value.status == 404
