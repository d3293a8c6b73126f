"""Verification hardening: weak keys, non-finite settings, non-text bodies (issue 17, item 9)."""

from __future__ import annotations

import base64
import math
from datetime import datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nacl.bindings import crypto_core_ed25519_add

from telnyx_video.webhooks import (
    VerificationFailure,
    WebhookReceiver,
    WebhookVerificationError,
    construct_event,
    load_public_keys,
    parse_event,
    verify,
)

from .webhook_support import Signer, event_body

NOW = 1_767_225_600
P = 2**255 - 19

# The eight points of order 1, 2, 4 and 8 (the curve's 8-torsion), canonically encoded.
LOW_ORDER = {
    "identity": "01" + "00" * 31,
    "order 2": (P - 1).to_bytes(32, "little").hex(),
    "order 4": "00" * 32,
    "order 4, odd x": "00" * 31 + "80",
    "order 8 (a)": "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "order 8 (a), odd x": "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "order 8 (b)": "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "order 8 (b), odd x": "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
}
# Encodings with y >= p (y - p is 0 or 1: order-4 points and the identity, written the long way).
NON_CANONICAL = {
    "y = p": P.to_bytes(32, "little").hex(),
    "y = p + 1": (P + 1).to_bytes(32, "little").hex(),
    "y = p + 1, odd x": ((P + 1) | 1 << 255).to_bytes(32, "little").hex(),
}
WEAK = {**LOW_ORDER, **NON_CANONICAL}
SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")  # DER SubjectPublicKeyInfo of Ed25519


def pem(raw: bytes) -> str:
    der = base64.b64encode(SPKI_PREFIX + raw).decode()
    return f"-----BEGIN PUBLIC KEY-----\n{der}\n-----END PUBLIC KEY-----\n"


def mixed_order(signer: Signer) -> bytes:
    """A genuine public key plus a point of order 8: outside the prime-order subgroup."""
    return bytes(
        crypto_core_ed25519_add(signer.public_key_raw, bytes.fromhex(LOW_ORDER["order 8 (a)"]))
    )


def key_forms(raw: bytes) -> dict[str, Any]:
    return {
        "raw bytes": raw,
        "base64": base64.b64encode(raw).decode(),
        "base64 bytes": base64.b64encode(raw),
        "pem": pem(raw),
    }


def test_a_low_order_key_verifies_a_trivial_signature_in_openssl() -> None:
    """Why keys are checked: OpenSSL accepts the identity point as a key, and then the signature
    (R = identity, S = 0) verifies every message."""
    identity = bytes.fromhex(LOW_ORDER["identity"])
    trivial = identity + bytes(32)
    Ed25519PublicKey.from_public_bytes(identity).verify(trivial, b"1767225600|any body at all")


@pytest.mark.parametrize("name", list(WEAK))
def test_weak_keys_are_refused_in_every_form(name: str) -> None:
    raw = bytes.fromhex(WEAK[name])
    for form, value in key_forms(raw).items():
        with pytest.raises(WebhookVerificationError) as excinfo:
            load_public_keys(value)
        assert excinfo.value.reason == VerificationFailure.INVALID_PUBLIC_KEY, form
    if name in LOW_ORDER:  # cryptography loads it; we refuse the object too
        with pytest.raises(WebhookVerificationError) as excinfo:
            load_public_keys(Ed25519PublicKey.from_public_bytes(raw))
        assert "prime-order subgroup" in str(excinfo.value)
    with pytest.raises(WebhookVerificationError):
        WebhookReceiver(public_key=base64.b64encode(raw).decode())


def test_a_forgery_under_the_identity_key_is_refused() -> None:
    identity = bytes.fromhex(LOW_ORDER["identity"])
    body = event_body()
    headers = {
        "telnyx-timestamp": str(NOW),
        "telnyx-signature-ed25519": base64.b64encode(identity + bytes(32)).decode(),
    }
    for call in (verify, construct_event):
        with pytest.raises(WebhookVerificationError) as excinfo:
            call(body, headers, public_key=base64.b64encode(identity).decode(), now=NOW)
        assert excinfo.value.reason == VerificationFailure.INVALID_PUBLIC_KEY


