"""Receive Telnyx Video webhooks in FastAPI: print each verified event's type.

    pip install 'telnyx-video[fastapi]'
    python examples/webhooks_fastapi.py --port 8000 --public-key KEY

``POST /webhooks`` answers 204 to a verified delivery (each event once: redeliveries are
dropped) and 400, with the reason, to a forged, stale or malformed one.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at run time.
import argparse
from typing import Annotated

import uvicorn
from fastapi import Depends, FastAPI

from telnyx_video.webhooks import LRUDedupeStore, VideoEvent
from telnyx_video.webhooks.starlette import WebhookVerifier


def create_app(public_keys: list[str] | None = None) -> FastAPI:
    """The app; ``public_keys=None`` reads ``TELNYX_PUBLIC_KEY``."""
    verified_event = WebhookVerifier(public_key=public_keys, dedupe=LRUDedupeStore())
    app = FastAPI()

    @app.post("/webhooks", status_code=204)
    async def webhooks(event: Annotated[VideoEvent, Depends(verified_event)]) -> None:
        print(event.event_type, flush=True)

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--public-key",
        action="append",
        help="base64 Ed25519 public key, repeated during a key rotation "
        "(default: TELNYX_PUBLIC_KEY)",
    )
    args = parser.parse_args(argv)
    app = create_app(args.public_key)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
