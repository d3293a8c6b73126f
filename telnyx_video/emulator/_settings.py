"""Settings of one emulator, validated once, when they are made."""

from __future__ import annotations

import math
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

import attrs

__all__ = ["DEFAULT_RETRY_DELAYS", "DEFAULT_WEBHOOK_LOG_SIZE", "MAX_DELAY", "Settings"]

#: The longest configurable delay (a year), so scheduled instants stay valid.
MAX_DELAY = 365 * 24 * 3600.0
#: Seconds between the attempts of a webhook on one URL: 1 s, then 2 s (3 attempts).
DEFAULT_RETRY_DELAYS = (1.0, 2.0)
#: How many delivery attempts the webhook log keeps by default.
DEFAULT_WEBHOOK_LOG_SIZE = 10_000


def _seconds(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= MAX_DELAY
    ):
        raise ValueError(f"{attribute.name} must be a number of seconds from 0 to {MAX_DELAY:g}")


def _delays(value: Iterable[float]) -> tuple[float, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValueError(f"webhook_retry_delays must be a list of seconds, got {value!r}")
    return tuple(value)


def _check_delays(instance: Any, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    if len(value) != len(DEFAULT_RETRY_DELAYS):
        raise ValueError(
            f"webhook_retry_delays must be {len(DEFAULT_RETRY_DELAYS)} delays (between the "
            f"{len(DEFAULT_RETRY_DELAYS) + 1} attempts on a URL), got {value!r}"
        )
    for delay in value:
        _seconds(instance, attribute, delay)


def _secret(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValueError(f"{attribute.name} must be a non-empty string")


def _positive(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be a positive integer, got {value!r}")


@attrs.frozen(kw_only=True)
class Settings:
    """What one emulator is: its keys, timings, limits and modes (every value checked here:
    a bad one raises ``ValueError`` naming it)."""

    api_key: str = attrs.field(
        factory=lambda: f"emulator-{secrets.token_urlsafe(16)}", validator=_secret, repr=False
    )
    """The only API key the API accepts."""
    control_token: str | None = attrs.field(default=None, validator=_secret, repr=False)
    """When set, the bearer token the control API requires."""
    recording_processing_secs: float = attrs.field(default=5.0, validator=_seconds)
    """Delay between a participant leaving and their recordings being ``completed``."""
    composition_queue_secs: float = attrs.field(default=1.0, validator=_seconds)
    """Delay between a composition being created and ``processing``."""
    composition_processing_secs: float = attrs.field(default=10.0, validator=_seconds)
    """Delay between ``processing`` and ``completed``."""
    video_codec: str = attrs.field(default="vp8", validator=attrs.validators.in_(("vp8", "h264")))
    """Codec of video recordings; audio is always ``"opus"``."""
    media_url_ttl_secs: float = attrs.field(default=600.0, validator=_seconds)
    """How long a recording's or composition's ``download_url`` works, on the emulator's clock
    (whole seconds, at least 1)."""
    webhook_retry_delays: tuple[float, ...] = attrs.field(
        default=DEFAULT_RETRY_DELAYS, converter=_delays, validator=_check_delays
    )
    """Seconds on the emulator's clock before the 2nd and the 3rd attempt on a webhook URL."""
    webhook_log_size: int = attrs.field(default=DEFAULT_WEBHOOK_LOG_SIZE, validator=_positive)
    """How many delivery attempts the webhook log keeps (the oldest go first)."""
    strict: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    """Refuse unknown ``filter[...]`` members (422) instead of ignoring them."""
    user_id: str = attrs.field(factory=lambda: str(uuid.uuid4()))
    """The emulated account's user (``telnyx:users:<user_id>`` in tokens, compositions'
    ``user_id``)."""
