"""Webhook delivery as Telnyx documents it: signed, retried with backoff, then the failover URL.

Each event goes to its URL up to ``ATTEMPTS_PER_URL`` times, waiting the retry delays between
attempts on the emulator's clock (so [`advance()`][telnyx_video.emulator.Emulator.advance]
fires due retries), then to its failover URL the same way. Only a 2xx answered within the
timeout counts as delivered. Events of one room go out one at a time, in order (unless the
``webhook_reorder`` fault swaps two); only loopback URLs are ever contacted.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import attrs
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from telnyx_video.emulator._faults import Faults
from telnyx_video.emulator._loopback import is_loopback_url
from telnyx_video.emulator._records import WebhookTarget
from telnyx_video.errors import WebhookVerificationError
from telnyx_video.webhooks._events import VideoEvent, WebhookMeta, event_document
from telnyx_video.webhooks._verify import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_with_keys

__all__ = [
    "ATTEMPTS_PER_URL",
    "DEFAULT_WEBHOOK_TIMEOUT",
    "Outgoing",
    "WebhookDelivery",
    "WebhookDispatcher",
]

logger = logging.getLogger("telnyx_video.emulator")

#: Attempts per URL before giving up on it (then the failover URL gets as many).
ATTEMPTS_PER_URL = 3
#: Delivery timeout (seconds) when the resource sets no ``webhook_timeout_secs`` (null or 0).
DEFAULT_WEBHOOK_TIMEOUT = 2.0
#: How much of a receiver's answer is read (the rest is dropped with the connection).
_MAX_ANSWER_BYTES = 64 * 1024
#: How many delivery records a timeout message lists.
_SHOWN_ON_TIMEOUT = 20
_DUMPS = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


@attrs.frozen
class Outgoing:
    """An event waiting for delivery, where it goes, and the room whose queue it joins."""

    event: VideoEvent
    target: WebhookTarget
    key: str


@attrs.frozen(kw_only=True)
class WebhookDelivery:
    """One delivery attempt of a webhook event, as recorded in the delivery log."""

    event_id: str
    event_type: str
    room_id: str | None = None
    """The room whose event it is (the room of a recording or a composition for theirs)."""
    url: str
    attempt: int
    """Counts every attempt of the event, across its URL and failover URL (``meta.attempt``)."""
    outcome: str
    """``"delivered"`` (2xx within the timeout), ``"failed"`` (other status, error or timeout)
    or ``"skipped"`` (not a loopback URL: the emulator never connects elsewhere)."""
    status: int | None = None
    error: str | None = None
    body: bytes = b""
    headers: dict[str, str] = attrs.Factory(dict)
    duplicate: bool = False
    """Whether this was a deliberate second delivery (the ``webhook_duplicate_rate`` fault)."""
    latency_ms: float | None = None
    """How long the receiver took to answer (or to fail), in milliseconds of wall-clock
    time; ``None`` when it was never contacted."""
    signature_verified: bool = False
    """Whether the signed headers verify against the body with the emulator's public key
    ([`webhook_public_key`][telnyx_video.emulator.Emulator.webhook_public_key]), checked by
    the SDK's own [`verify()`][telnyx_video.webhooks.verify] as a receiver would."""

    @property
    def payload(self) -> Any:
        """The decoded JSON body that was (or would have been) sent."""
        return json.loads(self.body) if self.body else None

    def to_json(self) -> dict[str, Any]:
        """The record as JSON, as ``GET /_emulator/webhooks`` lists it."""
        return {**attrs.asdict(self, recurse=False), "body": self.body.decode()}


async def _drain(response: aiohttp.ClientResponse, limit: int) -> None:
    """Read the answer to its end, or ``limit`` bytes of it (then the connection is dropped)."""
    left = limit
    while left > 0 and (chunk := await response.content.read(left)):
        left -= len(chunk)


