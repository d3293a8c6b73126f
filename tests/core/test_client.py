"""``AsyncVideoClient`` configuration, session ownership and lifecycle."""

from __future__ import annotations

import logging
import traceback

import aiohttp
import pytest
from _stub import Reply, StubServer

from telnyx_video import (
    APIConnectionError,
    AsyncVideoClient,
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    VideoClient,
)
from telnyx_video._operations import operations

from .helpers import API_KEY, MakeClient, data, refused_port, room_json

OK_ROOM = Reply(200, data(room_json("r1")))


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELNYX_API_KEY", raising=False)
    monkeypatch.delenv("TELNYX_BASE_URL", raising=False)


# --- API key --------------------------------------------------------------------------------


KEYS_WITH_CONTROLS = [
    "KEY-abc\x00def",
    "KEY-abc\r\nX-Injected: 1",
    "KEY-abc\ndef",
    "KEY-abc\x7fdef",
    "KEY-abc\x1bdef",
    "KEY-abc\x85def",
]


@pytest.mark.parametrize("key", KEYS_WITH_CONTROLS)
@pytest.mark.parametrize("cls", [AsyncVideoClient, VideoClient])
def test_a_key_with_control_characters_is_refused_at_construction(
    key: str, cls: type[AsyncVideoClient | VideoClient]
) -> None:
    """Typed and early, not an untyped ValueError from aiohttp on every call."""
    with pytest.raises(ConfigurationError, match="control character at index 7") as info:
        cls(key)
    assert "abc" not in str(info.value)  # never quotes the key
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


@pytest.mark.parametrize("key", KEYS_WITH_CONTROLS[1:4])  # (no NUL in an environment)
def test_a_key_from_the_environment_with_control_characters_is_refused(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setenv("TELNYX_API_KEY", key)
    with pytest.raises(ConfigurationError, match="control character"):
        AsyncVideoClient()


def test_surrounding_whitespace_and_unicode_in_a_key_are_fine() -> None:
    """A trailing newline (from a file) is stripped; only control characters inside are refused."""
    AsyncVideoClient("KEY-abc\n")
    AsyncVideoClient(" KEY-abc\t")
    AsyncVideoClient("KEY-\u00e9t\u00e9")  # refused by the API (401), not by us


@pytest.mark.parametrize("cls", [AsyncVideoClient, VideoClient])
def test_repr_of_a_half_built_client_does_not_raise(
    cls: type[AsyncVideoClient | VideoClient],
) -> None:
    """Error trackers and debuggers repr the frame locals of a failed __init__ (its self)."""
    with pytest.raises(ConfigurationError) as info:
        cls("KEY-abc\x00")
    frames = [frame for frame, _ in traceback.walk_tb(info.tb)]
    half_built = [f.f_locals["self"] for f in frames if isinstance(f.f_locals.get("self"), cls)]
    assert half_built
    for client in half_built:
        assert repr(client) == f"{cls.__name__}(base_url=None)"
    assert repr(cls.__new__(cls)) == f"{cls.__name__}(base_url=None)"


@pytest.mark.parametrize("key", [None, "", "   "])
def test_missing_key_fails_at_construction(key: str | None) -> None:
    with pytest.raises(ConfigurationError, match="TELNYX_API_KEY"):
        AsyncVideoClient(key)


async def test_key_from_environment(server: StubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELNYX_API_KEY", "env-key")
    server.on("GET", "/rooms/r1", OK_ROOM)
    async with AsyncVideoClient(base_url=server.base_url) as client:
        await client.rooms.retrieve("r1")
    assert server.requests[0].headers["Authorization"] == "Bearer env-key"


async def test_explicit_key_wins_over_environment(
    server: StubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELNYX_API_KEY", "env-key")
    server.on("GET", "/rooms/r1", OK_ROOM)
    async with AsyncVideoClient(" given-key ", base_url=server.base_url) as client:
        await client.rooms.retrieve("r1")
    assert server.requests[0].headers["Authorization"] == "Bearer given-key"


# --- base URL -------------------------------------------------------------------------------


async def test_base_url_from_environment(
    server: StubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELNYX_BASE_URL", server.base_url + "/")
    server.on("GET", "/rooms/r1", OK_ROOM)
    async with AsyncVideoClient(API_KEY) as client:
        assert client.base_url == server.base_url
        await client.rooms.retrieve("r1")
    assert server.requests[0].raw_path == "/v2/rooms/r1"


def test_default_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    client = AsyncVideoClient(API_KEY)
    assert client.base_url == "https://api.telnyx.com/v2"
    monkeypatch.setenv("TELNYX_BASE_URL", "https://other.example/v9")
    assert AsyncVideoClient(API_KEY).base_url == "https://other.example/v9"
    assert AsyncVideoClient(API_KEY, base_url="https://x.example/v2").base_url == (
        "https://x.example/v2"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://api.telnyx.com/v2",
        "http://10.0.0.5:8080/v2",
        "http://127.0.0.1.example.com/v2",
        "http://localhost.evil.example/v2",
    ],
)
def test_plain_http_to_other_hosts_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http") as info:
        AsyncVideoClient(API_KEY, base_url=url)
    assert API_KEY not in str(info.value)
    assert AsyncVideoClient(API_KEY, base_url=url, allow_insecure_http=True).base_url == url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8787/v2",
        "http://127.3.4.5/v2",
        "http://localhost:8787/v2",
        "http://[::1]:8787/v2",
        "https://api.telnyx.com/v2",
    ],
)
def test_loopback_http_and_https_are_accepted(url: str) -> None:
    assert AsyncVideoClient(API_KEY, base_url=url).base_url == url


@pytest.mark.parametrize(
    "url",
    ["ftp://api.telnyx.com/v2", "api.telnyx.com/v2", "/v2", "https://user:pw@api.telnyx.com/v2"],
)
def test_malformed_base_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        AsyncVideoClient(API_KEY, base_url=url)


# --- other settings -------------------------------------------------------------------------


@pytest.mark.parametrize("value", [-1, True, 1.5, "2"])
def test_max_retries_is_validated(value: object) -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        AsyncVideoClient(API_KEY, max_retries=value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0, -1.0])
def test_timeout_is_validated(value: float) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        AsyncVideoClient(API_KEY, timeout=value)


