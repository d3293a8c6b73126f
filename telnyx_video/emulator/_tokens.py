"""Client tokens: Ed25519-signed JWTs shaped like the ones Telnyx issues."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = ["ACCESS", "REFRESH", "TokenError", "TokenIssuer", "join_grants"]

ACCESS = "access"
REFRESH = "refresh"
_AUDIENCE = "telnyx_access_token"
_HEADER = {"alg": "Ed25519", "typ": "JWT"}
_ARTICLES = {ACCESS: "an", REFRESH: "a"}


class TokenError(Exception):
    """A token failed verification; the message says why (never echoes the token)."""


def _room_resource(room_id: str) -> str:
    return f"telnyx:video:rooms:{room_id}"


def join_grants(room_id: str, user_id: str) -> list[dict[str, Any]]:
    """The grants of a join token: ``join`` on the room, for the account's user."""
    return [
        {
            "actions": ["join"],
            "resources": [_room_resource(room_id)],
            "subjects": [f"telnyx:users:{user_id}"],
        }
    ]


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json_segment(value: Any) -> str:
    return _b64encode(json.dumps(value, separators=(",", ":"), sort_keys=True).encode())


class TokenIssuer:
    """Issues and verifies room join tokens with one Ed25519 key."""

    __slots__ = ("_key", "_public")

    def __init__(self, key: Ed25519PrivateKey | None = None) -> None:
        self._key = key if key is not None else Ed25519PrivateKey.generate()
        self._public = self._key.public_key()

    def issue(
        self, typ: str, grants: list[dict[str, Any]], ttl_secs: int, now: datetime
    ) -> tuple[str, datetime]:
        """A signed token of type ``typ`` carrying ``grants``, and its expiry."""
        issued = int(now.timestamp())
        expires = issued + ttl_secs
        claims = {
            "aud": _AUDIENCE,
            "iss": _AUDIENCE,
            "exp": expires,
            "iat": issued,
            "nbf": issued - 1,
            "jti": str(uuid.uuid4()),
            "sub": "null",  # as in the tokens Telnyx issues
            "typ": typ,
            "grants": grants,
            "grants_version": "1.0.0",
        }
        signing_input = f"{_json_segment(_HEADER)}.{_json_segment(claims)}"
        signature = self._key.sign(signing_input.encode("ascii"))
        return f"{signing_input}.{_b64encode(signature)}", datetime.fromtimestamp(expires, UTC)

    def verify(self, token: str, typ: str, room_id: str, now: datetime) -> dict[str, Any]:
        """The claims of a valid token of type ``typ`` for the room, else `TokenError`."""
        if not isinstance(token, str) or token.count(".") != 2:
            raise TokenError("the token is not a JWT")
        header_part, claims_part, signature_part = token.split(".")
        # The signature is checked before anything is decoded: only tokens the emulator issued
        # get as far as the JSON parser.
        try:
            signature = _b64decode(signature_part)
            self._public.verify(signature, f"{header_part}.{claims_part}".encode("ascii"))
        except (ValueError, binascii.Error, InvalidSignature) as exc:  # UnicodeError: ValueError
            raise TokenError("the token signature is invalid") from exc
        try:
            header = json.loads(_b64decode(header_part))
            claims = json.loads(_b64decode(claims_part))
        except (ValueError, binascii.Error, RecursionError) as exc:
            raise TokenError("the token is not a JWT") from exc
        if not isinstance(header, dict) or header.get("alg") != "Ed25519":
            raise TokenError("the token is not signed with Ed25519")
        if not isinstance(claims, dict):
            raise TokenError("the token claims are malformed")
        if claims.get("typ") != typ:
            raise TokenError(f"the token is not {_ARTICLES.get(typ, 'a')} {typ} token")
        if claims.get("aud") != _AUDIENCE or claims.get("iss") != _AUDIENCE:
            raise TokenError("the token was not issued for video rooms")
        instant = now.timestamp()
        exp, nbf = claims.get("exp"), claims.get("nbf")
        if not isinstance(exp, int) or instant >= exp:
            raise TokenError("the token has expired")
        if isinstance(nbf, int) and instant < nbf:
            raise TokenError("the token is not valid yet")
        if not _grants_join(claims.get("grants"), _room_resource(room_id)):
            raise TokenError("the token does not grant joining this room")
        return claims


def _grants_join(grants: Any, resource: str) -> bool:
    if not isinstance(grants, list):
        return False
    for grant in grants:
        if (
            isinstance(grant, dict)
            and "join" in (grant.get("actions") or ())
            and resource in (grant.get("resources") or ())
        ):
            return True
    return False
