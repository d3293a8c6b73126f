"""The Django adapter, served over 127.0.0.1 (Django's WSGI handler under werkzeug's server)."""

from __future__ import annotations

import logging
import types
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import aiohttp
import django
import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, clear_url_caches, path

from telnyx_video.webhooks import (
    LRUDedupeStore,
    ParticipantJoined,
    SessionStarted,
    VideoEvent,
)
from telnyx_video.webhooks.django import webhook_view

from .webhook_support import (
    AsyncRecordingStore,
    RecordingStore,
    Signer,
    event_body,
    serve_wsgi,
)

NOW = 1_767_225_600
MAX_BODY = 4096
URLS = types.ModuleType("webhook_test_urls")
URLS.urlpatterns = []  # type: ignore[attr-defined]


# Configured on import, not in a fixture: from its import on, Django's lazy settings object
# raises on any attribute (``__class__`` included) until configured, and other tests scan
# every live object with isinstance().
if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="webhook-tests",
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=URLS,
        INSTALLED_APPS=[],
        # CSRF protection is on: the webhook views must be exempt from it
        MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
        DATA_UPLOAD_MAX_MEMORY_SIZE=MAX_BODY,
        LOGGING_CONFIG=None,
    )
    django.setup()


@pytest.fixture(scope="module")
def wsgi_app() -> Any:
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


@pytest.fixture(scope="module")
def server_url(wsgi_app: Any) -> Iterator[str]:
    with serve_wsgi(wsgi_app) as url:
        yield url


@pytest.fixture
def serve(server_url: str) -> Callable[[list[URLPattern]], str]:
    """serve(urlpatterns): route the server's requests to them; the server's URL."""

    def route(patterns: list[URLPattern]) -> str:
        URLS.urlpatterns = patterns  # type: ignore[attr-defined]
        clear_url_caches()
        return server_url

    return route


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
    seen: list[tuple[str, VideoEvent]] = []

    @webhook_view(public_key=signer.public_key)
    def hook(request: HttpRequest, event: VideoEvent, tenant: str) -> None:
        assert request.method == "POST"
        seen.append((tenant, event))

    url = serve([path("hooks/<str:tenant>", hook)])
    body, headers = delivery(signer)
    assert await post(session, f"{url}/hooks/acme", body, headers) == (204, "")
    joined = event_body(
        "video.room.participant.joined",
        {"participant_id": "p", "room_id": "r", "session_id": "s", "context": "Alice"},
    )
    assert (await post(session, f"{url}/hooks/acme", joined, signer.headers(joined)))[0] == 204
    assert [(tenant, type(e)) for tenant, e in seen] == [
        ("acme", SessionStarted),
        ("acme", ParticipantJoined),
    ]
    assert hook.__name__ == "hook"


async def test_bad_deliveries_get_400_with_the_reason_and_other_methods_405(
    signer: Signer, other_signer: Signer, serve: Any, session: aiohttp.ClientSession
) -> None:
    seen: list[VideoEvent] = []

    @webhook_view(public_key=signer.public_key)
    def hook(request: HttpRequest, event: VideoEvent) -> None:
        seen.append(event)

    url = serve([path("hook", hook)]) + "/hook"
    body = event_body()
    cases = {
        "signature_mismatch": (body, other_signer.headers(body)),
        "stale_timestamp": (body, signer.headers(body, NOW - 3600)),
        "missing_header": (body, {}),
        "invalid_payload": (b"[]", signer.headers(b"[]")),
    }
    for reason, (bad_body, headers) in cases.items():
        assert await post(session, url, bad_body, headers) == (400, f"webhook rejected: {reason}\n")
    big = event_body(payload={"room_id": "r", "session_id": "s", "pad": "x" * MAX_BODY})
    assert (await post(session, url, big, signer.headers(big)))[0] == 400  # Django's own limit
    async with session.get(url) as response:
        assert response.status == 405
        assert response.headers["Allow"] == "POST"
    assert seen == []


async def test_the_view_may_answer_itself(
    signer: Signer, serve: Any, session: aiohttp.ClientSession
) -> None:
    @webhook_view(public_key=signer.public_key)
    def hook(request: HttpRequest, event: VideoEvent) -> HttpResponse:
        return JsonResponse({"id": event.id})

    url = serve([path("hook", hook)]) + "/hook"
    body, headers = delivery(signer, "answered")
    assert await post(session, url, body, headers) == (200, '{"id": "answered"}')


@pytest.mark.parametrize("flavour", ["sync view, sync store", "async view, async store"])
async def test_duplicates_are_dropped_and_a_failed_event_is_handled_again(
    signer: Signer,
    serve: Any,
    session: aiohttp.ClientSession,
    flavour: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[tuple[str, int | None]] = []
    failures = iter([True])

    def handle(event: VideoEvent) -> None:
        if event.id == "fails-once" and next(failures, False):
            raise RuntimeError("database down")
        seen.append((event.id, event.meta.attempt if event.meta else None))

    if flavour.startswith("sync"):
        store: Any = RecordingStore()

        @webhook_view(public_key=signer.public_key, dedupe=store)
        def hook(request: HttpRequest, event: VideoEvent) -> None:
            handle(event)

    else:
        store = AsyncRecordingStore()

        @webhook_view(public_key=signer.public_key, dedupe=store)
        async def hook(request: HttpRequest, event: VideoEvent) -> None:  # type: ignore[misc]
            handle(event)

    url = serve([path("hook", hook)]) + "/hook"
    for event_id, attempt in [("a", 1), ("a", 2), ("b", 1), ("a", 3)]:
        assert (await post(session, url, *delivery(signer, event_id, attempt)))[0] == 204
    with caplog.at_level(logging.CRITICAL):  # Django logs the view's traceback
        status, _ = await post(session, url, *delivery(signer, "fails-once", 1))
    assert status == 500
    assert (await post(session, url, *delivery(signer, "fails-once", 2)))[0] == 204
    assert (await post(session, url, *delivery(signer, "fails-once", 3)))[0] == 204
    assert seen == [("a", 1), ("b", 1), ("fails-once", 2)]
    assert ("discard", "fails-once") in store.calls
    assert [c for c in store.calls if c[0] == "discard"] == [("discard", "fails-once")]


async def test_an_async_view_takes_the_lru_store(
    signer: Signer, serve: Any, session: aiohttp.ClientSession
) -> None:
    store = LRUDedupeStore(max_size=2)
    seen: list[str] = []

    @webhook_view(public_key=signer.public_key, dedupe=store)
    async def hook(request: HttpRequest, event: VideoEvent) -> None:
        seen.append(event.id)

    url = serve([path("hook", hook)]) + "/hook"
    for event_id in ["a", "b", "a", "c", "a"]:
        assert (await post(session, url, *delivery(signer, event_id)))[0] == 204
    # "a" was refreshed by its duplicate, so "b" was the least recently seen when "c" came
    assert seen == ["a", "b", "c"]
    assert "b" not in store
    assert (await post(session, url, *delivery(signer, "b")))[0] == 204
    assert seen == ["a", "b", "c", "b"]


def test_misuse_fails_at_decoration(signer: Signer) -> None:
    decorator = webhook_view(public_key=signer.public_key, dedupe=AsyncRecordingStore())
    with pytest.raises(TypeError, match="async store"):

        @decorator
        def hook(request: HttpRequest, event: VideoEvent) -> None: ...

    with pytest.raises(TypeError, match="view function"):
        webhook_view(public_key=signer.public_key)(42)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="tolerance"):
        webhook_view(public_key=signer.public_key, tolerance=float("nan"))
