"""Signature verification: every accepted form, and a negative test for every reason."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from multidict import CIMultiDict

from telnyx_video.errors import ConfigurationError, TelnyxVideoError
from telnyx_video.webhooks import (
    PUBLIC_KEY_ENV,
    Body,
    PublicKeyLike,
    VerificationFailure,
    WebhookVerificationError,
    construct_event,
    load_public_keys,
    verify,
)

from .webhook_support import Signer, event_body

NOW = 1_767_225_600  # 2026-01-01T00:00:00Z


def reason_of(excinfo: pytest.ExceptionInfo[WebhookVerificationError]) -> str:
    return excinfo.value.reason


# -- accepted ------------------------------------------------------------------------------


def test_valid_delivery_passes(signer: Signer) -> None:
    body = event_body()
    verify(body, signer.headers(body, NOW), public_key=signer.public_key, now=NOW)


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "str"])
def test_body_types(signer: Signer, kind: str) -> None:
    raw = event_body(payload={"room_id": "r", "session_id": "s", "note": "Zoë ✓"})
    forms: dict[str, Body] = {
        "bytes": raw,
        "bytearray": bytearray(raw),
        "memoryview": memoryview(raw),
        "str": raw.decode(),
    }
    body = forms[kind]
    verify(body, signer.headers(raw, NOW), public_key=signer.public_key, now=NOW)


def test_dict_body_is_a_type_error(signer: Signer) -> None:
    body = event_body()
    with pytest.raises(TypeError, match="raw bytes"):
        verify(json.loads(body), signer.headers(body, NOW), public_key=signer.public_key)


@pytest.mark.parametrize(
    "transform",
    [
        lambda h: {k.upper(): v for k, v in h.items()},
        lambda h: {k.title(): v for k, v in h.items()},
        lambda h: CIMultiDict(h),
        lambda h: {k: f"  {v} " for k, v in h.items()},
        lambda h: {k.encode(): v.encode() for k, v in h.items()},
    ],
    ids=["upper", "title", "cimultidict", "padded", "bytes"],
)
def test_header_lookup_is_case_insensitive(signer: Signer, transform: object) -> None:
    body = event_body()
    headers = transform(signer.headers(body, NOW))  # type: ignore[operator]
    verify(body, headers, public_key=signer.public_key, now=NOW)


@pytest.mark.parametrize("form", ["base64", "base64-bytes", "raw", "pem", "object", "padded"])
def test_public_key_forms(signer: Signer, form: str) -> None:
    forms: dict[str, PublicKeyLike] = {
        "base64": signer.public_key,
        "base64-bytes": signer.public_key.encode(),
        "raw": signer.public_key_raw,
        "pem": signer.public_key_pem,
        "object": signer.public_key_object,
        "padded": f"  {signer.public_key}\n",
    }
    key = forms[form]
    body = event_body()
    verify(body, signer.headers(body, NOW), public_key=key, now=NOW)


def test_public_key_from_environment(signer: Signer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PUBLIC_KEY_ENV, signer.public_key)
    body = event_body()
    verify(body, signer.headers(body, NOW), now=NOW)


def test_explicit_key_wins_over_environment(
    signer: Signer, other_signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PUBLIC_KEY_ENV, other_signer.public_key)
    body = event_body()
    verify(body, signer.headers(body, NOW), public_key=signer.public_key, now=NOW)


def test_key_rotation_accepts_any_listed_key(signer: Signer, other_signer: Signer) -> None:
    body = event_body()
    keys = [other_signer.public_key, signer.public_key]
    verify(body, signer.headers(body, NOW), public_key=keys, now=NOW)
    verify(body, other_signer.headers(body, NOW), public_key=tuple(keys), now=NOW)


def test_missing_key_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PUBLIC_KEY_ENV, raising=False)
    with pytest.raises(ConfigurationError, match=PUBLIC_KEY_ENV):
        verify(b"{}", {})
    monkeypatch.setenv(PUBLIC_KEY_ENV, "  ")
    with pytest.raises(ConfigurationError):
        load_public_keys()
    with pytest.raises(ConfigurationError, match="empty"):
        load_public_keys([])


def test_key_of_wrong_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="public_key"):
        load_public_keys([42])  # type: ignore[list-item]


def test_timestamp_within_tolerance_either_way(signer: Signer) -> None:
    body = event_body()
    for skew in (-300, -1, 0, 1, 300):
        headers = signer.headers(body, NOW + skew)
        verify(body, headers, public_key=signer.public_key, now=NOW)


def test_now_accepts_aware_datetime(signer: Signer) -> None:
    body = event_body()
    now = datetime.fromtimestamp(NOW + 10, tz=UTC)
    verify(body, signer.headers(body, NOW), public_key=signer.public_key, now=now)


def test_tolerance_none_disables_the_replay_check(signer: Signer) -> None:
    body = event_body()
    verify(body, signer.headers(body, 1), public_key=signer.public_key, tolerance=None, now=NOW)


def test_custom_tolerance(signer: Signer) -> None:
    body = event_body()
    headers = signer.headers(body, NOW - 30)
    verify(body, headers, public_key=signer.public_key, tolerance=30, now=NOW)
    with pytest.raises(WebhookVerificationError) as excinfo:
        verify(body, headers, public_key=signer.public_key, tolerance=29, now=NOW)
    assert reason_of(excinfo) == VerificationFailure.STALE_TIMESTAMP


def test_negative_tolerance_is_rejected(signer: Signer) -> None:
    with pytest.raises(ValueError, match="tolerance"):
        verify(b"{}", {}, public_key=signer.public_key, tolerance=-1)


def test_default_clock_is_the_system_clock(signer: Signer) -> None:
    body = event_body()
    verify(body, signer.headers(body), public_key=signer.public_key)
    with pytest.raises(WebhookVerificationError) as excinfo:
        verify(body, signer.headers(body, NOW - 3600), public_key=signer.public_key)
    assert reason_of(excinfo) == "stale_timestamp"


# -- rejected: one test per reason ---------------------------------------------------------


def assert_rejected(
    signer: Signer,
    body: bytes | str,
    headers: dict[str, str],
    reason: VerificationFailure,
    *,
    public_key: object = None,
) -> WebhookVerificationError:
    key = signer.public_key if public_key is None else public_key
    with pytest.raises(WebhookVerificationError) as excinfo:
        verify(body, headers, public_key=key, now=NOW)  # type: ignore[arg-type]
    error = excinfo.value
    assert error.reason == reason
    assert error.reason is reason
    assert isinstance(error, TelnyxVideoError)
    assert str(error)
    # construct_event rejects the same delivery for the same reason
    with pytest.raises(WebhookVerificationError) as again:
        construct_event(body, headers, public_key=key, now=NOW)  # type: ignore[arg-type]
    assert again.value.reason == reason
    return error


@pytest.mark.parametrize("header", ["telnyx-signature-ed25519", "telnyx-timestamp"])
def test_missing_header(signer: Signer, header: str) -> None:
    body = event_body()
    headers = signer.headers(body, NOW)
    del headers[header]
    error = assert_rejected(signer, body, headers, VerificationFailure.MISSING_HEADER)
    assert header in str(error)


@pytest.mark.parametrize("header", ["telnyx-signature-ed25519", "telnyx-timestamp"])
def test_empty_header(signer: Signer, header: str) -> None:
    body = event_body()
    headers = {**signer.headers(body, NOW), header: " "}
    assert_rejected(signer, body, headers, VerificationFailure.MISSING_HEADER)


def test_no_headers_at_all(signer: Signer) -> None:
    assert_rejected(signer, event_body(), {}, VerificationFailure.MISSING_HEADER)


@pytest.mark.parametrize("timestamp", ["abc", "-5", "1.5", "1e9", "١٢٣", "0x10", "9" * 13, "17 67"])
def test_invalid_timestamp(signer: Signer, timestamp: str) -> None:
    body = event_body()
    headers = {
        "telnyx-timestamp": timestamp,
        "telnyx-signature-ed25519": signer.sign(body, timestamp),
    }
    assert_rejected(signer, body, headers, VerificationFailure.INVALID_TIMESTAMP)


@pytest.mark.parametrize("skew", [-301, 301, -86_400, NOW - 1])
def test_stale_timestamp(signer: Signer, skew: int) -> None:
    body = event_body()
    error = assert_rejected(
        signer, body, signer.headers(body, NOW - skew), VerificationFailure.STALE_TIMESTAMP
    )
    assert "tolerance" in str(error)


@pytest.mark.parametrize(
    "signature",
    [
        "not base64!",
        "YWJj",  # valid base64 of 3 bytes
        base64.b64encode(b"x" * 63).decode(),
        base64.b64encode(b"x" * 65).decode(),
        base64.b64encode(b"x" * 64).decode().rstrip("="),  # padding stripped
        "é" * 88,
    ],
)
def test_invalid_signature_encoding(signer: Signer, signature: str) -> None:
    body = event_body()
    headers = {"telnyx-timestamp": str(NOW), "telnyx-signature-ed25519": signature}
    assert_rejected(signer, body, headers, VerificationFailure.INVALID_SIGNATURE_ENCODING)


@pytest.mark.parametrize(
    "key",
    [
        "not base64!",
        base64.b64encode(b"k" * 31).decode(),
        base64.b64encode(b"k" * 33).decode(),
        "-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----\n",
        b"\xff" * 44,
        "",
    ],
    ids=["garbage", "short", "long", "bad-pem", "non-ascii-bytes", "empty"],
)
def test_invalid_public_key(signer: Signer, key: str | bytes) -> None:
    body = event_body()
    assert_rejected(
        signer,
        body,
        signer.headers(body, NOW),
        VerificationFailure.INVALID_PUBLIC_KEY,
        public_key=key,
    )


def test_pem_key_of_another_algorithm_is_invalid(signer: Signer) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    body = event_body()
    error = assert_rejected(
        signer,
        body,
        signer.headers(body, NOW),
        VerificationFailure.INVALID_PUBLIC_KEY,
        public_key=pem,
    )
    assert "Ed25519" in str(error)


def test_wrong_key(signer: Signer, other_signer: Signer) -> None:
    body = event_body()
    assert_rejected(
        signer,
        body,
        signer.headers(body, NOW),
        VerificationFailure.SIGNATURE_MISMATCH,
        public_key=other_signer.public_key,
    )


def test_tampered_body(signer: Signer) -> None:
    body = event_body()
    headers = signer.headers(body, NOW)
    tampered = body.replace(b'"attempt": 1', b'"attempt": 2')
    assert tampered != body
    assert_rejected(signer, tampered, headers, VerificationFailure.SIGNATURE_MISMATCH)


def test_reserialized_body_does_not_verify(signer: Signer) -> None:
    body = event_body()
    headers = signer.headers(body, NOW)
    reserialized = json.dumps(json.loads(body), separators=(",", ":"))
    assert_rejected(signer, reserialized, headers, VerificationFailure.SIGNATURE_MISMATCH)


def test_tampered_timestamp(signer: Signer) -> None:
    body = event_body()
    headers = {**signer.headers(body, NOW), "telnyx-timestamp": str(NOW + 1)}
    assert_rejected(signer, body, headers, VerificationFailure.SIGNATURE_MISMATCH)


def test_signature_of_another_delivery(signer: Signer) -> None:
    body, other = event_body(), event_body()
    headers = {
        **signer.headers(body, NOW),
        "telnyx-signature-ed25519": signer.sign(other, str(NOW)),
    }
    assert_rejected(signer, body, headers, VerificationFailure.SIGNATURE_MISMATCH)


def test_stale_forgery_reports_the_mismatch(signer: Signer, other_signer: Signer) -> None:
    """The signature is checked first: "stale" always means a genuine but old delivery."""
    body = event_body()
    assert_rejected(
        signer,
        body,
        other_signer.headers(body, NOW - 3600),
        VerificationFailure.SIGNATURE_MISMATCH,
    )


def test_invalid_payload_after_verification(signer: Signer) -> None:
    body = b'{"data": "nope"}'
    verify(body, signer.headers(body, NOW), public_key=signer.public_key, now=NOW)
    with pytest.raises(WebhookVerificationError) as excinfo:
        construct_event(body, signer.headers(body, NOW), public_key=signer.public_key, now=NOW)
    assert excinfo.value.reason == VerificationFailure.INVALID_PAYLOAD


def test_every_reason_is_documented() -> None:
    assert {r.value for r in VerificationFailure} == {
        "missing_header",
        "invalid_timestamp",
        "stale_timestamp",
        "invalid_signature_encoding",
        "invalid_public_key",
        "signature_mismatch",
        "invalid_payload",
    }
    import telnyx_video.webhooks._verify as module

    source = Path(module.__file__).read_text()
    for member in VerificationFailure:
        assert f'{member.name} = "{member.value}"\n    """' in source, member


def test_error_messages_never_echo_the_signature(signer: Signer, other_signer: Signer) -> None:
    body = event_body()
    headers = other_signer.headers(body, NOW)
    error = assert_rejected(signer, body, headers, VerificationFailure.SIGNATURE_MISMATCH)
    assert headers["telnyx-signature-ed25519"] not in str(error)
    assert signer.public_key not in str(error)
