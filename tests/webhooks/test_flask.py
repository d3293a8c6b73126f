"""The Flask adapter, served over 127.0.0.1 by werkzeug (Flask's own server)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from flask import Flask

from telnyx_video.webhooks import (
    LRUDedupeStore,
    ParticipantJoined,
    SessionStarted,
    VideoEvent,
)
from telnyx_video.webhooks.flask import webhook_view

from .webhook_support import (
    AsyncRecordingStore,
    RecordingStore,
    Signer,
    event_body,
    raw_exchange,
    raw_request,
    serve_wsgi,
    status_line,
)

NOW = 1_767_225_600


class App:
    """A Flask app with one webhook view per test, and what its views saw."""

    def __init__(self, signer: Signer, **settings: Any) -> None:
        self.flask = Flask("webhook_tests")
        self.seen: list[tuple[str, VideoEvent]] = []
        self.fail_ids: set[str] = set()
        settings.setdefault("public_key", signer.public_key)

        @self.flask.post("/hooks/<tenant>")
        @webhook_view(**settings)
        def hook(event: VideoEvent, tenant: str) -> None:
            if event.id in self.fail_ids:
                self.fail_ids.discard(event.id)
                raise RuntimeError("database down")
            self.seen.append((tenant, event))

        @self.flask.post("/answer")
        @webhook_view(**settings)
        def answer(event: VideoEvent) -> tuple[dict[str, str], int]:
            return {"id": event.id}, 202


@pytest.fixture
def serve(signer: Signer) -> Iterator[Any]:
    """serve(**webhook_view_settings) -> (url, app)."""
    servers: list[Any] = []

    def start(**settings: Any) -> tuple[str, App]:
        app = App(signer, **settings)
        server = serve_wsgi(app.flask)
        servers.append(server)
        return server.__enter__(), app

    yield start
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    # a connection per request: the server may close one after a 500
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as client:
        yield client


async def post(
    session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]
) -> tuple[int, str]:
    async with session.post(url, data=body, headers=headers) as response:
        return response.status, await response.text()


def delivery(signer: Signer, event_id: str = "ev-1", attempt: int = 1) -> tuple[bytes, Any]:
    body = event_body(event_id=event_id, attempt=attempt)
    return body, signer.headers(body)


async def test_a_verified_event_reaches_the_view_with_the_url_values(
    signer: Signer, serve: Any, session: aiohttp.ClientSession
) -> None:
    url, app = serve()
    assert await post(session, f"{url}/hooks/acme", *delivery(signer)) == (204, "")
    joined = event_body(
        "video.room.participant.joined",
        {"participant_id": "p", "room_id": "r", "session_id": "s", "context": "Alice"},
    )
    assert (await post(session, f"{url}/hooks/acme", joined, signer.headers(joined)))[0] == 204
    assert [(tenant, type(e)) for tenant, e in app.seen] == [
        ("acme", SessionStarted),
        ("acme", ParticipantJoined),
    ]
    status, text = await post(session, f"{url}/answer", *delivery(signer, "answered"))
    assert status == 202
    assert '"id":"answered"' in text.replace(" ", "")


async def test_bad_deliveries_get_400_with_the_reason(
    signer: Signer, other_signer: Signer, serve: Any, session: aiohttp.ClientSession
) -> None:
    url, app = serve()
    body = event_body()
    cases = {
        "signature_mismatch": (body, other_signer.headers(body)),
        "stale_timestamp": (body, signer.headers(body, NOW - 3600)),
        "missing_header": (body, {}),
        "invalid_payload": (b"[]", signer.headers(b"[]")),
    }
    for reason, (bad_body, headers) in cases.items():
        answer = await post(session, f"{url}/hooks/x", bad_body, headers)
        assert answer == (400, f"webhook rejected: {reason}\n")
    assert app.seen == []


async def test_bodies_over_the_size_cap_get_413(signer: Signer, serve: Any) -> None:
    url, app = serve(max_body_size=1000)
    big = event_body(payload={"room_id": "r", "session_id": "s", "pad": "x" * 2000})
    headers = signer.headers(big)
    answer = await raw_exchange(url, raw_request("/hooks/x", headers, big))
    assert status_line(answer).split(b" ")[1] == b"413"
    # chunked, no Content-Length: the cap holds while reading
    chunked = {**headers, "Transfer-Encoding": "chunked"}
    head = "".join(f"{k}: {v}\r\n" for k, v in chunked.items())
    body = b"".join(
        b"%x\r\n%s\r\n" % (len(big[i : i + 500]), big[i : i + 500]) for i in range(0, len(big), 500)
    )
    request = f"POST /hooks/x HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode()
    answer = await raw_exchange(url, request + body + b"0\r\n\r\n")
    assert status_line(answer).split(b" ")[1] == b"413"
    assert app.seen == []


@pytest.mark.parametrize("store_kind", ["custom", "lru"])
async def test_duplicates_are_dropped_and_a_failed_event_is_handled_again(
    signer: Signer,
    serve: Any,
    session: aiohttp.ClientSession,
    store_kind: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store: Any = RecordingStore() if store_kind == "custom" else LRUDedupeStore()
    url, app = serve(dedupe=store)
    app.fail_ids.add("fails-once")
    for event_id, attempt in [("a", 1), ("a", 2), ("b", 1), ("a", 3)]:
        assert (await post(session, f"{url}/hooks/t", *delivery(signer, event_id, attempt)))[
            0
        ] == 204
    with caplog.at_level(logging.CRITICAL):  # Flask logs the view's traceback
        status, _ = await post(session, f"{url}/hooks/t", *delivery(signer, "fails-once", 1))
    assert status == 500
    for attempt in (2, 3):
        answer = await post(session, f"{url}/hooks/t", *delivery(signer, "fails-once", attempt))
        assert answer[0] == 204
    assert [(e.id, e.meta.attempt if e.meta else None) for _, e in app.seen] == [
        ("a", 1),
        ("b", 1),
        ("fails-once", 2),
    ]
    if isinstance(store, RecordingStore):
        assert [c for c in store.calls if c[0] == "discard"] == [("discard", "fails-once")]


def test_misuse_fails_at_decoration(signer: Signer) -> None:
    with pytest.raises(TypeError, match="async store"):
        webhook_view(public_key=signer.public_key, dedupe=AsyncRecordingStore())  # type: ignore[arg-type]
    decorator = webhook_view(public_key=signer.public_key)
    with pytest.raises(TypeError, match="plain function"):

        @decorator  # type: ignore[arg-type]
        async def hook(event: VideoEvent) -> None: ...

    with pytest.raises(TypeError, match="view function"):
        decorator(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_body_size"):
        webhook_view(public_key=signer.public_key, max_body_size=0)
