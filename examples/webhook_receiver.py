"""A Telnyx Video webhook receiver: verifies every delivery and logs its event.

Run it with the account's public key (Mission Control portal > Keys & Credentials >
Public Key), then point a room's ``webhook_event_url`` at it::

    TELNYX_PUBLIC_KEY=... python examples/webhook_receiver.py --port 8000

Against the local emulator, use the emulator's key (``emu.webhook_public_key``).
"""

from __future__ import annotations

import argparse
import logging

from aiohttp import web

from telnyx_video.webhooks import (
    ParticipantJoined,
    ParticipantLeft,
    RecordingCompleted,
    SessionEnded,
    UnknownEvent,
    WebhookEvent,
    WebhookReceiver,
)

log = logging.getLogger("webhook_receiver")


def create_receiver(public_key: str | None = None) -> WebhookReceiver:
    """A receiver with one handler per kind of event we care about."""
    receiver = WebhookReceiver(public_key=public_key)  # None: read TELNYX_PUBLIC_KEY

    @receiver.on(WebhookEvent)  # every event, typed or not
    def log_event(event: WebhookEvent) -> None:
        attempt = event.meta.attempt if event.meta else None
        log.info("%s %s (attempt %s)", event.occurred_at.isoformat(), event.event_type, attempt)

    @receiver.on(ParticipantJoined)
    async def joined(event: ParticipantJoined) -> None:
        log.info("  %s joined room %s", event.payload.context, event.payload.room_id)

    @receiver.on(ParticipantLeft)
    async def left(event: ParticipantLeft) -> None:
        p = event.payload
        log.info("  %s left after %s s (%s)", p.context, p.duration_secs, p.left_reason)

    @receiver.on(RecordingCompleted)
    async def recording_ready(event: RecordingCompleted) -> None:
        log.info("  %s recording ready: %s", event.payload.type, event.payload.download_url)

    @receiver.on(SessionEnded)
    async def session_ended(event: SessionEnded) -> None:
        log.info("  session %s ended", event.payload.session_id)

    @receiver.on(UnknownEvent)
    def unknown(event: UnknownEvent) -> None:
        log.info("  no model for %s: %s", event.event_type, dict(event.payload))

    return receiver


def create_app(public_key: str | None = None, path: str = "/webhooks/telnyx") -> web.Application:
    """The aiohttp application: ``POST path`` receives the webhooks."""
    app = web.Application()
    create_receiver(public_key).add_routes(app, path)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--path", default="/webhooks/telnyx")
    parser.add_argument("--public-key", help="base64 Ed25519 key (default: TELNYX_PUBLIC_KEY)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    web.run_app(create_app(args.public_key, args.path), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
