"""Verify and parse in one step: the one path every receiver and adapter goes through."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telnyx_video.webhooks._events import VideoEvent, parse_event
from telnyx_video.webhooks._verify import (
    DEFAULT_TOLERANCE,
    Body,
    PublicKeys,
    load_public_keys,
    verify_with_keys,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

__all__ = ["construct_event", "construct_with_keys"]


def construct_event(
    body: Body,
    headers: Mapping[str, Any],
    *,
    public_key: PublicKeys | None = None,
    tolerance: float | None = DEFAULT_TOLERANCE,
    now: float | datetime | None = None,
) -> VideoEvent:
    """Verify a delivery (see [`verify()`][telnyx_video.webhooks.verify]) and parse it (see
    [`parse_event()`][telnyx_video.webhooks.parse_event]).

    This is the one call a receiver in any web framework needs: pass the raw request body
    and the request headers. The framework adapters
    ([`telnyx_video.webhooks.starlette`][telnyx_video.webhooks.starlette],
    [`telnyx_video.webhooks.django`][telnyx_video.webhooks.django],
    [`telnyx_video.webhooks.flask`][telnyx_video.webhooks.flask]) and
    [`WebhookReceiver`][telnyx_video.webhooks.WebhookReceiver] call it for you.

    Raises:
        WebhookVerificationError: the delivery is not authentic, too old, or not a webhook
            event; ``reason`` is a
            [`VerificationFailure`][telnyx_video.webhooks.VerificationFailure].
        ConfigurationError: no public key was given or found in ``TELNYX_PUBLIC_KEY``.
        ValueError: ``tolerance`` or ``now`` is not a finite number.
    """
    keys = load_public_keys(public_key)
    return construct_with_keys(body, headers, keys, tolerance=tolerance, now=now)


def construct_with_keys(
    body: Body,
    headers: Mapping[str, Any],
    keys: tuple[Ed25519PublicKey, ...],
    *,
    tolerance: float | None,
    now: float | datetime | None,
) -> VideoEvent:
    """[`construct_event()`][telnyx_video.webhooks.construct_event] with keys already resolved by
    [`load_public_keys()`][telnyx_video.webhooks.load_public_keys]."""
    verify_with_keys(body, headers, keys, tolerance=tolerance, now=now)
    return parse_event(body)
