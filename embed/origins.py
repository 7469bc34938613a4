"""The sites allowed to show the assistant: how an address typed by an admin becomes an
origin, the list read on every embed request, and the `frame-ancestors` built from it.

An origin is a scheme, a host and a port, nothing else: "https://www.port-lumiere.fr". It
must be https, except on this machine (localhost, *.localhost, 127.0.0.1), which browsers
treat as secure. It must also be a valid CSP host source: a name or an IPv4 address, no
wildcard, no IPv6 literal.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.memo import Memo

from .models import AllowedSite

DEFAULT_PORTS = {"http": 80, "https": 443}
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def is_local(host: str) -> bool:
    """A host of this machine, where browsers accept http as a secure context."""
    return host in ("localhost", "127.0.0.1") or host.endswith(".localhost")


def _host(raw: str) -> str:
    try:
        host = raw.encode("idna").decode("ascii").lower()  # "mairie-é.fr" -> "xn--..."
    except UnicodeError:
        raise ValidationError(_("This site's name is not valid.")) from None
    labels = host.split(".")
    if not all(LABEL.match(label) for label in labels) or labels[-1].isdigit() and len(labels) != 4:
        raise ValidationError(_("This site's name is not valid."))
    return host


def normalise(text: str) -> str:
    """The origin of an address typed by an admin, or ValidationError saying what is wrong."""
    text = (text or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in DEFAULT_PORTS or not parts.netloc:
        raise ValidationError(
            _("Type the site's full address, starting with https://, for example %(example)s."),
            params={"example": "https://www.port-lumiere.fr"},
        )
    if parts.username or parts.password or "[" in parts.netloc:
        raise ValidationError(
            _("Type only the site's address, without a user name or an IPv6 address.")
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValidationError(
            _("Type only the site's address, without a page: %(origin)s"),
            params={"origin": f"{parts.scheme}://{parts.netloc}"},
        )
    try:
        port = parts.port
    except ValueError:
        raise ValidationError(_("The port number is not valid.")) from None
    host = _host(parts.hostname or "")
    if parts.scheme == "http" and not is_local(host):
        raise ValidationError(
            _("The site must use https:// (only a site on this machine may use http://).")
        )
    if port is None or port == DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def _load() -> tuple[str, ...]:
    return tuple(AllowedSite.objects.order_by("origin").values_list("origin", flat=True))


# Read on every embed request (the frame's header, the script's check); an admin's change
# clears it in this process at once (apps.py), in the others within 5 seconds.
allowed_memo = Memo(_load, seconds=5.0)


def allowed() -> tuple[str, ...]:
    """The origins allowed to show the assistant, in order."""
    return allowed_memo.get()


def frame_ancestors(origins: tuple[str, ...]) -> str:
    """The CSP directive letting exactly `origins` frame a page ('none' for no site)."""
    return "frame-ancestors " + (" ".join(origins) if origins else "'none'")
