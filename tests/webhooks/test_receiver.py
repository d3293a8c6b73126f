"""WebhookReceiver over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import math
from typing import Any

import pytest
from aiohttp import web

from telnyx_video.errors import ConfigurationError
from telnyx_video.webhooks import (
    PUBLIC_KEY_ENV,
    ParticipantJoined,
    SessionStarted,
    UnknownEvent,
    VerificationFailure,
    WebhookEvent,
    WebhookReceiver,
    WebhookVerificationError,
)

from .webhook_support import (
    Signer,
    event_body,
    raw_exchange,
    raw_request,
    spec_examples,
    status_line,
)

EXAMPLES = spec_examples()
NOW = 1_767_225_600


def delivery(event_type: str) -> bytes:
    return json.dumps({"data": EXAMPLES[event_type], "meta": {"attempt": 1}}).encode()


async def test_dispatch_by_class_and_by_type(signer: Signer, serve: Any) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key)
    seen: list[tuple[str, str]] = []

    @receiver.on(SessionStarted)
    async def started(event: SessionStarted) -> None:
        seen.append(("class", event.payload.session_id))

    @receiver.on("video.room.session.started")
    def started_sync(event: WebhookEvent) -> None:
        seen.append(("string", event.event_type))

    @receiver.on(ParticipantJoined)
    def joined(event: ParticipantJoined) -> None:
        seen.append(("joined", event.payload.context or ""))

    assert started.__name__ == "started"  # the decorator returns the handler
    server = await serve(receiver.create_app("/hooks"))

    body = delivery("video.room.session.started")
    status, text = await server.post("/hooks", body, signer.headers(body))
    assert (status, text) == (204, "")
    session_id = EXAMPLES["video.room.session.started"]["payload"]["session_id"]
    assert seen == [("class", session_id), ("string", "video.room.session.started")]

    body = delivery("video.room.participant.joined")
    status, _ = await server.post("/hooks", body, signer.headers(body))
    assert status == 204
    assert seen[-1] == ("joined", "Alice")


async def test_catch_all_and_unknown_events(signer: Signer, serve: Any) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key)
    every: list[str] = []
    unknown: list[str] = []
    star: list[str] = []
    receiver.on(WebhookEvent)(lambda e: every.append(e.event_type))
    receiver.on(UnknownEvent)(lambda e: unknown.append(e.event_type))
    receiver.on("*")(lambda e: star.append(e.event_type))
    app = web.Application()
    receiver.add_routes(app, "/telnyx")
    server = await serve(app)

    new = json.dumps(
        {
            "data": {
                "id": "1",
                "event_type": "video.room.something.new",
                "occurred_at": "2026-01-01T00:00:00Z",
                "payload": {"x": 1},
            }
        }
    ).encode()
    for body in (delivery("video.room.session.ended"), new):
        status, _ = await server.post("/telnyx", body, signer.headers(body))
        assert status == 204
    assert every == ["video.room.session.ended", "video.room.something.new"]
    assert star == every
    assert unknown == ["video.room.something.new"]


async def test_unhandled_event_types_are_acknowledged(signer: Signer, serve: Any) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key)
    server = await serve(receiver.create_app())
    body = delivery("video.room.composition.completed")
    status, _ = await server.post("/", body, signer.headers(body))
    assert status == 204


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (
            lambda s, b, h: (b, {k: v for k, v in h.items() if k != "telnyx-timestamp"}),
            "missing_header",
        ),
        (lambda s, b, h: (b, {**h, "telnyx-timestamp": "soon"}), "invalid_timestamp"),
        (lambda s, b, h: (b, s.headers(b, NOW)), "stale_timestamp"),
        (
            lambda s, b, h: (b, {**h, "telnyx-signature-ed25519": "%%%"}),
            "invalid_signature_encoding",
        ),
        (lambda s, b, h: (b + b" ", h), "signature_mismatch"),
        (lambda s, b, h: (b'{"data": 1}', s.headers(b'{"data": 1}')), "invalid_payload"),
        (lambda s, b, h: (b"\xff" * 10, s.headers(b"\xff" * 10)), "invalid_payload"),
    ],
    ids=["missing", "timestamp", "stale", "encoding", "tampered", "payload", "binary"],
)
async def test_bad_deliveries_get_400_and_reach_no_handler(
    signer: Signer,
    serve: Any,
    mutate: Any,
    reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key)
    seen: list[WebhookEvent] = []
    receiver.on(WebhookEvent)(seen.append)
    server = await serve(receiver.create_app())
    body = delivery("video.room.session.started")
    bad_body, headers = mutate(signer, body, signer.headers(body))
    with caplog.at_level(logging.WARNING, logger="telnyx_video.webhooks"):
        status, text = await server.post("/", bad_body, headers)
    assert status == 400
    assert text == f"webhook rejected: {reason}\n"
    assert seen == []
    assert any(reason in r.getMessage() for r in caplog.records)


async def test_wrong_key_gets_400(signer: Signer, other_signer: Signer, serve: Any) -> None:
    receiver = WebhookReceiver(public_key=other_signer.public_key)
    server = await serve(receiver.create_app())
    body = delivery("video.room.session.started")
    status, text = await server.post("/", body, signer.headers(body))
    assert (status, text) == (400, "webhook rejected: signature_mismatch\n")


async def test_hostile_input_never_gets_a_5xx(signer: Signer, serve: Any) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key)
    receiver.on(WebhookEvent)(lambda e: None)
    server = await serve(receiver.create_app("/"))
    assert server.session is not None
    deep = b"[" * 50_000 + b"]" * 50_000
    cases = [
        (b"", {}),
        (b"{}", signer.headers(b"{}")),
        (deep, signer.headers(deep)),
        (b"x" * 10_000, signer.headers(b"x" * 10_000)),
        (b"{" * 2_000_000, signer.headers(b"{" * 2_000_000)),  # over client_max_size: 413
        (b"{}", {"telnyx-signature-ed25519": "A" * 10_000, "telnyx-timestamp": "1"}),
        (b"{}", {"telnyx-timestamp": "9" * 5000, "telnyx-signature-ed25519": "x"}),
    ]
    for body, headers in cases:
        status, _ = await server.post("/", body, headers)
        assert 400 <= status < 500, (body[:20], status)
    async with server.session.get(server.url + "/") as resp:
        assert resp.status == 405


async def test_failing_handler_answers_500_so_telnyx_retries(
    signer: Signer, serve: Any, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key)
    calls: list[str] = []

    @receiver.on(SessionStarted)
    async def broken(event: SessionStarted) -> None:
        calls.append("broken")
        raise RuntimeError("database down")

    @receiver.on(SessionStarted)
    def after(event: SessionStarted) -> None:
        calls.append("after")

    server = await serve(receiver.create_app())
    body = delivery("video.room.session.started")
    with caplog.at_level(logging.ERROR, logger="telnyx_video.webhooks"):
        status, _ = await server.post("/", body, signer.headers(body))
    assert status == 500
    assert calls == ["broken"]
    assert any(r.exc_info and "database down" in str(r.exc_info[1]) for r in caplog.records)


async def test_async_handlers_complete_before_the_answer(signer: Signer, serve: Any) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key)
    entered, gate = asyncio.Event(), asyncio.Event()
    done: list[str] = []

    @receiver.on(SessionStarted)
    async def slow(event: SessionStarted) -> None:
        entered.set()
        await gate.wait()
        done.append(event.id)

    server = await serve(receiver.create_app())
    body = delivery("video.room.session.started")
    request = asyncio.create_task(server.post("/", body, signer.headers(body)))
    await entered.wait()
    assert not request.done()
    gate.set()
    status, _ = await request
    assert status == 204
    assert done == [EXAMPLES["video.room.session.started"]["id"]]


async def test_injected_clock_and_tolerance(signer: Signer, serve: Any) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key, tolerance=10, clock=lambda: NOW)
    server = await serve(receiver.create_app())
    body = delivery("video.room.session.started")
    assert (await server.post("/", body, signer.headers(body, NOW - 10)))[0] == 204
    assert (await server.post("/", body, signer.headers(body, NOW - 11)))[0] == 400


def test_receiver_loads_the_key_eagerly(monkeypatch: pytest.MonkeyPatch, signer: Signer) -> None:
    monkeypatch.delenv(PUBLIC_KEY_ENV, raising=False)
    with pytest.raises(ConfigurationError):
        WebhookReceiver()
    with pytest.raises(WebhookVerificationError) as excinfo:
        WebhookReceiver(public_key="not-a-key")
    assert excinfo.value.reason == VerificationFailure.INVALID_PUBLIC_KEY
    with pytest.raises(ValueError, match="tolerance"):
        WebhookReceiver(public_key=signer.public_key, tolerance=-1)
    monkeypatch.setenv(PUBLIC_KEY_ENV, signer.public_key)
    assert "WebhookReceiver" in repr(WebhookReceiver())


def test_on_rejects_bad_registrations(signer: Signer) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key)
    with pytest.raises(TypeError):
        receiver.on(dict)  # type: ignore[type-var]
    with pytest.raises(ValueError, match="non-empty"):
        receiver.on("")
    with pytest.raises(TypeError, match="callable"):
        receiver.on(SessionStarted)(42)  # type: ignore[arg-type]


async def test_construct_event_and_dispatch_without_aiohttp(signer: Signer) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key)
    seen: list[str] = []
    receiver.on(SessionStarted)(lambda e: seen.append(e.id))
    body = event_body()
    event = receiver.construct_event(body, signer.headers(body))
    assert isinstance(event, SessionStarted)
    assert receiver.handlers_for(event)
    await receiver.dispatch(event)
    assert seen == [event.id]


# -- unreadable and stalled bodies (issue 17, item 9) ----------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
async def test_a_body_that_does_not_decode_gets_400(
    signer: Signer, serve: Any, encoding: str
) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key)
    seen: list[WebhookEvent] = []
    receiver.on(WebhookEvent)(seen.append)
    server = await serve(receiver.create_app())
    body = delivery("video.room.session.started")  # plain JSON, announced as compressed
    headers = {**signer.headers(body), "Content-Encoding": encoding}
    status, _ = await server.post("/", body, headers)
    assert status == 400
    assert seen == []


async def test_a_compressed_body_over_the_size_cap_gets_413(signer: Signer, serve: Any) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key)
    server = await serve(receiver.create_app())  # client_max_size: 1 MiB
    bomb = gzip.compress(b"0" * (8 * 1024 * 1024))
    assert len(bomb) < 64 * 1024
    headers = {**signer.headers(bomb), "Content-Encoding": "gzip"}
    status, _ = await server.post("/", bomb, headers)
    assert status == 413


async def test_a_properly_compressed_delivery_is_accepted(signer: Signer, serve: Any) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key)
    seen: list[str] = []
    receiver.on(WebhookEvent)(lambda e: seen.append(e.id))
    server = await serve(receiver.create_app())
    body = delivery("video.room.session.started")
    headers = {**signer.headers(body), "Content-Encoding": "gzip"}
    status, _ = await server.post("/", gzip.compress(body), headers)
    assert status == 204
    assert seen == [EXAMPLES["video.room.session.started"]["id"]]


async def test_a_stalled_body_gets_408_instead_of_holding_the_handler(
    signer: Signer, serve: Any
) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key, body_timeout=0.2)
    seen: list[WebhookEvent] = []
    receiver.on(WebhookEvent)(seen.append)
    server = await serve(receiver.create_app())
    body = delivery("video.room.session.started")
    # ten bytes of the body, then nothing: the client stalls with the socket open
    request = raw_request("/", signer.headers(body), body[:10], content_length=len(body))
    answer = await raw_exchange(server.url, request)
    assert status_line(answer) == b"HTTP/1.1 408 Request Timeout"
    assert b"not received in time" in answer
    assert seen == []


async def test_a_body_cut_short_is_a_warning_not_a_server_error(
    signer: Signer, serve: Any, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key)
    server = await serve(receiver.create_app())
    body = delivery("video.room.session.started")
    request = raw_request("/", signer.headers(body), body[:10], content_length=len(body))
    with caplog.at_level(logging.INFO):
        answer = await raw_exchange(server.url, request, half_close=True)
        await server.close()  # the handler has finished
    assert answer == b""  # aiohttp drops a connection that ends mid-body: nobody to answer
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("unreadable webhook delivery" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("body_timeout", [0, -1, math.nan, math.inf, True, "5"])
def test_body_timeout_must_be_finite_and_positive(signer: Signer, body_timeout: Any) -> None:
    with pytest.raises(ValueError, match="body_timeout"):
        WebhookReceiver(public_key=signer.public_key, body_timeout=body_timeout)
