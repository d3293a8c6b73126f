"""Dropping duplicate deliveries: the LRU store, and the aiohttp receiver with a store.

The deliveries are signed here (the emulator's duplicate/reorder faults are tested elsewhere).
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from telnyx_video.webhooks import (
    DEFAULT_DEDUPE_SIZE,
    AsyncDedupeStore,
    DedupeStore,
    LRUDedupeStore,
    WebhookEvent,
    WebhookReceiver,
)

from .conftest import Serve
from .webhook_support import AsyncRecordingStore, RecordingStore, Signer, event_body

# -- LRUDedupeStore --------------------------------------------------------------------------


def test_the_same_id_is_new_once() -> None:
    store = LRUDedupeStore()
    assert store.max_size == DEFAULT_DEDUPE_SIZE
    assert store.add("a") is True
    assert store.add("a") is False
    assert store.add("b") is True
    assert "a" in store
    assert "b" in store
    assert len(store) == 2


def test_the_bound_forgets_the_least_recently_seen() -> None:
    store = LRUDedupeStore(max_size=3)
    for event_id in "abc":
        assert store.add(event_id)
    assert store.add("a") is False  # seen again: now the most recent
    assert store.add("d") is True  # evicts "b", the least recently seen
    assert len(store) == 3
    assert "b" not in store
    assert [e in store for e in "acd"] == [True, True, True]
    assert store.add("b") is True  # forgotten, so new again (and "c" goes)
    assert "c" not in store


def test_a_large_stream_stays_within_the_bound() -> None:
    store = LRUDedupeStore(max_size=100)
    for n in range(10_000):
        store.add(f"id-{n}")
    assert len(store) == 100
    assert all(f"id-{n}" in store for n in range(9_900, 10_000))
    assert "id-9899" not in store


def test_discard_forgets_an_id() -> None:
    store = LRUDedupeStore()
    store.add("a")
    store.discard("a")
    store.discard("never seen")  # no error
    assert store.add("a") is True


def test_concurrent_adds_of_one_id_let_exactly_one_through() -> None:
    store = LRUDedupeStore(max_size=10)
    barrier = threading.Barrier(8)
    results: list[bool] = []
    lock = threading.Lock()

    def add() -> None:
        barrier.wait()
        outcome = store.add("same")
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=add) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


@pytest.mark.parametrize("max_size", [0, -1, 1.5, True, "10"])
def test_max_size_must_be_a_positive_integer(max_size: Any) -> None:
    with pytest.raises(ValueError, match="max_size"):
        LRUDedupeStore(max_size=max_size)


def test_the_stores_satisfy_the_protocols() -> None:
    """Checked by mypy: the LRU and the test stores are stores of their flavour."""
    stores: list[DedupeStore | AsyncDedupeStore] = [
        LRUDedupeStore(),
        RecordingStore(),
        AsyncRecordingStore(),
    ]
    assert repr(stores[0]) == f"<LRUDedupeStore 0/{DEFAULT_DEDUPE_SIZE} ids>"


# -- the aiohttp receiver with a store --------------------------------------------------------


@pytest.fixture
def receiver_url(serve: Serve) -> Callable[[WebhookReceiver], Awaitable[str]]:
    async def start(receiver: WebhookReceiver) -> str:
        return (await serve(receiver.create_app("/hook"))).url + "/hook"

    return start


async def post_all(url: str, signer: Signer, deliveries: list[tuple[str, int]]) -> list[int]:
    statuses = []
    async with aiohttp.ClientSession() as session:
        for event_id, attempt in deliveries:
            body = event_body(event_id=event_id, attempt=attempt)
            async with session.post(url, data=body, headers=signer.headers(body)) as response:
                statuses.append(response.status)
    return statuses


@pytest.mark.parametrize("store_kind", ["lru", "sync", "async"])
async def test_the_receiver_drops_duplicates_and_keeps_distinct_events(
    signer: Signer, receiver_url: Any, store_kind: str
) -> None:
    store: Any = {
        "lru": LRUDedupeStore,
        "sync": RecordingStore,
        "async": AsyncRecordingStore,
    }[store_kind]()
    receiver = WebhookReceiver(public_key=signer.public_key, dedupe=store)
    handled: list[tuple[str, int | None]] = []

    @receiver.on(WebhookEvent)
    def record(event: WebhookEvent) -> None:
        handled.append((event.id, event.meta.attempt if event.meta else None))

    url = await receiver_url(receiver)
    deliveries = [("a", 1), ("b", 1), ("a", 2), ("a", 3), ("c", 1), ("b", 2)]
    assert await post_all(url, signer, deliveries) == [204] * 6
    assert handled == [("a", 1), ("b", 1), ("c", 1)]
    if store_kind != "lru":
        assert [c for c in store.calls if c[0] == "add"] == [("add", i) for i, _ in deliveries]


async def test_a_failed_handler_lets_the_redelivery_through(
    signer: Signer, receiver_url: Any
) -> None:
    store = RecordingStore()
    receiver = WebhookReceiver(public_key=signer.public_key, dedupe=store)
    attempts: list[int | None] = []

    @receiver.on(WebhookEvent)
    def flaky(event: WebhookEvent) -> None:
        attempts.append(event.meta.attempt if event.meta else None)
        if len(attempts) == 1:
            raise RuntimeError("database down")

    url = await receiver_url(receiver)
    statuses = await post_all(url, signer, [("x", 1), ("x", 2), ("x", 3)])
    assert statuses == [500, 204, 204]
    assert attempts == [1, 2]
    assert store.calls == [("add", "x"), ("discard", "x"), ("add", "x"), ("add", "x")]


async def test_without_a_store_every_delivery_is_handled(signer: Signer, receiver_url: Any) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key)
    handled: list[str] = []
    receiver.on(WebhookEvent)(lambda event: handled.append(event.id))
    url = await receiver_url(receiver)
    assert await post_all(url, signer, [("a", 1), ("a", 2)]) == [204, 204]
    assert handled == ["a", "a"]


def test_a_store_without_the_methods_is_refused(signer: Signer) -> None:
    with pytest.raises(TypeError, match="dedupe"):
        WebhookReceiver(public_key=signer.public_key, dedupe={"a": 1})  # type: ignore[arg-type]
