"""Helpers of the webhook tests: a Telnyx-like signer and delivery bodies."""

from __future__ import annotations

import base64
import json
import time
import uuid
from importlib import resources
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class Signer:
    """Signs deliveries the way Telnyx does, with its own key pair."""

    def __init__(self) -> None:
        self.private_key = Ed25519PrivateKey.generate()
        self.public_key_object = self.private_key.public_key()
        self.public_key_raw = self.public_key_object.public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.public_key = base64.b64encode(self.public_key_raw).decode()
        self.public_key_pem = self.public_key_object.public_bytes(
            Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def sign(self, body: bytes, timestamp: str) -> str:
        return base64.b64encode(self.private_key.sign(timestamp.encode() + b"|" + body)).decode()

    def headers(self, body: bytes, timestamp: int | str | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "telnyx-signature-ed25519": self.sign(body, ts),
            "telnyx-timestamp": ts,
            "content-type": "application/json",
        }


def event_body(
    event_type: str = "video.room.session.started",
    payload: dict[str, Any] | None = None,
    *,
    attempt: int = 1,
    delivered_to: str = "https://example.com/webhooks",
    event_id: str | None = None,
    occurred_at: str = "2026-01-01T00:00:00.000000Z",
) -> bytes:
    """A delivery body in the wire format: {"data": event, "meta": {...}}."""
    if payload is None:
        payload = {"room_id": str(uuid.uuid4()), "session_id": str(uuid.uuid4())}
    event = {
        "record_type": "event",
        "id": str(uuid.uuid4()) if event_id is None else event_id,
        "event_type": event_type,
        "occurred_at": occurred_at,
        "payload": payload,
    }
    return json.dumps(
        {"data": event, "meta": {"attempt": attempt, "delivered_to": delivered_to}}
    ).encode()


def spec_examples() -> dict[str, dict[str, Any]]:
    """The example of each event schema, keyed by event type (fixing the examples whose
    event_type was copied from another schema)."""
    contract = resources.files("telnyx_video.webhooks").joinpath("events.json")
    schemas = json.loads(contract.read_text(encoding="utf-8"))["components"]["schemas"]
    examples = {}
    for schema in schemas.values():
        event_type = schema["properties"]["event_type"]["enum"][0]
        examples[event_type] = {**schema["example"], "event_type": event_type}
    return examples
