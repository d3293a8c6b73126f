"""Ed25519 signature verification of Telnyx webhook deliveries."""

from __future__ import annotations

import base64
import binascii
import enum
import math
import numbers
import os
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

from telnyx_video.errors import ConfigurationError, WebhookVerificationError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

__all__ = [
    "DEFAULT_TOLERANCE",
    "PUBLIC_KEY_ENV",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Body",
    "PublicKeyLike",
    "PublicKeys",
    "VerificationFailure",
    "load_public_keys",
    "verify",
]

SIGNATURE_HEADER = "telnyx-signature-ed25519"
"""The header carrying the base64 Ed25519 signature of a delivery."""
TIMESTAMP_HEADER = "telnyx-timestamp"
"""The header carrying the Unix time (seconds) at which the delivery was signed."""
PUBLIC_KEY_ENV = "TELNYX_PUBLIC_KEY"
"""The environment variable read when no public key is passed."""
DEFAULT_TOLERANCE = 300.0
"""How far (seconds) the signed timestamp may be from the local clock, either way."""

Body: TypeAlias = "bytes | bytearray | memoryview | str"
PublicKeyLike: TypeAlias = "str | bytes | Ed25519PublicKey"
PublicKeys: TypeAlias = "PublicKeyLike | Iterable[PublicKeyLike]"

_PEM_PREFIX = "-----BEGIN"


class VerificationFailure(enum.StrEnum):
    """Why a webhook delivery was rejected: the ``reason`` of a WebhookVerificationError.

    Members are strings, so ``error.reason == "stale_timestamp"`` works as well as
    ``error.reason is VerificationFailure.STALE_TIMESTAMP``.
    """

    MISSING_HEADER = "missing_header"
    """``telnyx-signature-ed25519`` or ``telnyx-timestamp`` is absent or empty."""
    INVALID_TIMESTAMP = "invalid_timestamp"
    """``telnyx-timestamp`` is not a whole number of Unix seconds."""
    STALE_TIMESTAMP = "stale_timestamp"
    """The signature is genuine but its timestamp is outside the tolerance (a replay)."""
    INVALID_SIGNATURE_ENCODING = "invalid_signature_encoding"
    """The signature header is not base64 of a 64-byte Ed25519 signature."""
    INVALID_PUBLIC_KEY = "invalid_public_key"
    """The configured public key is not a base64 (or PEM) Ed25519 public key, or is a weak
    (low-order) key for which anyone could forge a signature."""
    SIGNATURE_MISMATCH = "signature_mismatch"
    """The signature does not match the body and timestamp under the public key(s):
    a tampered body or timestamp, a forged signature, or the wrong key."""
    INVALID_PAYLOAD = "invalid_payload"
    """The body is not a JSON webhook event of the documented shape (or, passed as ``str``,
    not valid text)."""


def _fail(reason: VerificationFailure, message: str) -> WebhookVerificationError:
    return WebhookVerificationError(message, reason=reason)


def _strong(key: Ed25519PublicKey) -> Ed25519PublicKey:
    """``key`` itself, once libsodium confirms it is a canonical point of the prime-order group.

    OpenSSL loads any 32 bytes as a public key; with a low-order point (the identity, say) a
    trivial signature verifies every message, and a mixed-order or non-canonical encoding is
    never what Telnyx publishes, so all of them are refused.
    """
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from nacl.bindings import crypto_core_ed25519_is_valid_point

    if not crypto_core_ed25519_is_valid_point(key.public_bytes(Encoding.Raw, PublicFormat.Raw)):
        raise _fail(
            VerificationFailure.INVALID_PUBLIC_KEY,
            "the webhook public key is refused: it is not a canonical point of the Ed25519 "
            "prime-order subgroup (low-order, mixed-order or off-curve keys let anyone forge "
            "signatures)",
        )
    return key


