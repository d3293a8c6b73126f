"""The fault workload: many mixed operations through the client against a faulty emulator.

Used by ``test_fault_workload.py`` (2,000 operations) and ``benchmarks/soak.py`` (20,000).

Workers draw operations from a seeded RNG (create, update, delete and retrieve rooms,
tokens, list pages and sessions) and keep a ledger of what the client believes: the rooms
it created with their last confirmed settings, the rooms it deleted, and every error it
got. An operation whose outcome the client cannot know (an update or a create that failed
ambiguously) is recorded as uncertain: either outcome is then accepted. One worker at a
time operates on a given room, so the ledger is exact. At the end, with faults off, the
emulator's rooms are listed and compared with the ledger; :class:`Report` holds the
figures and the violations found (there must be none).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from typing import Any

import attrs

from telnyx_video import (
    APIConnectionError,
    APIStatusError,
    AsyncVideoClient,
    NotFoundError,
    Room,
    TelnyxVideoError,
)
from telnyx_video._retry import RetryPolicy
from telnyx_video.emulator import Emulator, FaultConfig
from telnyx_video.models import MAX_PAGE_SIZE

__all__ = ["Ledger", "Report", "RoomBelief", "default_faults", "run_workload"]

#: Settings the workload changes; the check compares exactly these.
SETTINGS = ("max_participants", "enable_recording", "webhook_timeout_secs")

#: Operation mix (weights).
MIX: dict[str, int] = {
    "create": 18,
    "update": 22,
    "delete": 8,
    "retrieve": 18,
    "list_page": 10,
    "find_by_name": 6,
    "token": 10,
    "refresh_token": 4,
    "list_sessions": 4,
}


def default_faults(seed: int) -> FaultConfig:
    """The issue's fault mix: 20% 5xx, 5% dropped connections, 429 bursts, latency."""
    return FaultConfig(
        latency_ms=1.0,
        error_rate=0.20,
        drop_rate=0.05,
        rate_limit_rate=0.02,
        rate_limit_burst=3,
        retry_after=0.0,
        phase="random",
        seed=seed,
    )


Settings = dict[str, Any]


def settings_of(room: Room) -> Settings:
    return {name: getattr(room, name) for name in SETTINGS}


@attrs.define
class RoomBelief:
    """What the client believes about one room it asked for."""

    unique_name: str
    room_id: str | None = None
    #: Every settings the room may have now: one when certain, more after ambiguous updates.
    candidates: list[Settings] = attrs.Factory(list)
    #: "exists", "deleted", or "maybe" (a create or delete whose outcome is unknown).
    state: str = "exists"
    busy: bool = False
    refresh_token: str | None = None
    #: The error class of a create that failed with an error meaning "nothing was done".
    raised: str | None = None
    #: What happened to it, for the violation reports.
    history: list[str] = attrs.Factory(list)


@attrs.define
class Ledger:
    """The client-side record of the workload."""

    rooms: dict[str, RoomBelief] = attrs.Factory(dict)  # by unique_name
    ops: Counter[str] = attrs.Factory(Counter)
    ok: Counter[str] = attrs.Factory(Counter)
    errors: Counter[str] = attrs.Factory(Counter)
    errors_by_op: Counter[str] = attrs.Factory(Counter)
    untyped: list[str] = attrs.Factory(list)
    violations: list[str] = attrs.Factory(list)
    uncertain: Counter[str] = attrs.Factory(Counter)
    misleading: list[str] = attrs.Factory(list)

    def idle_rooms(self, *states: str) -> list[RoomBelief]:
        return [
            b
            for b in self.rooms.values()
            if not b.busy and b.state in states and b.room_id is not None
        ]


