"""Property: any change to the body, the timestamp or the signature is rejected."""

from __future__ import annotations

import base64

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from telnyx_video.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    VerificationFailure,
    WebhookVerificationError,
    verify,
)

from .webhook_support import Signer, event_body

NOW = 1_767_225_600
SIGNER = Signer()  # one key pair for the module: hypothesis re-runs the test many times
BODY = event_body()
HEADERS = SIGNER.headers(BODY, NOW)
SIGNATURE = base64.b64decode(HEADERS[SIGNATURE_HEADER])

REJECTIONS = {
    VerificationFailure.MISSING_HEADER,
    VerificationFailure.INVALID_TIMESTAMP,
    VerificationFailure.INVALID_SIGNATURE_ENCODING,
    VerificationFailure.SIGNATURE_MISMATCH,
    VerificationFailure.STALE_TIMESTAMP,
}


def rejected(body: bytes, headers: dict[str, str], tolerance: float | None = 300) -> str:
    with pytest.raises(WebhookVerificationError) as excinfo:
        verify(body, headers, public_key=SIGNER.public_key, now=NOW, tolerance=tolerance)
    assert excinfo.value.reason in REJECTIONS
    return excinfo.value.reason


def test_the_untouched_delivery_verifies() -> None:
    verify(BODY, HEADERS, public_key=SIGNER.public_key, now=NOW)


@st.composite
def modified_bodies(draw: st.DrawFn) -> bytes:
    """BODY with bytes flipped, inserted, deleted, or replaced wholesale."""
    kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "append", "other"]))
    data = bytearray(BODY)
    if kind == "flip":
        index = draw(st.integers(0, len(data) - 1))
        data[index] ^= draw(st.integers(1, 255))
    elif kind == "insert":
        index = draw(st.integers(0, len(data)))
        data[index:index] = draw(st.binary(min_size=1, max_size=8))
    elif kind == "delete":
        start = draw(st.integers(0, len(data) - 1))
        data[start : start + draw(st.integers(1, 8))] = b""
    elif kind == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif kind == "append":
        data += draw(st.binary(min_size=1, max_size=8))
    else:
        data = bytearray(draw(st.binary(max_size=300).filter(lambda b: b != BODY)))
    return bytes(data)


@settings(max_examples=300)
@given(body=modified_bodies())
@example(body=BODY + b"\n")
@example(body=BODY.replace(b" ", b""))
def test_any_change_to_the_body_is_rejected(body: bytes) -> None:
    assert body != BODY
    assert rejected(body, HEADERS) == VerificationFailure.SIGNATURE_MISMATCH


@settings(max_examples=300)
@given(timestamp=st.text(max_size=20).filter(lambda t: t.strip() != str(NOW)))
@example(timestamp=str(NOW + 1))
@example(timestamp=f"0{NOW}")
def test_any_change_to_the_timestamp_is_rejected(timestamp: str) -> None:
    headers = {**HEADERS, TIMESTAMP_HEADER: timestamp}
    # even with the replay check off, a changed timestamp never verifies
    rejected(BODY, headers, tolerance=None)
    rejected(BODY, headers)


@settings(max_examples=300)
@given(timestamp=st.integers(0, 10**12 - 1).filter(lambda t: t != NOW))
def test_any_other_numeric_timestamp_is_a_mismatch(timestamp: int) -> None:
    headers = {**HEADERS, TIMESTAMP_HEADER: str(timestamp)}
    assert rejected(BODY, headers, tolerance=None) == VerificationFailure.SIGNATURE_MISMATCH


@st.composite
def modified_signatures(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["flip", "random"]))
    if kind == "flip":
        data = bytearray(SIGNATURE)
        index = draw(st.integers(0, len(data) - 1))
        data[index] ^= 1 << draw(st.integers(0, 7))
        return bytes(data)
    return draw(st.binary(min_size=64, max_size=64).filter(lambda b: b != SIGNATURE))


@settings(max_examples=300)
@given(signature=modified_signatures())
def test_any_change_to_the_signature_bytes_is_rejected(signature: bytes) -> None:
    headers = {**HEADERS, SIGNATURE_HEADER: base64.b64encode(signature).decode()}
    assert rejected(BODY, headers) == VerificationFailure.SIGNATURE_MISMATCH


@settings(max_examples=300, suppress_health_check=[HealthCheck.filter_too_much])
@given(text=st.text(max_size=120).filter(lambda t: t.strip() != HEADERS[SIGNATURE_HEADER]))
def test_any_change_to_the_signature_text_is_rejected(text: str) -> None:
    rejected(BODY, {**HEADERS, SIGNATURE_HEADER: text})
