"""A small web service that hands out join tokens for video rooms.

    POST /rooms/{name}/token     -> 200 {"room_id", "token", "token_expires_at",
                                         "refresh_token", "refresh_token_expires_at"}

The room is looked up by its unique name and created on first use, so every client asking
for "standup" joins the same room. Your front end passes the token to the Telnyx Video
JavaScript SDK. Run it with:

    TELNYX_API_KEY=... python examples/token_service.py --port 8080

or, offline, against the emulator (``telnyx-video emulator`` in another terminal):

    TELNYX_BASE_URL=http://127.0.0.1:8787/v2 TELNYX_API_KEY=test-key \\
        python examples/token_service.py --port 8080
    curl -X POST http://127.0.0.1:8080/rooms/standup/token

A real service would authenticate its callers before giving them tokens.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import AsyncIterator

from aiohttp import web

from telnyx_video import AsyncVideoClient, Room, TelnyxVideoError, UnprocessableEntityError

CLIENT = web.AppKey("client", AsyncVideoClient)
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


async def room_named(client: AsyncVideoClient, name: str) -> Room:
    """The room called ``name``, created if it does not exist yet."""
    page = await client.rooms.list(unique_name=name, page_size=1)
    for room in page.items:
        return room
    try:
        return await client.rooms.create(unique_name=name, max_participants=10)
    except UnprocessableEntityError:
        # Another request created it between our lookup and our create.
        page = await client.rooms.list(unique_name=name, page_size=1)
        if page.items:
            return page.items[0]
        raise


async def issue_token(request: web.Request) -> web.Response:
    """``POST /rooms/{name}/token``: a join token for the named room."""
    name = request.match_info["name"]
    if not NAME.match(name):
        raise web.HTTPBadRequest(text="room names are 1-64 letters, digits, '.', '_' or '-'\n")
    client = request.app[CLIENT]
    try:
        room = await room_named(client, name)
        token = await client.rooms.generate_join_client_token(room.id, token_ttl_secs=600)
    except TelnyxVideoError as exc:
        request.app.logger.error("could not issue a token for %r: %s", name, exc)
        raise web.HTTPBadGateway(text="the video service is unavailable\n") from exc
    return web.json_response(
        {
            "room_id": room.id,
            "token": token.token,
            "token_expires_at": token.token_expires_at.isoformat(),
            "refresh_token": token.refresh_token,
            "refresh_token_expires_at": token.refresh_token_expires_at.isoformat(),
        }
    )


def create_app(client: AsyncVideoClient | None = None) -> web.Application:
    """The service. Without ``client``, one is made from ``TELNYX_API_KEY``/``TELNYX_BASE_URL``
    when the app starts, and closed when it stops."""
    app = web.Application()

    async def video_client(app: web.Application) -> AsyncIterator[None]:
        own = client is None
        app[CLIENT] = AsyncVideoClient() if client is None else client
        yield
        if own:
            await app[CLIENT].close()

    app.cleanup_ctx.append(video_client)
    app.router.add_post("/rooms/{name}/token", issue_token)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    web.run_app(create_app(), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