def _decode_key(value: str | bytes) -> Ed25519PublicKey:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    if isinstance(value, bytes) and len(value) == 32:
        return _strong(Ed25519PublicKey.from_public_bytes(value))
    try:
        text = value.decode("ascii") if isinstance(value, bytes) else value
    except UnicodeDecodeError:
        raise _fail(
            VerificationFailure.INVALID_PUBLIC_KEY,
            "the webhook public key must be base64 text, PEM or 32 raw bytes",
        ) from None
    text = text.strip()
    if text.startswith(_PEM_PREFIX):
        try:
            key = load_pem_public_key(text.encode("ascii"))
        except (ValueError, UnsupportedAlgorithm, UnicodeEncodeError):
            raise _fail(
                VerificationFailure.INVALID_PUBLIC_KEY,
                "the webhook public key is not a valid PEM public key",
            ) from None
        if not isinstance(key, Ed25519PublicKey):
            raise _fail(
                VerificationFailure.INVALID_PUBLIC_KEY,
                f"the webhook public key is a {type(key).__name__}, not an Ed25519 key",
            )
        return _strong(key)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _fail(
            VerificationFailure.INVALID_PUBLIC_KEY,
            "the webhook public key is not valid base64",
        ) from None
    if len(raw) != 32:
        raise _fail(
            VerificationFailure.INVALID_PUBLIC_KEY,
            f"the webhook public key decodes to {len(raw)} bytes; an Ed25519 key has 32",
        )
    return _strong(Ed25519PublicKey.from_public_bytes(raw))


def _is_key_object(value: object) -> bool:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return isinstance(value, Ed25519PublicKey)


def load_public_keys(public_key: PublicKeys | None = None) -> tuple[Ed25519PublicKey, ...]:
    """Resolve the key(s) that may sign deliveries.

    ``public_key`` is the base64 text of the raw 32-byte key as shown in the Telnyx portal,
    a PEM ``PUBLIC KEY`` block, 32 raw bytes, a ``cryptography`` ``Ed25519PublicKey``, or an
    iterable of those (during a key rotation, any of them may sign). ``None`` reads
    ``TELNYX_PUBLIC_KEY``.

    Weak keys are refused: a low-order point (the identity and the other small-order points),
    for which a trivial signature verifies every message, or any point outside the curve's
    prime-order subgroup. Telnyx never issues one; a receiver configured with one would accept
    forgeries.

    Raises:
        ConfigurationError: no key was given and ``TELNYX_PUBLIC_KEY`` is unset or empty.
        WebhookVerificationError: a key is malformed or weak (reason ``invalid_public_key``).
    """
    if public_key is None:
        env = os.environ.get(PUBLIC_KEY_ENV, "").strip()
        if not env:
            raise ConfigurationError(
                f"no webhook public key: pass public_key= or set {PUBLIC_KEY_ENV} to the "
                "base64 public key shown in the Telnyx portal"
            )
        public_key = env
    if isinstance(public_key, str | bytes) or _is_key_object(public_key):
        candidates: list[Any] = [public_key]
    else:
        candidates = list(public_key)  # type: ignore[arg-type]
    if not candidates:
        raise ConfigurationError("public_key is an empty collection; give at least one key")
    keys = []
    for candidate in candidates:
        if _is_key_object(candidate):
            keys.append(_strong(candidate))
        elif isinstance(candidate, str | bytes):
            keys.append(_decode_key(candidate))
        else:
            raise TypeError(
                "public_key must be base64 text, PEM, bytes or an Ed25519PublicKey, "
                f"not {type(candidate).__name__}"
            )
    return tuple(keys)


def get_header(headers: Mapping[str, Any], name: str) -> str | None:
    """Case-insensitive header lookup in any mapping (dict, multidict, ...)."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, candidate in headers.items():
            if isinstance(key, bytes):
                key = key.decode("latin-1")
            if isinstance(key, str) and key.lower() == lowered:
                value = candidate
                break
    if value is None:
        return None
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("latin-1")
    if not isinstance(value, str):
        return None
    return value.strip()


def body_bytes(body: Body) -> bytes:
    """The raw bytes of a delivery body (a ``str`` body is UTF-8 encoded).

    Raises:
        WebhookVerificationError: a ``str`` body that is not encodable text (lone
            surrogates): reason ``invalid_payload``.
    """
    if isinstance(body, str):
        try:
            return body.encode("utf-8")
        except UnicodeEncodeError:
            raise _fail(
                VerificationFailure.INVALID_PAYLOAD,
                "the webhook body is a str that is not valid text (lone surrogates); "
                "pass the raw request bytes",
            ) from None
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    raise TypeError(
        f"the webhook body must be the raw bytes (or str) of the request, "
        f"not {type(body).__name__}; do not pass parsed JSON"
    )


def is_finite_number(value: object) -> bool:
    """A real number (not a bool) that is neither infinite nor NaN."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def check_tolerance(tolerance: float | None) -> float | None:
    """``tolerance`` if it is ``None`` or a finite number of seconds >= 0.

    Raises:
        ValueError: otherwise (a NaN would switch the replay check off).
    """
    if tolerance is None:
        return None
    if not is_finite_number(tolerance) or tolerance < 0:
        raise ValueError(
            f"tolerance must be a finite number of seconds >= 0, or None; got {tolerance!r}"
        )
    return float(tolerance)


