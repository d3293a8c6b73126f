"""Verify and parse Telnyx Video webhooks.

Telnyx signs every delivery with Ed25519: ``telnyx-signature-ed25519`` is the base64
signature of ``f"{telnyx-timestamp}|"`` followed by the raw body, under the account's key::

    from telnyx_video.webhooks import WebhookVerificationError, construct_event

    try:
        event = construct_event(raw_body, headers)   # public key from TELNYX_PUBLIC_KEY
    except WebhookVerificationError as exc:
        ...                                          # answer 400; exc.reason says why

[`verify()`][telnyx_video.webhooks.verify] only checks,
[`parse_event()`][telnyx_video.webhooks.parse_event] only parses and
[`WebhookReceiver`][telnyx_video.webhooks.WebhookReceiver] serves an ``aiohttp.web`` endpoint that
does both and dispatches to handlers. Adapters for other frameworks live in modules named after
them, each importing its framework only when imported itself:
[`telnyx_video.webhooks.starlette`][telnyx_video.webhooks.starlette] (FastAPI too),
[`telnyx_video.webhooks.django`][telnyx_video.webhooks.django] and
[`telnyx_video.webhooks.flask`][telnyx_video.webhooks.flask]. Every receiver takes a
[`DedupeStore`][telnyx_video.webhooks.DedupeStore] (such as an
[`LRUDedupeStore`][telnyx_video.webhooks.LRUDedupeStore]) to drop redelivered events.

The event models are frozen ``attrs`` classes, one per video event type, with
[`UnknownEvent`][telnyx_video.webhooks.UnknownEvent] for any other type. Every rejection is a
[`WebhookVerificationError`][telnyx_video.errors.WebhookVerificationError] whose ``reason`` is a
[`VerificationFailure`][telnyx_video.webhooks.VerificationFailure].
"""

from __future__ import annotations

from telnyx_video.errors import WebhookVerificationError
from telnyx_video.webhooks._construct import construct_event
from telnyx_video.webhooks._dedupe import (
    DEFAULT_DEDUPE_SIZE,
    AnyDedupeStore,
    AsyncDedupeStore,
    DedupeStore,
    LRUDedupeStore,
)
from telnyx_video.webhooks._events import (
    EVENT_TYPES,
    CompositionCompleted,
    CompositionCompletedPayload,
    ParticipantJoined,
    ParticipantJoinedPayload,
    ParticipantLeft,
    ParticipantLeftPayload,
    RecordingCompleted,
    RecordingCompletedPayload,
    RecordingStarted,
    RecordingStartedPayload,
    SessionEnded,
    SessionEndedPayload,
    SessionStarted,
    SessionStartedPayload,
    UnknownEvent,
    VideoEvent,
    WebhookEvent,
    WebhookMeta,
    parse_event,
)
from telnyx_video.webhooks._gate import DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY_SIZE
from telnyx_video.webhooks._receiver import Handler, WebhookReceiver
from telnyx_video.webhooks._verify import (
    DEFAULT_TOLERANCE,
    PUBLIC_KEY_ENV,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Body,
    PublicKeyLike,
    PublicKeys,
    VerificationFailure,
    load_public_keys,
    verify,
)

__all__ = [
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_DEDUPE_SIZE",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_TOLERANCE",
    "EVENT_TYPES",
    "PUBLIC_KEY_ENV",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "AnyDedupeStore",
    "AsyncDedupeStore",
    "Body",
    "CompositionCompleted",
    "CompositionCompletedPayload",
    "DedupeStore",
    "Handler",
    "LRUDedupeStore",
    "ParticipantJoined",
    "ParticipantJoinedPayload",
    "ParticipantLeft",
    "ParticipantLeftPayload",
    "PublicKeyLike",
    "PublicKeys",
    "RecordingCompleted",
    "RecordingCompletedPayload",
    "RecordingStarted",
    "RecordingStartedPayload",
    "SessionEnded",
    "SessionEndedPayload",
    "SessionStarted",
    "SessionStartedPayload",
    "UnknownEvent",
    "VerificationFailure",
    "VideoEvent",
    "WebhookEvent",
    "WebhookMeta",
    "WebhookReceiver",
    "WebhookVerificationError",
    "construct_event",
    "load_public_keys",
    "parse_event",
    "verify",
]
