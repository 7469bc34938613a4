"""Where a request comes from: the client's IP address, trusting only the town's own proxy."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client's address. Behind the town's proxy (BEHIND_PROXY=1), the last entry of
    X-Forwarded-For, the one the proxy itself added: earlier entries are the client's word."""
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        address = forwarded.split(",")[-1].strip() or address
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def client_network(request, v4_prefix: int = 32, v6_prefix: int = 64) -> str:
    """The client's network: its address widened to the given prefix ("unknown" if none)."""
    ip = client_ip(request)
    if ip is None:
        return "unknown"
    prefix = v4_prefix if ip.version == 4 else v6_prefix
    if prefix == ip.max_prefixlen:
        return str(ip)
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