def _now_seconds(now: float | datetime | None) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"now must be an aware datetime, got the naive {now!r}")
        return now.timestamp()
    if not is_finite_number(now):
        raise ValueError(
            f"now must be a finite Unix time in seconds or an aware datetime, got {now!r}"
        )
    return float(now)


def _require(headers: Mapping[str, Any], name: str) -> str:
    value = get_header(headers, name)
    if not value:
        raise _fail(VerificationFailure.MISSING_HEADER, f"the {name} header is missing")
    return value


def verify_with_keys(
    body: Body,
    headers: Mapping[str, Any],
    keys: tuple[Ed25519PublicKey, ...],
    *,
    tolerance: float | None = DEFAULT_TOLERANCE,
    now: float | datetime | None = None,
) -> None:
    """[`verify()`][telnyx_video.webhooks.verify] with keys already resolved by
    [`load_public_keys()`][telnyx_video.webhooks.load_public_keys]."""
    from cryptography.exceptions import InvalidSignature

    tolerance = check_tolerance(tolerance)
    current = _now_seconds(now)
    raw_body = body_bytes(body)
    signature_text = _require(headers, SIGNATURE_HEADER)
    timestamp_text = _require(headers, TIMESTAMP_HEADER)

    if not (timestamp_text.isascii() and timestamp_text.isdigit()) or len(timestamp_text) > 12:
        raise _fail(
            VerificationFailure.INVALID_TIMESTAMP,
            f"the {TIMESTAMP_HEADER} header is not a Unix time in seconds",
        )
    try:
        signature = base64.b64decode(signature_text, validate=True)
    except (binascii.Error, ValueError):
        raise _fail(
            VerificationFailure.INVALID_SIGNATURE_ENCODING,
            f"the {SIGNATURE_HEADER} header is not valid base64",
        ) from None
    if len(signature) != 64:
        raise _fail(
            VerificationFailure.INVALID_SIGNATURE_ENCODING,
            f"the {SIGNATURE_HEADER} header decodes to {len(signature)} bytes; "
            "an Ed25519 signature has 64",
        )

    signed = timestamp_text.encode("ascii") + b"|" + raw_body
    for key in keys:
        try:
            key.verify(signature, signed)
        except InvalidSignature:
            continue
        break
    else:
        raise _fail(
            VerificationFailure.SIGNATURE_MISMATCH,
            "the signature does not match the body and timestamp under the configured "
            "public key (tampered delivery, or the wrong key)",
        )

    if tolerance is not None:
        age = current - int(timestamp_text)
        if abs(age) > tolerance:
            direction = "old" if age > 0 else "in the future"
            raise _fail(
                VerificationFailure.STALE_TIMESTAMP,
                f"the delivery was signed {abs(age):.0f} s {direction}, beyond the "
                f"{tolerance:g} s tolerance (replayed delivery, or a wrong clock)",
            )


def verify(
    body: Body,
    headers: Mapping[str, Any],
    *,
    public_key: PublicKeys | None = None,
    tolerance: float | None = DEFAULT_TOLERANCE,
    now: float | datetime | None = None,
) -> None:
    """Check that a delivery was signed by Telnyx, recently; raise if not.

    Args:
        body: the raw request body, exactly as received (``bytes``; a ``str`` is UTF-8
            encoded). Re-serialized JSON will not verify.
        headers: the request headers, any mapping; names are matched case-insensitively.
        public_key: the account's base64 public key (or PEM, or several during a key
            rotation); defaults to ``TELNYX_PUBLIC_KEY``.
        tolerance: how many seconds the ``telnyx-timestamp`` may differ from ``now``
            either way, against replays (finite, >= 0); ``None`` disables the check (for
            stored deliveries).
        now: the current Unix time (finite) or an aware datetime; defaults to the system
            clock.

    Raises:
        WebhookVerificationError: the delivery is not authentic or too old;
            ``reason`` is a [`VerificationFailure`][telnyx_video.webhooks.VerificationFailure].
        ConfigurationError: no public key was given or found in the environment.
        ValueError: ``tolerance`` or ``now`` is not a finite number (or ``now`` a naive
            datetime).
    """
    verify_with_keys(body, headers, load_public_keys(public_key), tolerance=tolerance, now=now)