def test_a_weak_key_among_good_ones_is_refused(signer: Signer) -> None:
    with pytest.raises(WebhookVerificationError) as excinfo:
        load_public_keys([signer.public_key, base64.b64encode(bytes(32)).decode()])
    assert excinfo.value.reason == VerificationFailure.INVALID_PUBLIC_KEY


def test_mixed_order_keys_are_refused(signer: Signer) -> None:
    raw = mixed_order(signer)
    assert raw != signer.public_key_raw
    Ed25519PublicKey.from_public_bytes(raw)  # OpenSSL loads it
    for value in key_forms(raw).values():
        with pytest.raises(WebhookVerificationError) as excinfo:
            load_public_keys(value)
        assert "prime-order subgroup" in str(excinfo.value)


def test_off_curve_bytes_are_refused() -> None:
    off_curve = bytes([2]) + bytes(31)  # y = 2 has no x on the curve
    Ed25519PublicKey.from_public_bytes(off_curve)  # OpenSSL loads it
    with pytest.raises(WebhookVerificationError) as excinfo:
        load_public_keys(off_curve)
    assert "prime-order subgroup" in str(excinfo.value)


def test_real_keys_still_load_in_every_form(signer: Signer) -> None:
    for value in [*key_forms(signer.public_key_raw).values(), signer.public_key_object]:
        (key,) = load_public_keys(value)
        assert key.public_bytes(Encoding.Raw, PublicFormat.Raw) == signer.public_key_raw


# -- tolerance and now must be finite -------------------------------------------------------

NON_FINITE = [math.nan, math.inf, -math.inf]


@pytest.mark.parametrize("tolerance", NON_FINITE)
def test_non_finite_tolerance_is_refused(signer: Signer, tolerance: float) -> None:
    body = event_body()
    headers = signer.headers(body, 1)  # signed in 1970: a replay
    for call in (verify, construct_event):
        with pytest.raises(ValueError, match="tolerance"):
            call(body, headers, public_key=signer.public_key, tolerance=tolerance, now=NOW)
    with pytest.raises(ValueError, match="tolerance"):
        WebhookReceiver(public_key=signer.public_key, tolerance=tolerance)


@pytest.mark.parametrize("now", [*NON_FINITE, True, datetime(2026, 1, 1)])
def test_non_finite_or_naive_now_is_refused(signer: Signer, now: Any) -> None:
    body = event_body()
    for tolerance in (300.0, None):
        with pytest.raises(ValueError, match="now"):
            verify(
                body,
                signer.headers(body, 1),
                public_key=signer.public_key,
                tolerance=tolerance,
                now=now,
            )


@pytest.mark.parametrize("tolerance", ["300", True, -0.5])
def test_tolerance_must_be_a_number_of_seconds(signer: Signer, tolerance: Any) -> None:
    with pytest.raises(ValueError, match="tolerance"):
        verify(b"{}", {}, public_key=signer.public_key, tolerance=tolerance)


async def test_receiver_clock_returning_nan_never_accepts(signer: Signer) -> None:
    receiver = WebhookReceiver(public_key=signer.public_key, clock=lambda: math.nan)
    body = event_body()
    with pytest.raises(ValueError, match="now"):
        receiver.construct_event(body, signer.headers(body, 1))


# -- a str body that is not text ------------------------------------------------------------


@pytest.mark.parametrize("text", ["\ud800", '{"data": "\udfff"}', "ok\udc80"])
def test_lone_surrogates_are_a_verification_error(signer: Signer, text: str) -> None:
    headers = signer.headers(b"{}", NOW)
    for call in (verify, construct_event):
        with pytest.raises(WebhookVerificationError) as excinfo:
            call(text, headers, public_key=signer.public_key, now=NOW)
        assert excinfo.value.reason == VerificationFailure.INVALID_PAYLOAD
        assert "surrogate" in str(excinfo.value)
    with pytest.raises(WebhookVerificationError) as excinfo:
        parse_event(text)
    assert excinfo.value.reason == VerificationFailure.INVALID_PAYLOAD
