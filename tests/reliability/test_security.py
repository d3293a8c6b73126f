"""Security: the API key never leaks, plain http and TLS cannot be weakened silently.

The key is a recognisable string (``SECRET_KEY``); every repr, str, exception (with its
whole cause/context chain and the attributes aiohttp hangs on it) and every log record,
DEBUG included and from every logger, is searched for it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import ipaddress
import json
import logging
import socket
import ssl
import traceback
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from _stub import StubServer, serve_stub
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.provisional import domains

import telnyx_video
from telnyx_video import (
    APIConnectionError,
    APIStatusError,
    AsyncVideoClient,
    ConfigurationError,
    Room,
    TelnyxVideoError,
)
from telnyx_video.errors import status_error_class

from .conftest import FAST_RETRIES, SECRET_KEY
from .test_fuzz_responses import VALID

PACKAGE_DIR = Path(telnyx_video.__file__).parent


def exception_texts(exc: BaseException) -> Iterator[str]:
    """Every text an exception chain shows: str, repr, attributes, formatted traceback."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield str(current)
        yield repr(current)
        yield repr(current.args)
        for name, value in vars(current).items():
            if not name.startswith("__"):
                yield f"{name}={value!r}"
        for name in ("request_info", "headers", "body", "url"):
            yield repr(getattr(current, name, None))
        stack.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    yield "".join(traceback.format_exception(exc))


def assert_no_key_in_exception(exc: BaseException) -> None:
    for text in exception_texts(exc):
        assert SECRET_KEY not in text, text


