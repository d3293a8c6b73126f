"""Receive Telnyx Video webhooks in Django: print each verified event's type.

    pip install 'telnyx-video[django]'
    python examples/webhooks_django.py --port 8000 --public-key KEY

``POST /webhooks`` answers 204 to a verified delivery (each event once: redeliveries are
dropped) and 400, with the reason, to a forged, stale or malformed one. A whole Django project
in one file, served by Django's development server; in a real project the view goes in a
``views.py`` and its route in ``urls.py``.
"""

from __future__ import annotations

import argparse
import sys

import django
from django.conf import settings
from django.core.management import call_command
from django.http import HttpRequest
from django.urls import URLPattern, path

from telnyx_video.webhooks import LRUDedupeStore, VideoEvent
from telnyx_video.webhooks.django import webhook_view

urlpatterns: list[URLPattern] = []  # this module is the ROOT_URLCONF


def create_urlpatterns(public_keys: list[str] | None = None) -> list[URLPattern]:
    """The routes; ``public_keys=None`` reads ``TELNYX_PUBLIC_KEY``."""

    @webhook_view(public_key=public_keys, dedupe=LRUDedupeStore())
    def webhooks(request: HttpRequest, event: VideoEvent) -> None:
        print(event.event_type, flush=True)

    return [path("webhooks", webhooks)]


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
    settings.configure(
        DEBUG=False,
        SECRET_KEY="webhooks-example",  # a real project reads its secret from the environment
        ALLOWED_HOSTS=[args.host, "127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],  # the view is exempt
    )
    django.setup()
    urlpatterns[:] = create_urlpatterns(args.public_key)
    # the server's banner goes to stderr: stdout has one line per event
    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, stdout=sys.stderr)


if __name__ == "__main__":
    main()
