"""Receive Telnyx Video webhooks in Flask: print each verified event's type.

    pip install 'telnyx-video[flask]'
    python examples/webhooks_flask.py --port 8000 --public-key KEY

``POST /webhooks`` answers 204 to a verified delivery (each event once: redeliveries are
dropped) and 400, with the reason, to a forged, stale or malformed one. Flask's development
server runs it here; in production, hand ``create_app()`` to a WSGI server (gunicorn, waitress).
"""

from __future__ import annotations

import argparse

from flask import Flask
from werkzeug.serving import run_simple

from telnyx_video.webhooks import LRUDedupeStore, VideoEvent
from telnyx_video.webhooks.flask import webhook_view


def create_app(public_keys: list[str] | None = None) -> Flask:
    """The app; ``public_keys=None`` reads ``TELNYX_PUBLIC_KEY``."""
    app = Flask(__name__)

    @app.post("/webhooks")
    @webhook_view(public_key=public_keys, dedupe=LRUDedupeStore())
    def webhooks(event: VideoEvent) -> None:
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
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
