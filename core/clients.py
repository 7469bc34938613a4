"""Where a request comes from: its TCP peer, or what the town's own proxy saw (TRUSTED_PROXIES).

The one place that reads X-Forwarded-For. Any client can write that header, so it is read
only when the TCP peer is one of `TRUSTED_PROXIES`, and then from the right: each proxy
appends the address it was reached from, so the right-most entry that is not a trusted proxy
is the client; entries further left are the client's own word. uvicorn must not rewrite the
peer from the header itself (`--no-proxy-headers` in the Makefile, Dockerfile and compose).
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@cache
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(ip: Address) -> bool:
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def _parse(text: str) -> Address | None:
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def client_ip(request) -> Address | None:
    """The client's address: the TCP peer, unless the peer is a trusted proxy; then the
    right-most address in X-Forwarded-For that is not a trusted proxy (None if unreadable)."""
    ip = _parse(request.META.get("REMOTE_ADDR", ""))
    if ip is None or not _trusted(ip):
        return ip
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",") if forwarded.strip() else []):
        hop = _parse(entry)
        if hop is None:  # garbage where a proxy should have written an address
            return None
        if not _trusted(hop):
            return hop
    return ip  # the proxy itself (its own health check), or proxies all the way


def client_network(request, v4_prefix: int = 32, v6_prefix: int = 64) -> str:
    """The client's network: its address widened to the given prefix ("unknown" if none)."""
    ip = client_ip(request)
    if ip is None:
        return "unknown"
    prefix = v4_prefix if ip.version == 4 else v6_prefix
    if prefix == ip.max_prefixlen:
        return str(ip)
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
