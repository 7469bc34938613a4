"""What a printed slip shows: the code in large type, its QR code, the site's address.

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


def signin_url(plain: str) -> str:
    return f"{settings.SITE_URL}/#code={plain}"


def qr_svg(url: str, title: str) -> SafeString:
    """The QR code as inline SVG (no style attribute, so the strict CSP is kept)."""
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(omitsize=True, svgclass="qr", lineclass=None, title=title)
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 (segno's own SVG)


def site_address() -> str:
    """The public address as people type it: no scheme, no trailing slash."""
    return settings.SITE_URL.split("://", 1)[-1].rstrip("/")


@dataclass
class Slip:
    code: AccessCode
    plain: str
    qr: SafeString

    @property
    def groups(self) -> list[str]:
        return self.plain.split("-")


def slip_for(code: AccessCode, plain: str, qr_title: str) -> Slip:
    return Slip(code=code, plain=plain, qr=qr_svg(signin_url(plain), qr_title))
