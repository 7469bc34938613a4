"""Colour contrast of the button (WCAG 2.x): its text must reach 4.5:1 on its background.

static/js/embed.js applies the same rule to colours typed into a snippet by hand.
"""

from __future__ import annotations

import re

MIN_RATIO = 4.5  # WCAG 2.x, level AA, normal text
HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def parse(text: str) -> str | None:
    """ "#0B4F8A" or "0b4f8a" or "#fff" -> "#0b4f8a" / "#ffffff"; None if not a hex colour."""
    match = HEX.match((text or "").strip())
    if not match:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return "#" + digits


def _luminance(colour: str) -> float:
    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(first: str, second: str) -> float:
    """Contrast ratio of two "#rrggbb" colours, from 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_text(background: str) -> str:
    """White or black, whichever reads better on `background` (at least 4.58:1 always)."""
    return "#ffffff" if ratio(background, "#ffffff") >= ratio(background, "#000000") else "#000000"