@attrs.define
class Report:
    """The figures of one run, and what went wrong (``violations`` must stay empty)."""

    operations: int
    workers: int
    seed: int
    duration_s: float
    ops_by_kind: dict[str, int]
    ok_by_kind: dict[str, int]
    typed_errors: dict[str, int]
    typed_errors_by_operation: dict[str, int]
    untyped_errors: list[str]
    uncertain_outcomes: dict[str, int]
    misleading_errors: list[str]
    retries: int
    requests_seen: int
    faults_injected: int
    faults_by_kind: dict[str, int]
    rooms_final: int
    rooms_checked: int
    violations: list[str]

    def lines(self) -> list[str]:
        """A human-readable summary."""
        rate = self.operations / self.duration_s if self.duration_s else 0.0
        faults = dict(sorted(self.faults_by_kind.items()))
        ok = dict(sorted(self.ok_by_kind.items()))
        errors = dict(sorted(self.typed_errors.items()))
        return [
            f"operations        {self.operations} by {self.workers} workers, seed {self.seed}",
            f"duration          {self.duration_s:.2f} s ({rate:.0f} ops/s)",
            f"requests seen     {self.requests_seen} by the emulator",
            f"faults injected   {self.faults_injected} {faults}",
            f"retries           {self.retries} (logged by the client)",
            f"succeeded         {sum(self.ok_by_kind.values())} {ok}",
            f"typed errors      {sum(self.typed_errors.values())} {errors}",
            *(f"  {k:<36} {v}" for k, v in sorted(self.typed_errors_by_operation.items())),
            f"untyped errors    {len(self.untyped_errors)}",
            f"uncertain         {dict(sorted(self.uncertain_outcomes.items()))}",
            f"misleading errors {len(self.misleading_errors)} (said nothing happened, yet done)",
            f"rooms at the end  {self.rooms_final} ({self.rooms_checked} checked with the ledger)",
            f"violations        {len(self.violations)}",
        ]


class _RetryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "retrying" in record.getMessage():
            self.count += 1


def _ambiguous(exc: TelnyxVideoError) -> bool:
    """Whether the failed request may have been processed by the server."""
    if isinstance(exc, APIConnectionError):
        return exc.maybe_sent
    return isinstance(exc, APIStatusError) and (exc.status >= 500 or exc.status == 408)