def assert_no_key_in_records(records: list[logging.LogRecord]) -> None:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in records:
        assert SECRET_KEY not in formatter.format(record)
        assert SECRET_KEY not in repr(vars(record))
        if record.exc_info and record.exc_info[1] is not None:
            assert_no_key_in_exception(record.exc_info[1])


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every logger at DEBUG."""
    caplog.set_level(logging.DEBUG)
    for name in ("telnyx_video", "aiohttp", "aiohttp.client", "aiohttp.access", "asyncio"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


# --- reprs ---------------------------------------------------------------------------------


async def test_no_key_in_any_repr(stub: StubServer, client: AsyncVideoClient) -> None:
    transport = client._transport
    objects: list[Any] = [
        client,
        transport,
        transport.retry_policy,
        client.rooms,
        client.room_sessions,
        client.room_participants,
        client.room_recordings,
        client.room_compositions,
        client.rooms.list(),
        client.room_sessions.list(),
    ]
    stub.answer(200, json.dumps({"data": VALID[Room]}))
    objects.append(await client.rooms.retrieve("r1"))
    for obj in objects:
        assert SECRET_KEY not in repr(obj)
        assert SECRET_KEY not in str(obj)
        assert SECRET_KEY not in f"{obj}"
    assert stub.requests[0].headers["Authorization"] == f"Bearer {SECRET_KEY}"


def test_no_key_in_construction_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELNYX_BASE_URL", raising=False)
    bad: list[dict[str, Any]] = [
        {"base_url": "http://api.example.com/v2"},
        {"base_url": "ftp://127.0.0.1/v2"},
        {"base_url": "https://user:pw@api.example.com/v2"},
        {"timeout": -1},
        {"max_retries": -1},
    ]
    for kwargs in bad:
        with pytest.raises(ConfigurationError) as info:
            AsyncVideoClient(SECRET_KEY, **kwargs)
        assert_no_key_in_exception(info.value)


# --- errors --------------------------------------------------------------------------------

STATUSES = [400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 418]


@pytest.mark.parametrize("status", STATUSES)
async def test_no_key_in_status_errors(
    stub: StubServer, client: AsyncVideoClient, status: int, debug_logs: pytest.LogCaptureFixture
) -> None:
    stub.answer(
        status,
        json.dumps({"errors": [{"code": "10001", "title": "t", "detail": "d"}]}),
        {"x-request-id": "req-1", "Retry-After": "0"},
    )
    with pytest.raises(APIStatusError) as info:
        await client.rooms.retrieve("r1")
    assert type(info.value) is status_error_class(status)
    assert_no_key_in_exception(info.value)
    # The error carries the response headers, never the request's.
    assert "Authorization" not in info.value.headers
    assert_no_key_in_records(debug_logs.records)


async def test_no_key_in_connection_refused(debug_logs: pytest.LogCaptureFixture) -> None:
    with socket.socket() as sock:  # a port that was just free: nothing listens on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with AsyncVideoClient(
        SECRET_KEY, base_url=f"http://127.0.0.1:{port}/v2", retry_policy=FAST_RETRIES
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.rooms.retrieve("r1")
    assert not info.value.maybe_sent
    assert_no_key_in_exception(info.value)
    assert_no_key_in_records(debug_logs.records)


async def test_no_key_in_dropped_connection(
    stub: StubServer, client: AsyncVideoClient, debug_logs: pytest.LogCaptureFixture
) -> None:
    async def drop(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.close()
        await stub.released.wait()
        return web.Response()

    stub.default = drop
    with pytest.raises(APIConnectionError) as info:
        await client.rooms.retrieve("r1")
    assert len(stub.requests) == 3  # retried exactly max_retries times, since a GET is safe
    assert_no_key_in_exception(info.value)
    assert_no_key_in_records(debug_logs.records)


async def test_no_key_in_timeout(
    stub: StubServer, client: AsyncVideoClient, debug_logs: pytest.LogCaptureFixture
) -> None:
    stub.default = stub.hang
    with pytest.raises(APIConnectionError) as info:
        await client.rooms.retrieve("r1", timeout=0.05)
    assert_no_key_in_exception(info.value)
    assert_no_key_in_records(debug_logs.records)


async def _garbage_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 abc\r\nBad Header\r\n\r\n")
    await writer.drain()
    writer.close()
    await writer.wait_closed()


@pytest.fixture
async def garbage_server() -> AsyncIterator[str]:
    """A server that answers every request with a malformed HTTP response."""
    server = await asyncio.start_server(_garbage_http, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v2"
    finally:
        server.close()
        await server.wait_closed()


async def test_no_key_in_malformed_response_error(garbage_server: str) -> None:
    async with AsyncVideoClient(SECRET_KEY, base_url=garbage_server, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.rooms.retrieve("r1")
    assert_no_key_in_exception(info.value)


async def test_malformed_response_is_a_typed_error(garbage_server: str) -> None:
    async with AsyncVideoClient(
        SECRET_KEY, base_url=garbage_server, retry_policy=FAST_RETRIES
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.rooms.retrieve("r1")
    assert SECRET_KEY not in str(info.value)
    assert SECRET_KEY not in repr(info.value)


async def test_no_key_in_traceback_locals(stub: StubServer, client: AsyncVideoClient) -> None:
    """The SDK's own frames of an error's traceback show no key among their locals."""
    stub.answer(404, b"{}")
    with pytest.raises(APIStatusError) as info:
        await client.rooms.retrieve("r1", max_retries=0)
    frames = [
        frame
        for frame, _ in traceback.walk_tb(info.value.__traceback__)
        if Path(frame.f_code.co_filename).is_relative_to(PACKAGE_DIR)
    ]
    assert frames
    for frame in frames:
        for name, value in frame.f_locals.items():
            assert SECRET_KEY not in repr(value), f"{frame.f_code.co_name}: {name}"


# --- logs ----------------------------------------------------------------------------------


async def test_no_key_in_debug_logs_of_success_failure_and_retries(
    stub: StubServer, client: AsyncVideoClient, debug_logs: pytest.LogCaptureFixture
) -> None:
    answers = iter([503, 429, 200, 500, 500, 500, 404, 200])

    async def scripted(request: web.Request) -> web.StreamResponse:
        status = next(answers)
        if status == 200:
            return web.json_response({"data": VALID[Room]})
        return web.json_response(
            {"errors": [{"title": "x"}]}, status=status, headers={"Retry-After": "0"}
        )

    stub.default = scripted
    assert (await client.rooms.retrieve("r1")).id == "r1"  # 503, 429, then 200
    with pytest.raises(APIStatusError):
        await client.rooms.retrieve("r1")  # 500 x3
    with pytest.raises(APIStatusError):
        await client.rooms.retrieve("r1")  # 404
    # rooms.create recovery: the name lookup finds the room after an ambiguous 5xx
    assert (await client.rooms.create(unique_name="n", max_retries=1)).id == "r1"
    messages = [r.getMessage() for r in debug_logs.records]
    assert any("retrying" in m for m in messages), messages  # retries were logged
    assert any(r.levelno == logging.DEBUG for r in debug_logs.records)
    assert_no_key_in_records(debug_logs.records)


async def test_no_key_in_logs_of_connection_failures(
    garbage_server: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    async with AsyncVideoClient(
        SECRET_KEY, base_url=garbage_server, retry_policy=FAST_RETRIES
    ) as client:
        with pytest.raises(TelnyxVideoError):
            await client.rooms.retrieve("r1")
        with pytest.raises(TelnyxVideoError):
            await client.rooms.create(unique_name="n")
    assert debug_logs.records
    assert_no_key_in_records(debug_logs.records)


# --- where the key is sent -------------------------------------------------------------------


async def test_redirects_are_not_followed(stub: StubServer, client: AsyncVideoClient) -> None:
    """A redirect could carry the key to another host; the client never follows one."""
    async with serve_stub() as elsewhere:
        stub.answer(307, b"", {"Location": f"{elsewhere.base_url}/rooms/r1"})
        with pytest.raises(TelnyxVideoError):
            await client.rooms.retrieve("r1")
        stub.answer(302, b"", {"Location": f"{elsewhere.base_url}/rooms"})
        with pytest.raises(TelnyxVideoError):
            await client.rooms.create(unique_name="n")
        assert elsewhere.requests == []


async def test_a_redirect_is_an_error_even_with_a_plausible_body(
    stub: StubServer, client: AsyncVideoClient
) -> None:
    async with serve_stub() as elsewhere:
        stub.answer(
            302, json.dumps({"data": VALID[Room]}), {"Location": f"{elsewhere.base_url}/rooms/r1"}
        )
        with pytest.raises(APIStatusError) as info:
            await client.rooms.retrieve("r1")
        assert info.value.status == 302
        assert elsewhere.requests == []


# --- plain http ------------------------------------------------------------------------------

NON_LOOPBACK = [
    "http://api.telnyx.com/v2",
    "http://example.com",
    "http://10.0.0.1/v2",
    "http://192.168.1.10:8080/v2",
    "http://0.0.0.0:8787/v2",
    "http://[2001:db8::1]/v2",
    "http://localhost.example.com/v2",
    "http://127.0.0.1.nip.io/v2",
    "http://notlocalhost/v2",
]
LOOPBACK = [
    "http://127.0.0.1:8787/v2",
    "http://127.10.20.30/v2",
    "http://localhost:1234/v2",
    "http://LOCALHOST/v2",
    "http://[::1]:8787/v2",
]


@pytest.fixture(autouse=True)
def _no_env_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELNYX_BASE_URL", raising=False)


@pytest.mark.parametrize("url", NON_LOOPBACK)
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="http"):
        AsyncVideoClient(SECRET_KEY, base_url=url)


@pytest.mark.parametrize("url", NON_LOOPBACK)
def test_plain_http_from_the_environment_is_refused(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELNYX_BASE_URL", url)
    with pytest.raises(ConfigurationError):
        AsyncVideoClient(SECRET_KEY)


@pytest.mark.parametrize("url", NON_LOOPBACK)
async def test_plain_http_needs_an_explicit_opt_in(url: str) -> None:
    client = AsyncVideoClient(SECRET_KEY, base_url=url, allow_insecure_http=True)
    assert client.base_url.startswith("http://")
    await client.close()


@pytest.mark.parametrize("url", LOOPBACK)
async def test_plain_http_to_loopback_is_accepted(url: str) -> None:
    client = AsyncVideoClient(SECRET_KEY, base_url=url)
    await client.close()


@given(host=domains() | st.ip_addresses().map(str))
def test_any_non_loopback_host_is_refused_over_http(host: str) -> None:
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host.lower().rstrip(".") == "localhost"
    netloc = f"[{host}]" if ":" in host else host
    url = f"http://{netloc}/v2"
    if loopback:
        return
    with pytest.raises(ConfigurationError):
        AsyncVideoClient(SECRET_KEY, base_url=url)


# --- TLS -------------------------------------------------------------------------------------

TLS_WORDS = ("ssl", "verify", "insecure_tls", "cert", "tls", "check_hostname")


def test_no_constructor_option_disables_tls_verification() -> None:
    params = inspect.signature(AsyncVideoClient.__init__).parameters
    assert not [p for p in params if any(w in p.lower() for w in TLS_WORDS)]


def test_package_never_turns_tls_verification_off() -> None:
    forbidden = (
        "ssl=False",
        "verify_ssl",
        "CERT_NONE",
        "check_hostname = False",
        "_create_unverified_context",
    )
    for path in PACKAGE_DIR.rglob("*.py"):
        if "emulator" in path.parts:
            continue  # the emulator serves plain http on loopback and is no client
        text = path.read_text()
        for needle in forbidden:
            assert needle not in text, f"{path.name} contains {needle!r}"


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
async def untrusted_https(tmp_path: Path) -> AsyncIterator[tuple[str, list[str]]]:
    """An https server on 127.0.0.1 with a self-signed certificate nobody trusts."""
    cert_path, key_path = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    seen: list[str] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        seen.append(request.headers.get("Authorization", ""))
        return web.json_response({"data": VALID[Room]})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    server = site._server
    assert isinstance(server, asyncio.base_events.Server)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"https://127.0.0.1:{port}/v2", seen
    finally:
        await runner.cleanup()


async def test_untrusted_certificate_is_refused(
    untrusted_https: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base_url, seen = untrusted_https
    # Environment switches some tools honour must not turn verification off either.
    monkeypatch.setenv("PYTHONHTTPSVERIFY", "0")
    monkeypatch.setenv("TELNYX_VERIFY_SSL", "false")
    async with AsyncVideoClient(SECRET_KEY, base_url=base_url, retry_policy=FAST_RETRIES) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.rooms.retrieve("r1")
    assert not info.value.maybe_sent  # the handshake failed: nothing was sent
    assert seen == []  # the key never reached the server
    assert_no_key_in_exception(info.value)
