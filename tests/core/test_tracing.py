"""Tracing with OpenTelemetry's own aiohttp client instrumentation, no tracing code of ours.

Spans go to an in-memory exporter; the server is the scripted loopback one, which records
the ``traceparent`` header each request carried.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import aiohttp
import pytest
from _stub import Reply, StubServer
from opentelemetry import trace
from opentelemetry.instrumentation.aiohttp_client import create_trace_config
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from telnyx_video import AsyncVideoClient, ConfigurationError, VideoClient

from .helpers import API_KEY, MakeClient, data, room_json

if TYPE_CHECKING:
    from telnyx_video.emulator import EmulatorThread

OK_ROOM = Reply(200, data(room_json("r1")))


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    found = InMemorySpanExporter()
    yield found
    found.shutdown()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> TracerProvider:
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    return tracer_provider


def ids(span: ReadableSpan) -> tuple[str, str]:
    """The W3C trace id and span id of a span, as ``traceparent`` spells them."""
    context = span.get_span_context()
    assert context is not None
    return f"{context.trace_id:032x}", f"{context.span_id:016x}"


async def test_each_attempt_is_a_span_through_trace_configs(
    server: StubServer,
    make_client: MakeClient,
    provider: TracerProvider,
    exporter: InMemorySpanExporter,
) -> None:
    server.on("GET", "/rooms/r1", Reply(503, {}), OK_ROOM)
    client = make_client(trace_configs=[create_trace_config(tracer_provider=provider)])
    tracer = provider.get_tracer("app")
    with tracer.start_as_current_span("handle-request") as parent:
        assert (await client.rooms.retrieve("r1")).id == "r1"
    spans = [s for s in exporter.get_finished_spans() if s.name != "handle-request"]
    # One client span per attempt (the retry included), children of the caller's span.
    assert [s.name for s in spans] == ["GET", "GET"]
    assert [s.kind for s in spans] == [trace.SpanKind.CLIENT] * 2
    statuses = [(s.attributes or {}).get("http.status_code") for s in spans]
    assert statuses == [503, 200]
    for span in spans:
        assert span.parent is not None
        assert span.parent.span_id == parent.get_span_context().span_id
        url = str((span.attributes or {}).get("http.url"))
        assert url.endswith("/v2/rooms/r1")
        assert API_KEY not in repr(span.attributes)
    # The trace context went out with each request, so the server side can join the trace.
    sent = [r.headers.get("traceparent", "") for r in server.requests]
    assert [header.split("-")[1:3] for header in sent] == [list(ids(s)) for s in spans]


async def test_a_callers_instrumented_session_is_traced(
    server: StubServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    server.on("GET", "/rooms/r1", OK_ROOM)
    async with (
        aiohttp.ClientSession(
            trace_configs=[create_trace_config(tracer_provider=provider)]
        ) as session,
        AsyncVideoClient(API_KEY, base_url=server.base_url, session=session) as client,
    ):
        await client.rooms.retrieve("r1")
    (span,) = exporter.get_finished_spans()
    assert (span.attributes or {}).get("http.status_code") == 200


def test_the_sync_client_takes_trace_configs_and_the_callers_span(
    provider: TracerProvider, exporter: InMemorySpanExporter, telnyx_emulator: EmulatorThread
) -> None:
    with VideoClient(
        telnyx_emulator.api_key,
        base_url=telnyx_emulator.base_url,
        trace_configs=[create_trace_config(tracer_provider=provider)],
    ) as client:
        tracer = provider.get_tracer("app")
        with tracer.start_as_current_span("handle-request") as parent:
            client.rooms.create(unique_name="traced")
    span, _ = exporter.get_finished_spans()
    assert (span.name, (span.attributes or {}).get("http.status_code")) == ("POST", 201)
    # The call's task runs in a copy of the calling thread's context: the caller's span is
    # the parent.
    assert span.parent is not None
    assert span.parent.span_id == parent.get_span_context().span_id


@pytest.mark.parametrize("value", ["not-a-list", [object()], 3])
def test_trace_configs_must_be_trace_configs(value: object) -> None:
    with pytest.raises(ConfigurationError, match="trace_configs"):
        AsyncVideoClient(API_KEY, trace_configs=value)  # type: ignore[arg-type]


async def test_trace_configs_and_a_callers_session_do_not_mix() -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(ConfigurationError, match="trace_configs"):
            AsyncVideoClient(API_KEY, session=session, trace_configs=[create_trace_config()])
