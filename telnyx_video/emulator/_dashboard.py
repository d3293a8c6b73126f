"""The dashboard: one page, served by the emulator, that shows and drives it in a browser.

``GET /_emulator/ui`` answers the page; its script and style sheet sit beside it under
``/_emulator/ui/``, all three shipped in the package (``telnyx_video/emulator/ui/``): no CDN,
no build step. The page holds no secret: it asks the control API for everything
(``/_emulator/info`` for the API key, ``/_emulator/snapshot`` for the state), with the control
token when one is set, and acts through the same control API and public API as any other
client. The routes answer loopback peers only and refuse other web pages (see ``_http``), and
the page refuses to be framed and runs under a strict content security policy.
"""

from __future__ import annotations

import functools
import importlib.resources

from aiohttp import web

from telnyx_video.emulator._http import Handler, refuse_web_pages

__all__ = ["UI_PATH", "add_routes"]

#: Where the page is served, under the emulator's root.
UI_PATH = "/_emulator/ui"
#: The files of the page: the path under ``UI_PATH`` -> (file in ``ui/``, content type).
_ASSETS = {
    "": ("index.html", "text/html"),
    "/dashboard.js": ("dashboard.js", "text/javascript"),
    "/dashboard.css": ("dashboard.css", "text/css"),
    "/favicon.svg": ("favicon.svg", "image/svg+xml"),
}
_HEADERS = {
    # Only the page's own script, style sheet and same-origin requests; no framing at all.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@functools.cache
def _read(name: str) -> bytes:
    return importlib.resources.files(__package__).joinpath("ui", name).read_bytes()


def _asset(name: str, content_type: str) -> Handler:
    async def serve(request: web.Request) -> web.StreamResponse:
        refuse_web_pages(request)
        response = web.Response(body=_read(name), content_type=content_type, charset="utf-8")
        response.headers.update(_HEADERS)
        return response

    return serve


def add_routes(router: web.UrlDispatcher) -> None:
    """Route the page and its files under ``UI_PATH``."""
    for suffix, (name, content_type) in _ASSETS.items():
        router.add_get(UI_PATH + suffix, _asset(name, content_type))
