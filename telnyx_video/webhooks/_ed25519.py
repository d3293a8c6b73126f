"""Ed25519 public key validation: refuse keys that let anyone forge a signature.

OpenSSL (through ``cryptography``) loads any 32 bytes as an Ed25519 public key and verifies
against it. A key whose point has a small order (the identity, or one of the other seven points
of the curve's 8-torsion) verifies a trivial signature for every message, so a webhook
receiver configured with one would accept forgeries. This module decodes the point (RFC 8032,
section 5.1.3) and accepts it only when it is a canonical encoding of a point of the large
prime-order subgroup other than the identity: ``[L]A`` is the identity and ``A`` is not.
"""

from __future__ import annotations

import functools

__all__ = ["weak_key_problem"]

_P = 2**255 - 19
_D = -121665 * pow(121666, -1, _P) % _P
_L = 2**252 + 27742317777372353535851937790883648493
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)

_Point = tuple[int, int, int, int]
"""Extended homogeneous coordinates (X, Y, Z, T): x = X/Z, y = Y/Z, x*y = T/Z."""
_IDENTITY: _Point = (0, 1, 1, 0)


def _decode(encoded: bytes) -> _Point | None:
    """The point of a 32-byte encoding, or ``None`` when it is not a canonical curve point."""
    number = int.from_bytes(encoded, "little")
    sign = number >> 255
    y = number & ((1 << 255) - 1)
    if y >= _P:
        return None
    u = (y * y - 1) % _P
    v = (_D * y * y + 1) % _P
    x = u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P) % _P
    check = v * x * x % _P
    if check == (-u) % _P:
        x = x * _SQRT_M1 % _P
    elif check != u:
        return None
    if x == 0 and sign:
        return None
    if x & 1 != sign:
        x = _P - x
    return (x, y, 1, x * y % _P)


def _add(p: _Point, q: _Point) -> _Point:
    """Point addition (RFC 8032, section 5.1.4); complete, so it also doubles."""
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % _P
    b = (y1 + x1) * (y2 + x2) % _P
    c = 2 * _D * t1 * t2 % _P
    d = 2 * z1 * z2 % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _multiply(scalar: int, point: _Point) -> _Point:
    result = _IDENTITY
    while scalar:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _is_identity(point: _Point) -> bool:
    x, y, z, _ = point
    return x % _P == 0 and (y - z) % _P == 0


@functools.lru_cache(maxsize=64)
def weak_key_problem(raw: bytes) -> str | None:
    """Why the raw 32-byte Ed25519 public key ``raw`` must not be trusted, or ``None``."""
    if len(raw) != 32:
        return f"it has {len(raw)} bytes, not 32"
    point = _decode(raw)
    if point is None:
        return "it is not the encoding of a point of the Ed25519 curve"
    if _is_identity(_multiply(8, point)):
        return "it is a low-order Ed25519 point, for which anyone can forge a signature"
    if not _is_identity(_multiply(_L, point)):
        return "it is not a point of the Ed25519 prime-order subgroup (mixed-order point)"
    return None
