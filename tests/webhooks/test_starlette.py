"""The Starlette/FastAPI adapter, served by uvicorn on 127.0.0.1.

(No ``from __future__ import annotations`` here: FastAPI reads the path operations'
annotations at run time, and they name local dependencies.)
"""

import logging
import math
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack
from typing import Annotated, Any

import aiohttp
import pytest
from fastapi import Depends, FastAPI
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from telnyx_video.errors import ConfigurationError
from telnyx_video.webhooks import (
    PUBLIC_KEY_ENV,
    LRUDedupeStore,
    ParticipantJoined,
    SessionStarted,
    VideoEvent,
    WebhookVerificationError,
)
from telnyx_video.webhooks.starlette import WebhookVerifier

from .webhook_support import (
    AsyncRecordingStore,
    RecordingStore,
    Signer,
    event_body,
    raw_exchange,
    raw_request,
    serve_asgi,
    status_line,
)

NOW = 1_767_225_600
Fail = Callable[[VideoEvent], bool]


def fastapi_app(verifier: WebhookVerifier, seen: list[VideoEvent], fail: Fail | None) -> Any:
    app = FastAPI()

    @app.post("/webhooks", status_code=204)
    async def webhooks(event: Annotated[VideoEvent, Depends(verifier)]) -> None:
        if fail is not None and fail(event):
            raise RuntimeError("handler failed")
        seen.append(event)

    return app


def starlette_app(verifier: WebhookVerifier, seen: list[VideoEvent], fail: Fail | None) -> Any:
    async def handle(event: VideoEvent) -> None:
        if fail is not None and fail(event):
            raise RuntimeError("handler failed")
        seen.append(event)

    return Starlette(routes=[Route("/webhooks", verifier.endpoint(handle), methods=["POST"])])


APPS = {"fastapi": fastapi_app, "starlette": starlette_app}


class Client:
    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        self.url = url + "/webhooks"
        self.session = session

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        async with self.session.post(self.url, data=body, headers=headers) as response:
            return response.status, await response.text()


@pytest.fixture
async def serve(signer: Signer) -> AsyncIterator[Callable[..., Any]]:
    """serve(kind, fail=None, **verifier_settings) -> (client, events seen by the app)."""
    with ExitStack() as servers:
        # a connection per request: a server may close one after a 500
        connector = aiohttp.TCPConnector(force_close=True)
        async with aiohttp.ClientSession(connector=connector) as session:

            def start(
                kind: str, fail: Fail | None = None, **settings: Any
            ) -> tuple[Client, list[VideoEvent]]:
                settings.setdefault("public_key", signer.public_key)
                seen: list[VideoEvent] = []
                app = APPS[kind](WebhookVerifier(**settings), seen, fail)
                return Client(servers.enter_context(serve_asgi(app)), session), seen

            yield start


def delivery(
    signer: Signer, event_id: str = "ev-1", *, attempt: int = 1, **kwargs: Any
) -> tuple[bytes, dict[str, str]]:
    body = event_body(event_id=event_id, attempt=attempt, **kwargs)
    return body, signer.headers(body)


@pytest.mark.parametrize("kind", APPS)
async def test_a_verified_event_reaches_the_app_typed(
    signer: Signer, serve: Any, kind: str
) -> None:
    client, seen = serve(kind)
    status, text = await client.post(*delivery(signer))
    assert (status, text) == (204, "")
    body = event_body(
        "video.room.participant.joined",
        {"participant_id": "p", "room_id": "r", "session_id": "s", "context": "Alice"},
    )
    assert (await client.post(body, signer.headers(body)))[0] == 204
    assert [type(e) for e in seen] == [SessionStarted, ParticipantJoined]
    assert isinstance(seen[1], ParticipantJoined)
    assert seen[1].payload.context == "Alice"


@pytest.mark.parametrize("kind", APPS)
async def test_forged_stale_and_malformed_deliveries_get_400_with_the_reason(
    signer: Signer, other_signer: Signer, serve: Any, kind: str
) -> None:
    client, seen = serve(kind)
    body = event_body()
    cases = {
        "signature_mismatch": (body, other_signer.headers(body)),
        "stale_timestamp": (body, signer.headers(body, NOW - 3600)),
        "missing_header": (body, {"content-type": "application/json"}),
        "invalid_payload": (b"[]", signer.headers(b"[]")),
    }
    for reason, (bad_body, headers) in cases.items():
        status, text = await client.post(bad_body, headers)
        assert status == 400, reason
        assert f"webhook rejected: {reason}" in text
    assert seen == []


@pytest.mark.parametrize("kind", APPS)
async def test_duplicates_are_dropped_and_distinct_events_kept(
    signer: Signer, serve: Any, kind: str
) -> None:
    store = LRUDedupeStore()
    client, seen = serve(kind, dedupe=store)
    for event_id, attempt in [("a", 1), ("a", 2), ("b", 1), ("a", 3), ("b", 2), ("c", 1)]:
        status, _ = await client.post(*delivery(signer, event_id, attempt=attempt))
        assert status == 204
    assert [(e.id, e.meta.attempt if e.meta else None) for e in seen] == [
        ("a", 1),
        ("b", 1),
        ("c", 1),
    ]
    assert len(store) == 3