def test_every_operation_is_a_documented_client_method() -> None:
    client = AsyncVideoClient(API_KEY)
    for op in operations():
        method = getattr(getattr(client, op.resource), op.method)
        assert callable(method), op
        assert method.__doc__, op


# --- lifecycle ------------------------------------------------------------------------------


async def test_context_manager_closes(server: StubServer) -> None:
    server.on("GET", "/rooms/r1", OK_ROOM)
    async with AsyncVideoClient(API_KEY, base_url=server.base_url) as client:
        assert not client.closed
        await client.rooms.retrieve("r1")
    assert client.closed


async def test_close_is_idempotent_and_fine_before_use() -> None:
    client = AsyncVideoClient(API_KEY)
    await client.close()
    await client.close()
    assert client.closed


async def test_use_after_close_is_an_error(server: StubServer, make_client: MakeClient) -> None:
    client = make_client()
    server.on("GET", "/rooms/r1", OK_ROOM)
    await client.rooms.retrieve("r1")
    await client.close()
    with pytest.raises(RuntimeError, match="closed"):
        await client.rooms.retrieve("r1")
    with pytest.raises(RuntimeError, match="closed"):
        await client.rooms.list()
    assert len(server.requests) == 1


async def test_callers_session_is_used_and_never_closed(server: StubServer) -> None:
    server.on("GET", "/rooms/r1", OK_ROOM)
    async with aiohttp.ClientSession(headers={"X-Mine": "yes"}) as session:
        async with AsyncVideoClient(API_KEY, base_url=server.base_url, session=session) as client:
            await client.rooms.retrieve("r1")
        assert client.closed
        assert not session.closed
        async with session.get(f"{server.base_url}/rooms/r1") as resp:  # still usable
            assert resp.status == 200
    assert server.requests[0].headers["X-Mine"] == "yes"
    assert server.requests[0].headers["Authorization"] == f"Bearer {API_KEY}"


