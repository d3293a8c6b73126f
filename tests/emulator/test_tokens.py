"""Client tokens: claim shape, expiry on the emulator clock, refresh checks."""

from __future__ import annotations

import base64
import json
from typing import Any

import aiohttp
import pytest

from telnyx_video import AsyncVideoClient, PermissionDeniedError
from telnyx_video.emulator import Emulator, EmulatorError
from telnyx_video.errors import APIStatusError


def _part(token: str, index: int) -> Any:
    segment = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


async def test_token_shape(emu: Emulator, client: AsyncVideoClient) -> None:
    room = await client.rooms.create()
    tokens = await client.rooms.generate_join_client_token(room.id)
    assert _part(tokens.token, 0) == {"alg": "Ed25519", "typ": "JWT"}
    claims = _part(tokens.token, 1)
    assert claims["aud"] == claims["iss"] == "telnyx_access_token"
    assert claims["typ"] == "access"
    assert claims["grants_version"] == "1.0.0"
    assert claims["grants"][0]["actions"] == ["join"]
    assert claims["grants"][0]["resources"] == [f"telnyx:video:rooms:{room.id}"]
    assert claims["exp"] - claims["iat"] == 600
    assert _part(tokens.refresh_token, 1)["typ"] == "refresh"
    assert (tokens.token_expires_at - emu.now()).total_seconds() == 600
    assert (tokens.refresh_token_expires_at - emu.now()).total_seconds() == 3600
    custom = await client.rooms.generate_join_client_token(
        room.id, token_ttl_secs=30, refresh_token_ttl_secs=120
    )
    assert _part(custom.token, 1)["exp"] - _part(custom.token, 1)["iat"] == 30


async def test_join_needs_a_valid_unexpired_token_for_the_room(
    emu: Emulator, client: AsyncVideoClient
) -> None:
    room = await client.rooms.create()
    other = await client.rooms.create()
    tokens = await client.rooms.generate_join_client_token(room.id, token_ttl_secs=10)
    foreign = await client.rooms.generate_join_client_token(other.id)
    head, claims, signature = tokens.token.split(".")
    forged = f"{head}.{claims}.{signature[:-4]}AAAA"
    for bad in (foreign.token, tokens.refresh_token, forged, "not-a-jwt", "a.b.c"):
        with pytest.raises(EmulatorError) as info:
            await emu.join(room.id, bad)
        assert info.value.status == 403
    await emu.advance(10)
    with pytest.raises(EmulatorError, match="expired"):
        await emu.join(room.id, tokens.token)
    assert (await client.room_sessions.list()).items == ()


async def test_refresh(emu: Emulator, client: AsyncVideoClient) -> None:
    room = await client.rooms.create()
    other = await client.rooms.create()
    tokens = await client.rooms.generate_join_client_token(
        room.id, token_ttl_secs=10, refresh_token_ttl_secs=60
    )
    await emu.advance(30)  # the access token expired; the refresh token did not
    fresh = await client.rooms.refresh_client_token(
        room.id, refresh_token=tokens.refresh_token, token_ttl_secs=20
    )
    assert (fresh.token_expires_at - emu.now()).total_seconds() == 20
    participant = await emu.join(room.id, fresh.token, context="late")
    assert participant.context == "late"
    for room_id, token in (
        (room.id, tokens.token),  # an access token is no refresh token
        (other.id, tokens.refresh_token),  # granted for another room
    ):
        with pytest.raises(PermissionDeniedError) as info:
            await client.rooms.refresh_client_token(room_id, refresh_token=token)
        assert info.value.status == 403
    await emu.advance(31)
    with pytest.raises(PermissionDeniedError, match="expired"):
        await client.rooms.refresh_client_token(room.id, refresh_token=tokens.refresh_token)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("deep_part", [0, 1])
async def test_deeply_nested_token_segments_are_a_403(
    emu: Emulator,
    client: AsyncVideoClient,
    http: aiohttp.ClientSession,
    auth: dict[str, str],
    deep_part: int,
) -> None:
    room = await client.rooms.create()
    tokens = await client.rooms.generate_join_client_token(room.id)
    parts = tokens.refresh_token.split(".")
    parts[deep_part] = _b64(_DEEP)
    forged = ".".join(parts)
    url = f"{emu.base_url}/rooms/{room.id}/actions/refresh_client_token"
    async with http.post(url, json={"refresh_token": forged}, headers=auth) as resp:
        assert resp.status == 403, await resp.text()
        assert (await resp.json())["errors"][0]["detail"] == "the token signature is invalid"
    with pytest.raises(EmulatorError) as caught:
        await emu.join(room.id, forged)
    assert caught.value.status == 403


async def test_a_refresh_token_cannot_join_and_says_why(
    emu: Emulator, client: AsyncVideoClient
) -> None:
    room = await client.rooms.create()
    tokens = await client.rooms.generate_join_client_token(room.id)
    with pytest.raises(EmulatorError, match="the token is not an access token"):
        await emu.join(room.id, tokens.refresh_token)
    with pytest.raises(APIStatusError, match="the token is not a refresh token") as caught:
        await client.rooms.refresh_client_token(room.id, refresh_token=tokens.token)
    assert caught.value.status == 403