@pytest.mark.parametrize("kind", APPS)
@pytest.mark.parametrize("store_kind", ["sync", "async"])
async def test_a_failed_event_is_forgotten_so_its_redelivery_is_handled(
    signer: Signer, serve: Any, kind: str, store_kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = RecordingStore() if store_kind == "sync" else AsyncRecordingStore()
    failures = iter([True, False])
    client, seen = serve(kind, fail=lambda e: next(failures), dedupe=store)
    with caplog.at_level(logging.CRITICAL):  # the server logs the handler's traceback
        status, _ = await client.post(*delivery(signer, "x", attempt=1))
    assert status == 500
    assert seen == []
    assert (await client.post(*delivery(signer, "x", attempt=2)))[0] == 204
    assert (await client.post(*delivery(signer, "x", attempt=3)))[0] == 204
    assert [e.meta.attempt if e.meta else None for e in seen] == [2]
    assert store.calls == [("add", "x"), ("discard", "x"), ("add", "x"), ("add", "x")]


@pytest.mark.parametrize("kind", APPS)
async def test_bodies_over_the_size_cap_get_413(signer: Signer, serve: Any, kind: str) -> None:
    client, seen = serve(kind, max_body_size=1000)
    big = event_body(payload={"room_id": "r", "session_id": "s", "pad": "x" * 2000})
    headers = signer.headers(big)
    answer = await raw_exchange(client.url, raw_request("/webhooks", headers, big))
    assert status_line(answer).split(b" ")[1] == b"413"
    # chunked, no Content-Length: the cap holds while reading
    chunked = {**headers, "Transfer-Encoding": "chunked"}
    head = "".join(f"{k}: {v}\r\n" for k, v in chunked.items())
    body = (
        b"".join(
            b"%x\r\n%s\r\n" % (len(big[i : i + 500]), big[i : i + 500])
            for i in range(0, len(big), 500)
        )
        + b"0\r\n\r\n"
    )
    request = f"POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode() + body
    answer = await raw_exchange(client.url, request)
    assert status_line(answer).split(b" ")[1] == b"413"
    assert seen == []


@pytest.mark.parametrize("kind", APPS)
async def test_a_stalled_body_gets_408(signer: Signer, serve: Any, kind: str) -> None:
    client, seen = serve(kind, body_timeout=0.2)
    body, headers = delivery(signer)
    # ten bytes of the body, then the client stalls with its socket open
    request = raw_request("/webhooks", headers, body[:10], content_length=len(body))
    answer = await raw_exchange(client.url, request)
    assert status_line(answer).split(b" ")[1] == b"408"
    assert b"not received in time" in answer
    assert seen == []


async def test_the_endpoint_runs_sync_handlers_and_returns_their_response(
    signer: Signer,
) -> None:
    verifier = WebhookVerifier(public_key=signer.public_key)
    threads: list[str] = []

    def handle(event: VideoEvent) -> Response:
        import threading

        threads.append(threading.current_thread().name)
        return JSONResponse({"id": event.id}, status_code=200)

    app = Starlette(routes=[Route("/hook", verifier.endpoint(handle), methods=["POST"])])
    with serve_asgi(app) as url:
        async with aiohttp.ClientSession() as session:
            body, headers = delivery(signer, "sync-1")
            async with session.post(url + "/hook", data=body, headers=headers) as response:
                assert response.status == 200
                assert await response.json() == {"id": "sync-1"}
    assert len(threads) == 1
    assert threads[0] != "MainThread"


def test_settings_are_checked_when_the_verifier_is_created(
    signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PUBLIC_KEY_ENV, raising=False)
    with pytest.raises(ConfigurationError):
        WebhookVerifier()
    with pytest.raises(WebhookVerificationError):
        WebhookVerifier(public_key="AAAA")
    for bad in (
        {"body_timeout": 0},
        {"body_timeout": math.nan},
        {"max_body_size": 0},
        {"tolerance": math.nan},
    ):
        with pytest.raises(ValueError, match=next(iter(bad))):
            WebhookVerifier(public_key=signer.public_key, **bad)
    with pytest.raises(TypeError, match="dedupe"):
        WebhookVerifier(public_key=signer.public_key, dedupe=[])  # type: ignore[arg-type]
    verifier = WebhookVerifier(public_key=signer.public_key)
    with pytest.raises(TypeError, match="callable"):
        verifier.endpoint(42)  # type: ignore[arg-type]
    monkeypatch.setenv(PUBLIC_KEY_ENV, signer.public_key)
    assert "WebhookVerifier" in repr(WebhookVerifier())
