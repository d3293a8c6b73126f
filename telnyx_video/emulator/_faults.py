"""Fault injection, reproducibly: latency, 5xx, 429 bursts and dropped connections on API
requests; duplicated and reordered webhook deliveries."""

from __future__ import annotations

import fnmatch
import math
import random
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import attrs

__all__ = ["MAX_LATENCY_MS", "MAX_RETRY_AFTER", "FaultConfig", "FaultPlan", "FaultStats", "Faults"]

Phase = Literal["before", "after", "random"]
_PHASES = ("before", "after", "random")


#: The longest injectable latency (ms) and Retry-After (s): enough for any test, and short
#: enough that a mistyped value cannot hang every request for good.
MAX_LATENCY_MS = 300_000.0
MAX_RETRY_AFTER = 86_400.0


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def _rate(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= _number(attribute.name, value) <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def _bounded(limit: float) -> Callable[[Any, attrs.Attribute[Any], float], None]:
    def check(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
        if not 0 <= _number(attribute.name, value) <= limit:
            raise ValueError(f"{attribute.name} must be between 0 and {limit:g}, got {value!r}")

    return check


def _count(_: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value!r}")


def _seed(_: Any, attribute: attrs.Attribute[Any], value: int | str | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | str)):
        raise TypeError(f"seed must be an integer or a string, got {value!r}")


def _strings(name: str, value: Iterable[str]) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list of strings, got {value!r}")
    items = list(value)
    if not all(isinstance(item, str) for item in items):
        raise TypeError(f"{name} must be a list of strings, got {value!r}")
    return items


def _flag(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{attribute.name} must be true or false, got {value!r}")


def _phase(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or value not in _PHASES:
        raise ValueError(f"phase must be 'before', 'after' or 'random', got {value!r}")


def _upper_set(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else frozenset(v.upper() for v in _strings("methods", value))


def _str_tuple(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(_strings("paths", value))


def _statuses(value: Iterable[int]) -> tuple[int, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise TypeError(f"error_statuses must be a list of 5xx statuses, got {value!r}")
    return tuple(value)


@attrs.frozen(kw_only=True)
class FaultConfig:
    """What to inject into API requests (never into ``/_emulator/`` routes) and webhook
    deliveries.

    Each request first waits ``latency_ms``; then one roll of the seeded RNG picks at most one
    fault: a dropped connection (``drop_rate``), a 500/503 (``error_rate``) or a 429 with
    ``Retry-After: retry_after`` (``rate_limit_rate``; each 429 starts a burst of
    ``rate_limit_burst`` consecutive 429s). ``phase`` says whether 5xx and dropped
    connections happen ``"before"`` the handler runs (nothing changes), ``"after"`` it ran
    (the state changed but the response is lost: how duplicate-protection is tested) or at
    ``"random"``. 429s always come before. ``methods`` (e.g. ``["POST"]``) and ``paths``
    (shell patterns such as ``"/v2/rooms*"``) limit which requests are eligible;
    ``max_faults`` stops injecting after that many faults.

    Webhooks, which Telnyx warns may arrive duplicated or out of order:
    ``webhook_duplicate_rate`` is the chance that a delivered event is delivered once more
    (the same body, so the same event ``id``); ``webhook_reorder`` lets two events of one room
    that wait for delivery together swap places (each time with a chance of one half). Both
    draw from their own RNG, seeded from ``seed`` too. Values are checked: numbers must
    be finite, ``latency_ms`` at most `MAX_LATENCY_MS` (5 minutes) and ``retry_after``
    at most `MAX_RETRY_AFTER` (a day); anything else raises ``TypeError`` or
    ``ValueError``.
    """

    latency_ms: float = attrs.field(default=0.0, validator=_bounded(MAX_LATENCY_MS))
    error_rate: float = attrs.field(default=0.0, validator=_rate)
    error_statuses: tuple[int, ...] = attrs.field(default=(500, 503), converter=_statuses)
    rate_limit_rate: float = attrs.field(default=0.0, validator=_rate)
    rate_limit_burst: int = attrs.field(default=1, validator=_count)
    retry_after: float = attrs.field(default=1.0, validator=_bounded(MAX_RETRY_AFTER))
    drop_rate: float = attrs.field(default=0.0, validator=_rate)
    phase: Phase = attrs.field(default="before", validator=_phase)
    methods: frozenset[str] | None = attrs.field(default=None, converter=_upper_set)
    paths: tuple[str, ...] | None = attrs.field(default=None, converter=_str_tuple)
    seed: int | str | None = attrs.field(default=None, validator=_seed)
    max_faults: int | None = attrs.field(default=None, validator=_count)
    webhook_duplicate_rate: float = attrs.field(default=0.0, validator=_rate)
    webhook_reorder: bool = attrs.field(default=False, validator=_flag)

    @error_statuses.validator
    def _check_statuses(self, _: attrs.Attribute[Any], value: tuple[int, ...]) -> None:
        if not value or any(
            isinstance(s, bool) or not isinstance(s, int) or not 500 <= s <= 599 for s in value
        ):
            raise ValueError(f"error_statuses must be 5xx statuses, got {value!r}")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaultConfig:
        """Build from a JSON object (``POST /_emulator/faults``); unknown keys are refused."""
        names = {a.name for a in attrs.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(unknown)}")
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        """This configuration as JSON."""
        data = attrs.asdict(self)
        data["error_statuses"] = list(self.error_statuses)
        data["methods"] = sorted(self.methods) if self.methods is not None else None
        data["paths"] = list(self.paths) if self.paths is not None else None
        return data

    def changed(self) -> dict[str, Any]:
        """The settings that differ from the defaults, as JSON: what is switched on."""
        return {k: v for k, v in self.to_json().items() if v != _DEFAULT_JSON[k]}


_DEFAULT_JSON = FaultConfig().to_json()


@attrs.define
class FaultStats:
    """Counters for tests: API requests seen and faults injected (by kind)."""

    requests_seen: int = 0
    faults_injected: int = 0
    by_kind: dict[str, int] = attrs.field(factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The counters as JSON."""
        return attrs.asdict(self)


@attrs.frozen
class FaultPlan:
    """The fault chosen for one request."""

    kind: Literal["error", "rate_limit", "drop"]
    after: bool
    status: int = 0


class Faults:
    """The active configuration, its RNG and counters."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.stats = FaultStats()
        self.configure(config)

    def configure(self, config: FaultConfig | None) -> FaultConfig:
        """Replace the configuration (``None`` turns faults off) and reseed the RNG."""
        self.config = config if config is not None else FaultConfig()
        seed = self.config.seed
        self._rng = random.Random(seed)
        self._webhook_rng = random.Random(None if seed is None else f"{seed}/webhooks")
        self._burst_left = 0
        self._injected = 0
        return self.config

    @property
    def latency(self) -> float:
        """Seconds to wait before handling a request."""
        return self.config.latency_ms / 1000.0

    def _eligible(self, method: str, path: str) -> bool:
        config = self.config
        if config.methods is not None and method.upper() not in config.methods:
            return False
        return config.paths is None or any(fnmatch.fnmatchcase(path, p) for p in config.paths)

    def plan(self, method: str, path: str) -> FaultPlan | None:
        """Count the request and decide its fault, if any."""
        self.stats.requests_seen += 1
        config = self.config
        if not (config.error_rate or config.rate_limit_rate or config.drop_rate):
            return None
        if not self._eligible(method, path):
            return None
        if config.max_faults is not None and self._injected >= config.max_faults:
            return None
        plan: FaultPlan | None = None
        if self._burst_left > 0:
            self._burst_left -= 1
            plan = FaultPlan("rate_limit", after=False, status=429)
        else:
            roll = self._rng.random()
            if roll < config.drop_rate:
                plan = FaultPlan("drop", after=self._after())
            elif roll < config.drop_rate + config.error_rate:
                status = self._rng.choice(config.error_statuses)
                plan = FaultPlan("error", after=self._after(), status=status)
            elif roll < config.drop_rate + config.error_rate + config.rate_limit_rate:
                self._burst_left = max(0, config.rate_limit_burst - 1)
                plan = FaultPlan("rate_limit", after=False, status=429)
        if plan is not None:
            self._injected += 1
            self.stats.faults_injected += 1
            self.stats.by_kind[plan.kind] = self.stats.by_kind.get(plan.kind, 0) + 1
        return plan

    def _after(self) -> bool:
        phase = self.config.phase
        if phase == "random":
            return self._rng.random() < 0.5
        return phase == "after"

    def duplicate_webhook(self) -> bool:
        """Whether to deliver a delivered webhook event once more."""
        rate = self.config.webhook_duplicate_rate
        return bool(rate) and self._webhook_rng.random() < rate

    def swap_webhooks(self) -> bool:
        """Whether the next two waiting events of a room swap places."""
        return self.config.webhook_reorder and self._webhook_rng.random() < 0.5
