"""The one test of "is this loopback": peers, ``Host`` headers, webhook URLs, bind addresses."""

from __future__ import annotations

import functools
import ipaddress
from urllib.parse import urlsplit

__all__ = ["is_loopback_host", "is_loopback_url"]


@functools.lru_cache(maxsize=256)  # requests name the same few hosts again and again
def is_loopback_host(host: str | None) -> bool:
    """Whether ``host`` (a name or an address, IPv6 with or without brackets or a zone) is
    ``localhost``, a name under ``.localhost``, 127.0.0.0/8 or ``::1`` (also IPv4-mapped)."""
    if not host:
        return False
    name = host.strip("[]").split("%")[0].rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` is http(s) to a loopback host."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and is_loopback_host(host)