async def test_one_session_for_many_requests(server: StubServer, client: AsyncVideoClient) -> None:
    server.on("GET", "/rooms/r1", OK_ROOM)
    for _ in range(5):
        await client.rooms.retrieve("r1")
    session = client._transport._session
    assert session is not None
    for _ in range(5):
        await client.rooms.retrieve("r1")
    assert client._transport._session is session


# --- the key stays secret -------------------------------------------------------------------


async def test_key_is_not_in_reprs(make_client: MakeClient) -> None:
    client = make_client()
    texts = [
        repr(client),
        str(client),
        repr(client._transport),
        repr(client.rooms),
        repr(client.room_sessions),
        repr(client._transport._headers),
        str(client._transport._json_headers),
    ]
    for text in texts:
        assert API_KEY not in text


async def test_key_is_not_in_logs_or_errors(
    server: StubServer, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client()
    server.on("GET", "/rooms/r1", Reply(500, {"errors": [{"title": "x"}]}), OK_ROOM)
    server.on("GET", "/rooms/r2", Reply(401, {"errors": [{"code": "10009", "title": "Auth"}]}))
    await client.rooms.retrieve("r1")
    with pytest.raises(AuthenticationError) as auth:
        await client.rooms.retrieve("r2")
    with refused_port() as port:
        offline = make_client(base_url=f"http://127.0.0.1:{port}/v2", max_retries=1)
        with pytest.raises(APIConnectionError) as conn:
            await offline.rooms.create(unique_name="x")
    assert caplog.records
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert API_KEY not in repr(vars(record))
    for err in (auth.value, conn.value):
        assert API_KEY not in str(err)
        assert API_KEY not in repr(err)
        assert API_KEY not in repr(vars(err))
        assert API_KEY not in str(err.__cause__ or "")


# --- argument checks ------------------------------------------------------------------------


@pytest.mark.parametrize("timeout", [0, -5, float("nan"), float("inf"), "3", True])
async def test_bad_per_call_timeout_is_refused(
    server: StubServer, client: AsyncVideoClient, timeout: object
) -> None:
    with pytest.raises(ValueError, match="timeout"):
        await client.rooms.retrieve("r1", timeout=timeout)  # type: ignore[arg-type]
    assert server.requests == []


@pytest.mark.parametrize("max_retries", [-1, 2.5, "3", None])
async def test_bad_per_call_max_retries_is_refused(
    server: StubServer, client: AsyncVideoClient, max_retries: object
) -> None:
    with pytest.raises(ValueError, match="max_retries"):
        await client.rooms.retrieve("r1", max_retries=max_retries)  # type: ignore[arg-type]
    assert server.requests == []


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), "30"])
def test_bad_client_timeout_is_a_configuration_error(timeout: object) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        AsyncVideoClient("key", timeout=timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "base_url", ["https://api.example.com/v2?x=1", "https://api.example.com/v2#frag"]
)
def test_base_url_with_query_or_fragment_is_refused(base_url: str) -> None:
    with pytest.raises(ConfigurationError, match="query or fragment"):
        AsyncVideoClient("key", base_url=base_url)


def test_non_string_key_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="api_key must be a str"):
        AsyncVideoClient(b"key")  # type: ignore[arg-type]


async def test_a_callers_raise_for_status_session_still_gets_typed_errors(
    server: StubServer,
) -> None:
    server.on("GET", "/rooms/nope", Reply(404, {"errors": [{"code": "10005", "title": "Nope"}]}))
    async with aiohttp.ClientSession(raise_for_status=True) as session:
        client = AsyncVideoClient(API_KEY, base_url=server.base_url, session=session)
        with pytest.raises(NotFoundError) as info:
            await client.rooms.retrieve("nope")
        await client.close()
    assert info.value.code == "10005"
    assert len(server.requests) == 1  # a 404 is not retried


async def test_connection_errors_carry_no_aiohttp_chain(make_client: MakeClient) -> None:
    """aiohttp's exceptions and frames hold the request headers: none may hang off ours."""
    with refused_port() as port:
        client = make_client(base_url=f"http://127.0.0.1:{port}/v2", max_retries=0)
        with pytest.raises(APIConnectionError) as info:
            await client.rooms.retrieve("r1")
    exc = info.value
    assert exc.__cause__ is None
    assert exc.__context__ is None
    text = "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())
    assert API_KEY not in text
