"""What a printed slip shows: the code in large type, its QR code, the site's address.

The address is SITE_URL when it is set, else the address the desk itself is served on (what
staff typed to reach the desk is what residents can reach too); `address_mismatch` tells the
desk when SITE_URL is set and differs from it, so that staff can warn an admin.

The QR code opens the landing page with the code in the address's fragment
(`/#code=...`): browsers never send a fragment to the server, so the code stays out of
server logs and Referer headers; a small script fills the sign-in field from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from .models import AccessCode


def base_url(request=None) -> str:
    """The site's public address, without a trailing slash."""
    if settings.SITE_URL or request is None:
        return settings.SITE_URL.rstrip("/")
    return request.build_absolute_uri("/").rstrip("/")


def address_mismatch(request) -> str | None:
    """The desk's own address when SITE_URL is set to another one, else None."""
    if not settings.SITE_URL:
        return None
    served = request.build_absolute_uri("/").rstrip("/")
    return served if served != settings.SITE_URL.rstrip("/") else None


def signin_url(plain: str, base: str | None = None) -> str:
    return f"{base if base is not None else base_url()}/#code={plain}"


def qr_svg(url: str, title: str) -> SafeString:
    """The QR code as inline SVG (no style attribute, so the strict CSP is kept)."""
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(omitsize=True, svgclass="qr", lineclass=None, title=title)
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 (segno's own SVG)


def site_address(base: str | None = None) -> str:
    """The public address as people type it: no scheme, no trailing slash."""
    return (base if base is not None else base_url()).split("://", 1)[-1].rstrip("/")


@dataclass
class Slip:
    code: AccessCode
    plain: str
    qr: SafeString

    @property
    def groups(self) -> list[str]:
        return self.plain.split("-")


def slip_for(code: AccessCode, plain: str, qr_title: str, base: str | None = None) -> Slip:
    return Slip(code=code, plain=plain, qr=qr_svg(signin_url(plain, base), qr_title))
