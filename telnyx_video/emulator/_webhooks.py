"""Webhook delivery: signed like Telnyx, in order per room, to loopback hosts only."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from telnyx_video._converter import format_datetime
from telnyx_video.emulator._state import Event

__all__ = [
    "DEFAULT_WEBHOOK_LOG_SIZE",
    "DEFAULT_WEBHOOK_TIMEOUT",
    "WebhookDelivery",
    "WebhookDispatcher",
    "is_loopback_url",
]

logger = logging.getLogger("telnyx_video.emulator")

#: Delivery timeout (seconds) when the room sets no ``webhook_timeout_secs`` (or 0).
DEFAULT_WEBHOOK_TIMEOUT = 10.0
#: How many delivery records the log keeps by default (the oldest go first).
DEFAULT_WEBHOOK_LOG_SIZE = 10_000
#: How much of a receiver's answer is read (the rest is dropped with the connection).
_MAX_ANSWER_BYTES = 64 * 1024
#: How many delivery records a timeout message lists.
_SHOWN_ON_TIMEOUT = 20


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` is http(s) to localhost, 127.0.0.0/8 or ::1."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _drain(response: aiohttp.ClientResponse, limit: int) -> None:
    """Read the answer to its end, or ``limit`` bytes of it (then the connection is dropped)."""
    left = limit
    while left > 0 and (chunk := await response.content.read(left)):
        left -= len(chunk)


@dataclass(slots=True, frozen=True, kw_only=True)
class WebhookDelivery:
    """One delivery attempt of a webhook event, as recorded in the delivery log."""

    event_id: str
    event_type: str
    url: str
    attempt: int
    outcome: str
    """``"delivered"`` (2xx), ``"failed"`` (other status, error or timeout) or ``"skipped"``
    (not a loopback URL: the emulator never connects elsewhere)."""
    status: int | None = None
    error: str | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def payload(self) -> Any:
        """The decoded JSON body that was (or would have been) sent."""
        return json.loads(self.body) if self.body else None

    def to_json(self) -> dict[str, Any]:
        """The record as JSON, as ``GET /_emulator/webhooks`` lists it."""
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "url": self.url,
            "attempt": self.attempt,
            "outcome": self.outcome,
            "status": self.status,
            "error": self.error,
            "body": self.body.decode(),
            "headers": self.headers,
        }


@dataclass(slots=True, frozen=True)
class _Entry:
    """A log record with its rank among all records, and among those of its outcome, since
    the dispatcher started or was reset (ranks survive the eviction of older records)."""

    rank: int
    outcome_rank: int
    record: WebhookDelivery


class WebhookDispatcher:
    """Queues events per key and delivers them one at a time per key, in order.

    Each key (room) with pending events has its own worker task, which ends when its queue
    runs dry, so a receiver that never answers delays only its own room (each attempt is
    bounded by the room's ``webhook_timeout_secs``). Once closed, the dispatcher drops new
    events until `open()` is called again.

    The delivery log keeps the latest ``log_size`` records; `wait_for()` counts every
    record since the start (or the last `reset()`), evicted ones included.
    """

    def __init__(
        self, key: Ed25519PrivateKey | None = None, *, log_size: int = DEFAULT_WEBHOOK_LOG_SIZE
    ) -> None:
        self._key = key if key is not None else Ed25519PrivateKey.generate()
        self._queues: dict[str, deque[Event]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None
        self._log: deque[_Entry] = deque(maxlen=log_size)
        self._total = 0
        self._totals: dict[str, int] = {}
        self._changed = asyncio.Condition()
        self._closed = False
        self.on_record: Callable[[WebhookDelivery], None] | None = None

    @property
    def public_key(self) -> str:
        """Base64 of the raw 32-byte Ed25519 public key that verifies signatures."""
        raw = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode("ascii")

    @property
    def log(self) -> list[WebhookDelivery]:
        """A copy of the delivery log (the latest ``log_size`` records), oldest first."""
        return [entry.record for entry in self._log]

    @property
    def log_size(self) -> int:
        """How many records the delivery log keeps."""
        maxlen = self._log.maxlen
        assert maxlen is not None
        return maxlen

    def count(self, outcome: str | None = None) -> int:
        """How many records with ``outcome`` (any when ``None``) were logged since the start
        or the last reset, including those the log no longer holds."""
        return self._total if outcome is None else self._totals.get(outcome, 0)

    @property
    def pending(self) -> int:
        """How many events wait for delivery (not counting attempts in flight)."""
        return sum(len(queue) for queue in self._queues.values())

    def submit(self, event: Event) -> None:
        """Queue an event; a room without a webhook URL gets nothing, nor does anyone once
        the dispatcher is closed."""
        if self._closed or (not event.url and not event.failover_url):
            return
        key = event.key
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = deque()
            self._workers[key] = asyncio.create_task(
                self._work(key, queue), name=f"telnyx-emulator-webhooks-{key}"
            )
        queue.append(event)

    async def wait_for(
        self, count: int, timeout: float, outcome: str | None
    ) -> list[WebhookDelivery]:
        """Wait until ``count`` records with ``outcome`` (any when ``None``) were logged since
        the start or the last reset, and return the first ``count`` of them that the log still
        holds (all of them unless more than ``log_size`` records came since)."""
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.count(outcome) >= count), timeout
                )
            except TimeoutError:
                shown = [
                    (e.record.event_type, e.record.outcome, e.record.status, e.record.error)
                    for e in self._log
                ]
                more = self._total - len(shown[-_SHOWN_ON_TIMEOUT:])
                raise TimeoutError(
                    f"waited {timeout} s for {count} webhook deliveries"
                    f"{f' with outcome {outcome!r}' if outcome else ''}, "
                    f"got {self.count(outcome)}: "
                    f"{shown[-_SHOWN_ON_TIMEOUT:]}{f' (and {more} earlier)' if more > 0 else ''}"
                ) from None
            if outcome is None:
                return [e.record for e in self._log if e.rank <= count]
            return [
                e.record
                for e in self._log
                if e.record.outcome == outcome and e.outcome_rank <= count
            ]

    async def reset(self) -> None:
        """Drop queued deliveries and the log, and restart the counts; deliveries in flight
        are cancelled (and waited for)."""
        await self.stopped(self.discard())

    def discard(self) -> list[asyncio.Task[None]]:
        """The synchronous part of `reset()`: forget queued deliveries, the log and the
        counts at once, and cancel the workers, which are returned to be awaited with
        `stopped()`. Events submitted afterwards start new workers."""
        workers = self._cancel_workers()
        self._log.clear()
        self._total = 0
        self._totals.clear()
        return workers

    async def stopped(self, workers: list[asyncio.Task[None]]) -> None:
        """Wait for cancelled workers (from `discard()`) to finish."""
        for task in workers:
            try:
                await task
            except asyncio.CancelledError:
                if (current := asyncio.current_task()) is not None and current.cancelling():
                    raise

    def open(self) -> None:
        """Accept events again after `close()`."""
        self._closed = False

    async def close(self) -> None:
        """Drop pending deliveries, cancel those in flight and close the HTTP session."""
        self._closed = True
        await self._stop_workers()
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def _stop_workers(self) -> None:
        while self._workers:  # events submitted meanwhile start new workers: stop those too
            await self.stopped(self._cancel_workers())

    def _cancel_workers(self) -> list[asyncio.Task[None]]:
        workers = list(self._workers.values())
        self._workers.clear()
        self._queues.clear()
        for task in workers:
            task.cancel()
        return workers

    async def _work(self, key: str, queue: deque[Event]) -> None:
        try:
            while queue:
                event = queue.popleft()
                try:
                    await self._deliver(event)
                except Exception:  # a bug must not stop later deliveries
                    logger.exception("webhook delivery of %s failed unexpectedly", event.event_type)
        finally:
            # No await between the empty check and this: a new event starts a new worker.
            if self._queues.get(key) is queue:
                del self._queues[key]
                del self._workers[key]

    async def _deliver(self, event: Event) -> None:
        timeout = float(event.timeout_secs or 0) or DEFAULT_WEBHOOK_TIMEOUT
        attempt = 0
        for url in (event.url, event.failover_url):
            if not url:
                continue
            attempt += 1
            record = await self._attempt(event, url, attempt, timeout)
            await self._record(record)
            if record.outcome == "delivered":
                return

    def _envelope(self, event: Event, url: str, attempt: int) -> bytes:
        document = {
            "data": {
                "record_type": "event",
                "id": event.id,
                "event_type": event.event_type,
                "occurred_at": format_datetime(event.occurred_at),
                "payload": event.payload,
            },
            "meta": {"attempt": attempt, "delivered_to": url},
        }
        return json.dumps(document, separators=(",", ":")).encode()

    def sign(self, body: bytes, timestamp: str) -> str:
        """Base64 Ed25519 signature of ``"{timestamp}|{body}"``."""
        signature = self._key.sign(timestamp.encode() + b"|" + body)
        return base64.b64encode(signature).decode("ascii")

    async def _attempt(
        self, event: Event, url: str, attempt: int, timeout: float
    ) -> WebhookDelivery:
        body = self._envelope(event, url, attempt)
        timestamp = str(int(time.time()))
        headers = {
            "content-type": "application/json",
            "telnyx-timestamp": timestamp,
            "telnyx-signature-ed25519": self.sign(body, timestamp),
        }

        def record(
            outcome: str, status: int | None = None, error: str | None = None
        ) -> WebhookDelivery:
            return WebhookDelivery(
                event_id=event.id,
                event_type=event.event_type,
                url=url,
                attempt=attempt,
                outcome=outcome,
                status=status,
                error=error,
                body=body,
                headers=headers,
            )

        if not is_loopback_url(url):
            return record("skipped", error="not a loopback URL; never delivered")
        if self._session is None:
            # No pool limit: a room whose receiver hangs must not starve the other rooms.
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        try:
            async with self._session.post(
                url,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=timeout),
                allow_redirects=False,
            ) as response:
                status = response.status
                await _drain(response, _MAX_ANSWER_BYTES)
        except TimeoutError:
            return record("failed", error=f"timed out after {timeout} s")
        except (aiohttp.ClientError, OSError) as exc:
            return record("failed", error=f"{type(exc).__name__}: {exc}")
        outcome = "delivered" if 200 <= status < 300 else "failed"
        return record(outcome, status=status)

    async def _record(self, record: WebhookDelivery) -> None:
        self._total += 1
        outcome_rank = self._totals[record.outcome] = self._totals.get(record.outcome, 0) + 1
        self._log.append(_Entry(self._total, outcome_rank, record))
        if self.on_record is not None:
            self.on_record(record)
        async with self._changed:
            self._changed.notify_all()