class _Runner:
    def __init__(self, client: AsyncVideoClient, ledger: Ledger, seed: int, total: int) -> None:
        self.client = client
        self.ledger = ledger
        self.seed = seed
        self.remaining = total
        self.names = 0

    async def worker(self, index: int) -> None:
        rng = random.Random(self.seed * 1000 + index)
        kinds, weights = list(MIX), list(MIX.values())
        while self.remaining > 0:
            self.remaining -= 1
            kind = rng.choices(kinds, weights)[0]
            await self.run(kind, rng)

    async def run(self, kind: str, rng: random.Random) -> None:
        ledger = self.ledger
        method = getattr(self, f"op_{kind}")
        belief: RoomBelief | None = None
        if kind not in ("create", "list_page"):
            states = ("exists", "maybe") if kind in ("retrieve", "delete") else ("exists",)
            candidates = ledger.idle_rooms(*states)
            if not candidates:
                kind, method = "create", self.op_create
            else:
                belief = rng.choice(candidates)
                belief.busy = True
        ledger.ops[kind] += 1
        try:
            await method(rng, belief)
        except TelnyxVideoError as exc:
            ledger.errors[type(exc).__name__] += 1
            ledger.errors_by_op[f"{kind}: {type(exc).__name__}"] += 1
            outcome = repr(exc)
        except Exception as exc:  # anything else is a bug in the SDK
            ledger.untyped.append(f"{kind}: {type(exc).__name__}: {exc}")
            outcome = repr(exc)
        else:
            ledger.ok[kind] += 1
            outcome = "ok"
        finally:
            if belief is not None:
                belief.busy = False
        if belief is not None:
            belief.history.append(f"{kind}: {outcome} -> {belief.state}")

    def settings(self, rng: random.Random) -> Settings:
        return {
            "max_participants": rng.randint(2, 50),
            "enable_recording": rng.random() < 0.5,
            "webhook_timeout_secs": rng.randint(1, 30),
        }

    async def op_create(self, rng: random.Random, _: RoomBelief | None) -> None:
        self.names += 1
        name = f"soak-{self.seed}-{self.names}"
        wanted = self.settings(rng)
        belief = RoomBelief(name, candidates=[wanted], state="maybe", busy=True)
        self.ledger.rooms[name] = belief
        try:
            room = await self.client.rooms.create(unique_name=name, **wanted)
        except TelnyxVideoError as exc:
            if isinstance(exc, APIStatusError) and exc.status in (400, 422):
                belief.state = "deleted"  # refused: it must not exist
            else:
                # Even a 429 may hide an earlier attempt that created the room (the name
                # lookup after an ambiguous failure can be what got the 429).
                self.ledger.uncertain["create"] += 1
                if not _ambiguous(exc):
                    belief.raised = type(exc).__name__
            raise
        finally:
            belief.busy = False
        belief.room_id = room.id
        belief.state = "exists"
        belief.history.append(f"created {room.id}")
        if room.unique_name != name or settings_of(room) != wanted:
            self.ledger.violations.append(f"create {name} returned {room!r}")

    async def op_update(self, rng: random.Random, belief: RoomBelief) -> None:
        room_id = _room_id(belief)
        change = {k: v for k, v in self.settings(rng).items() if rng.random() < 0.7}
        if not change:
            change = {"max_participants": rng.randint(2, 50)}
        new = [{**c, **change} for c in belief.candidates]
        try:
            room = await self.client.rooms.update(room_id, **change)
        except TelnyxVideoError as exc:
            if _ambiguous(exc):
                # Either applied or not: both stay possible until a success settles it.
                belief.candidates = _unique(belief.candidates + new)
                self.ledger.uncertain["update"] += 1
            raise
        got = settings_of(room)
        if got not in new:
            self.ledger.violations.append(f"update {belief.unique_name}: {change} gave {got}")
        belief.candidates = [got]

    async def op_delete(self, rng: random.Random, belief: RoomBelief) -> None:
        room_id = _room_id(belief)
        try:
            await self.client.rooms.delete(room_id)
        except NotFoundError:
            # An earlier attempt deleted it and its response was lost (or a "maybe"
            # create never happened): either way, it is gone.
            belief.state = "deleted"
            raise
        except TelnyxVideoError:
            # A DELETE is retried after 5xx and dropped connections, so whatever the last
            # attempt got, an earlier one may have deleted the room.
            belief.state = "maybe"
            self.ledger.uncertain["delete"] += 1
            raise
        belief.state = "deleted"

    async def op_retrieve(self, rng: random.Random, belief: RoomBelief) -> None:
        room_id = _room_id(belief)
        try:
            room = await self.client.rooms.retrieve(room_id)
        except NotFoundError:
            if belief.state == "exists":
                self.ledger.violations.append(
                    f"room {belief.unique_name} is lost; history: {belief.history}"
                )
            belief.state = "deleted"
            raise
        self._observe(belief, room)

    def _observe(self, belief: RoomBelief, room: Room) -> None:
        got = settings_of(room)
        if got not in belief.candidates or room.unique_name != belief.unique_name:
            self.ledger.violations.append(
                f"room {belief.unique_name}: {got} not in {belief.candidates}"
            )
        belief.candidates = [got]
        belief.state = "exists"

    async def op_find_by_name(self, rng: random.Random, belief: RoomBelief) -> None:
        page = await self.client.rooms.list(unique_name=belief.unique_name)
        if len(page.items) != 1:
            self.ledger.violations.append(
                f"{len(page.items)} rooms named {belief.unique_name} (believed to exist); "
                f"history: {belief.history}"
            )
        else:
            self._observe(belief, page.items[0])

    async def op_list_page(self, rng: random.Random, _: RoomBelief | None) -> None:
        size = rng.choice([1, 5, 20, 50])
        page = await self.client.rooms.list(page_size=size)
        names = [r.unique_name for r in page.items]
        if len(names) != len(set(names)):
            self.ledger.violations.append(f"duplicate names in a page: {names}")

    async def op_token(self, rng: random.Random, belief: RoomBelief) -> None:
        room_id = _room_id(belief)
        token = await self.client.rooms.generate_join_client_token(
            room_id, token_ttl_secs=rng.randint(10, 3600)
        )
        belief.refresh_token = token.refresh_token

    async def op_refresh_token(self, rng: random.Random, belief: RoomBelief) -> None:
        room_id = _room_id(belief)
        if belief.refresh_token is None:
            await self.op_token(rng, belief)
            return
        await self.client.rooms.refresh_client_token(room_id, refresh_token=belief.refresh_token)

    async def op_list_sessions(self, rng: random.Random, belief: RoomBelief) -> None:
        room_id = _room_id(belief)
        await self.client.rooms.list_sessions(room_id, page_size=5)


def _room_id(belief: RoomBelief) -> str:
    assert belief.room_id is not None
    return belief.room_id