@dataclass(slots=True, frozen=True)
class _Entry:
    """A log record with its rank among all records, and among those of its outcome, since
    the dispatcher started or was reset (ranks survive the eviction of older records)."""

    rank: int
    outcome_rank: int
    record: WebhookDelivery


class WebhookDispatcher:
    """Queues events per key (room) and delivers them one at a time per key, in order.

    Each key with pending events has its own worker task, which ends when its queue runs dry,
    so a receiver that never answers delays only its own room. ``wait(seconds)`` waits on the
    emulator's clock (retry backoff). Once closed, the dispatcher drops new events until
    ``open()`` is called again. The log keeps the latest ``log_size`` records; ``wait_for()``
    counts every record since the start (or the last ``discard()``).
    """

    def __init__(
        self,
        *,
        faults: Faults,
        wait: Callable[[float], Awaitable[None]],
        retry_delays: tuple[float, ...],
        log_size: int,
        key: Ed25519PrivateKey | None = None,
    ) -> None:
        self._key = key if key is not None else Ed25519PrivateKey.generate()
        self._public_keys = (self._key.public_key(),)
        self._faults = faults
        self._wait = wait
        self._delays = retry_delays
        self._queues: dict[str, deque[Outgoing]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None
        self._log: deque[_Entry] = deque(maxlen=log_size)
        self._total = 0
        self._totals: dict[str, int] = {}
        self._changed = asyncio.Condition()
        self._closed = False

    @property
    def public_key(self) -> str:
        """Base64 of the raw 32-byte Ed25519 public key that verifies signatures."""
        raw = self._public_keys[0].public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode("ascii")

    @property
    def log(self) -> list[WebhookDelivery]:
        """A copy of the delivery log (the latest ``log_size`` records), oldest first."""
        return [entry.record for entry in self._log]

    def count(self, outcome: str | None = None) -> int:
        """How many records with ``outcome`` (any when ``None``) were logged since the start
        or the last reset, including those the log no longer holds."""
        return self._total if outcome is None else self._totals.get(outcome, 0)

    def submit(self, item: Outgoing) -> None:
        """Queue an event; nothing is sent once the dispatcher is closed."""
        if self._closed:
            return
        queue = self._queues.get(item.key)
        if queue is None:
            queue = self._queues[item.key] = deque()
            self._workers[item.key] = asyncio.create_task(
                self._work(item.key, queue), name=f"telnyx-emulator-webhooks-{item.key}"
            )
        queue.append(item)

    async def wait_for(
        self, count: int, timeout: float, outcome: str | None
    ) -> list[WebhookDelivery]:
        """Wait until ``count`` records with ``outcome`` (any when ``None``) were logged since
        the start or the last reset, and return the first ``count`` of them that the log still
        holds."""
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.count(outcome) >= count), timeout
                )
            except TimeoutError:
                shown = [
                    (e.record.event_type, e.record.outcome, e.record.status, e.record.error)
                    for e in self._log
                ][-_SHOWN_ON_TIMEOUT:]
                more = self._total - len(shown)
                raise TimeoutError(
                    f"waited {timeout} s for {count} webhook deliveries"
                    f"{f' with outcome {outcome!r}' if outcome else ''}, "
                    f"got {self.count(outcome)}: "
                    f"{shown}{f' (and {more} earlier)' if more > 0 else ''}"
                ) from None
            if outcome is None:
                return [e.record for e in self._log if e.rank <= count]
            return [
                e.record
                for e in self._log
                if e.record.outcome == outcome and e.outcome_rank <= count
            ]

    def discard(self) -> list[asyncio.Task[None]]:
        """Forget queued deliveries, the log and the counts at once, and cancel the workers,
        which are returned to be awaited with ``stopped()``."""
        workers = self._cancel_workers()
        self._log.clear()
        self._total = 0
        self._totals.clear()
        return workers

    async def stopped(self, workers: list[asyncio.Task[None]]) -> None:
        """Wait for cancelled workers (from ``discard()``) to finish."""
        for task in workers:
            try:
                await task
            except asyncio.CancelledError:
                if (current := asyncio.current_task()) is not None and current.cancelling():
                    raise

    def open(self) -> None:
        """Accept events again after ``close()``."""
        self._closed = False

    async def close(self) -> None:
        """Drop pending deliveries, cancel those in flight and close the HTTP session."""
        self._closed = True
        while self._workers:  # events submitted meanwhile start new workers: stop those too
            await self.stopped(self._cancel_workers())
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _cancel_workers(self) -> list[asyncio.Task[None]]:
        workers = list(self._workers.values())
        self._workers.clear()
        self._queues.clear()
        for task in workers:
            task.cancel()
        return workers

    async def _work(self, key: str, queue: deque[Outgoing]) -> None:
        try:
            while queue:
                if len(queue) > 1 and self._faults.swap_webhooks():
                    queue[0], queue[1] = queue[1], queue[0]
                item = queue.popleft()
                try:
                    await self._deliver(item)
                except Exception:  # a bug must not stop later deliveries
                    logger.exception(
                        "webhook delivery of %s failed unexpectedly", item.event.event_type
                    )
        finally:
            # No await between the empty check and this: a new event starts a new worker.
            if self._queues.get(key) is queue:
                del self._queues[key]
                del self._workers[key]

    async def _deliver(self, item: Outgoing) -> None:
        target = item.target
        timeout = float(target.timeout_secs or 0) or DEFAULT_WEBHOOK_TIMEOUT
        attempt = 0
        for url in (target.url, target.failover_url):
            if not url:
                continue
            for retry in range(ATTEMPTS_PER_URL):
                if retry:
                    await self._wait(self._delays[retry - 1])
                attempt += 1
                record = await self._attempt(item, url, attempt, timeout)
                await self._record(record)
                if record.outcome == "delivered":
                    if self._faults.duplicate_webhook():
                        again = await self._attempt(item, url, attempt, timeout)
                        await self._record(attrs.evolve(again, duplicate=True))
                    return
                if record.outcome == "skipped":
                    break  # never contacted: retrying changes nothing

    def sign(self, body: bytes, timestamp: str) -> str:
        """Base64 Ed25519 signature of ``"{timestamp}|{body}"``."""
        return base64.b64encode(self._key.sign(timestamp.encode() + b"|" + body)).decode("ascii")

    def _verifies(self, body: bytes, headers: dict[str, str]) -> bool:
        """Whether a receiver holding the public key accepts the signed delivery."""
        try:
            verify_with_keys(body, headers, self._public_keys, tolerance=None)
        except WebhookVerificationError:
            return False
        return True

    async def _attempt(
        self, item: Outgoing, url: str, attempt: int, timeout: float
    ) -> WebhookDelivery:
        event = item.event
        meta = WebhookMeta(attempt=attempt, delivered_to=url)
        body = _DUMPS(event_document(attrs.evolve(event, meta=meta))).encode()
        timestamp = str(int(time.time()))
        headers = {
            "content-type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: self.sign(body, timestamp),
        }
        verified = self._verifies(body, headers)
        started = time.perf_counter()

        def record(
            outcome: str, status: int | None = None, error: str | None = None
        ) -> WebhookDelivery:
            contacted = outcome != "skipped"
            return WebhookDelivery(
                event_id=event.id,
                event_type=event.event_type,
                room_id=item.key,
                url=url,
                attempt=attempt,
                outcome=outcome,
                status=status,
                error=error,
                body=body,
                headers=headers,
                latency_ms=round((time.perf_counter() - started) * 1000, 3) if contacted else None,
                signature_verified=verified,
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
        return record("delivered" if 200 <= status < 300 else "failed", status=status)

    async def _record(self, record: WebhookDelivery) -> None:
        self._total += 1
        outcome_rank = self._totals[record.outcome] = self._totals.get(record.outcome, 0) + 1
        self._log.append(_Entry(self._total, outcome_rank, record))
        async with self._changed:
            self._changed.notify_all()