def _unique(items: list[Settings]) -> list[Settings]:
    out: list[Settings] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


async def _verify(client: AsyncVideoClient, ledger: Ledger) -> tuple[int, int]:
    """Compare the emulator's rooms with the ledger; return (rooms listed, rooms checked)."""
    listed = [room async for room in client.rooms.list(page_size=MAX_PAGE_SIZE)]
    by_name: dict[str | None, list[Room]] = {}
    for room in listed:
        by_name.setdefault(room.unique_name, []).append(room)
    violations = ledger.violations
    for name, rooms in by_name.items():
        if len(rooms) > 1:
            violations.append(f"{len(rooms)} rooms share the name {name!r}")
        if name not in ledger.rooms:
            violations.append(f"room {name!r} exists but the client never created it")
    checked = 0
    for name, belief in ledger.rooms.items():
        found = by_name.get(name, [])
        if belief.state == "deleted" and found:
            violations.append(f"room {name} was deleted but exists; history: {belief.history}")
        elif belief.state == "exists":
            checked += 1
            if not found:
                violations.append(f"room {name} was lost")
            elif found[0].id != belief.room_id:
                violations.append(f"room {name} has id {found[0].id}, not {belief.room_id}")
            elif settings_of(found[0]) not in belief.candidates:
                violations.append(
                    f"room {name}: {settings_of(found[0])} not in {belief.candidates}"
                )
        elif belief.state == "maybe" and found:
            checked += 1
            if belief.raised is not None and belief.room_id is None:
                ledger.misleading.append(
                    f"create {name} raised {belief.raised}, yet the room was created"
                )
            if belief.room_id is not None and found[0].id != belief.room_id:
                violations.append(f"room {name} has id {found[0].id}, not {belief.room_id}")
            if settings_of(found[0]) not in belief.candidates:
                violations.append(
                    f"room {name}: {settings_of(found[0])} not in {belief.candidates}"
                )
    return len(listed), checked


async def run_workload(
    *,
    operations: int = 2000,
    workers: int = 64,
    seed: int = 1,
    faults: FaultConfig | None = None,
    max_retries: int = 3,
    api_key: str = "soak-key",
) -> Report:
    """Run the workload against a fresh in-process emulator and return its report."""
    faults = faults if faults is not None else default_faults(seed)
    ledger = Ledger()
    counter = _RetryCounter()
    sdk_logger = logging.getLogger("telnyx_video")
    previous_level = sdk_logger.level
    sdk_logger.addHandler(counter)
    if sdk_logger.getEffectiveLevel() > logging.INFO:
        sdk_logger.setLevel(logging.INFO)
    policy = RetryPolicy(initial_backoff=0.001, max_backoff=0.01, max_retry_after=0.05)
    try:
        async with (
            Emulator(api_key=api_key) as emu,
            AsyncVideoClient(
                api_key,
                base_url=emu.base_url,
                retry_policy=policy,
                max_retries=max_retries,
                timeout=30.0,
            ) as client,
        ):
            runner = _Runner(client, ledger, seed, operations)
            emu.configure_faults(faults)
            started = time.perf_counter()
            await asyncio.gather(*(runner.worker(i) for i in range(workers)))
            duration = time.perf_counter() - started
            stats = emu.fault_stats.to_json()
            emu.configure_faults(None)
            listed, checked = await _verify(client, ledger)
    finally:
        sdk_logger.removeHandler(counter)
        sdk_logger.setLevel(previous_level)
    return Report(
        operations=sum(ledger.ops.values()),
        workers=workers,
        seed=seed,
        duration_s=duration,
        ops_by_kind=dict(ledger.ops),
        ok_by_kind=dict(ledger.ok),
        typed_errors=dict(ledger.errors),
        typed_errors_by_operation=dict(ledger.errors_by_op),
        untyped_errors=list(ledger.untyped),
        uncertain_outcomes=dict(ledger.uncertain),
        misleading_errors=list(ledger.misleading),
        retries=counter.count,
        requests_seen=stats["requests_seen"],
        faults_injected=stats["faults_injected"],
        faults_by_kind=dict(stats["by_kind"]),
        rooms_final=listed,
        rooms_checked=checked,
        violations=list(ledger.violations),
    )
