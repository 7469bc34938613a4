"""What changes on the embed routes (paths under PREFIX): cookies of their own, partitioned,
and frames allowed to the listed sites. Every other path is left exactly as it was.

Cookies. Inside another site's frame a browser sends only third-party cookies, and current
browsers send those only when partitioned (CHIPS: `Partitioned; Secure; SameSite=None`,
kept per top-level site). On an embed path the request's cookies are replaced by the ones
named `COOKIE_PREFIX + name` (the prefix removed), so Django's sessions, CSRF, messages and
language read them under their usual names and never see the main site's cookies: a resident
signed in on the main site is not signed in inside a town site's frame, and the reverse.
Every cookie the response sets is renamed back with the prefix and made partitioned, secure,
SameSite=None, host-only on path "/" (what `__Host-` requires). The main site's cookies keep
their settings (SameSite=Lax). Django 5.2 cannot write `Partitioned` (nor can Python's
http.cookies before 3.14): `PartitionedMorsel` adds the flag.

Frames. The embed responses carry the site's CSP with `frame-ancestors` listing exactly the
allowed origins (embed.origins), and no X-Frame-Options; every other response keeps
`frame-ancestors 'none'` and `X-Frame-Options: DENY`.

The middleware also sets `request.embedded` (templates lay the chat out for the panel) and
`request.urlconf` to settings.EMBED_URLCONF, where the resident routes' names lead to their
embed paths: the same views, templates and redirects serve both.
"""

from __future__ import annotations

import re
from http.cookies import Morsel

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings

from .origins import allowed, frame_ancestors

PREFIX = "/embed/"
COOKIE_PREFIX = "__Host-embed-"
FRAME_ANCESTORS = re.compile(r"frame-ancestors[^;]*")


class PartitionedMorsel(Morsel):
    """A cookie that can carry the `Partitioned` attribute (CHIPS)."""

    _reserved = {**Morsel._reserved, "partitioned": "Partitioned"}
    _flags = Morsel._flags | {"partitioned"}


def is_embedded(path: str) -> bool:
    return path.startswith(PREFIX)


def inside(cookies: dict) -> dict:
    """The cookies an embed request shows Django: only the embed ones, under their own names."""
    start = len(COOKIE_PREFIX)
    return {
        name[start:]: value for name, value in cookies.items() if name.startswith(COOKIE_PREFIX)
    }


def partitioned(name: str, morsel: Morsel) -> PartitionedMorsel:
    """`morsel` renamed with COOKIE_PREFIX and made a partitioned third-party cookie."""
    new = PartitionedMorsel()
    new.set(COOKIE_PREFIX + name, morsel.value, morsel.coded_value)
    for key in ("expires", "max-age", "httponly"):
        if morsel[key] != "":  # Max-Age=0 (a deletion) included
            new[key] = morsel[key]
    new.update({"path": "/", "secure": True, "samesite": "None", "partitioned": True})
    return new


def outside(response) -> None:
    """Rename and partition every cookie `response` sets."""
    jar = response.cookies
    for name, morsel in list(jar.items()):
        del jar[name]
        dict.__setitem__(jar, COOKIE_PREFIX + name, partitioned(name, morsel))


def policy(origins: tuple[str, ...]) -> str:
    """The site's CSP with its frame-ancestors directive replaced (or added)."""
    base = settings.CONTENT_SECURITY_POLICY
    directive = frame_ancestors(origins)
    if FRAME_ANCESTORS.search(base):
        return FRAME_ANCESTORS.sub(directive, base, count=1)
    return f"{base.rstrip('; ')}; {directive}"


def before(request) -> None:
    request.embedded = True
    request.urlconf = settings.EMBED_URLCONF
    request.COOKIES = inside(request.COOKIES)


def after(response, origins: tuple[str, ...]):
    outside(response)
    response["Content-Security-Policy"] = policy(origins)
    if "X-Frame-Options" in response:
        del response["X-Frame-Options"]
    return response


def embedded_pages(get_response):
    """The middleware (WSGI and ASGI); placed before the session and CSRF middleware."""
    if iscoroutinefunction(get_response):

        async def middleware(request):
            if not is_embedded(request.path_info):
                return await get_response(request)
            before(request)
            response = await get_response(request)
            return after(response, await sync_to_async(allowed)())

        markcoroutinefunction(middleware)
    else:

        def middleware(request):
            if not is_embedded(request.path_info):
                return get_response(request)
            before(request)
            return after(get_response(request), allowed())

    return middleware


embedded_pages.sync_capable = True
embedded_pages.async_capable = True
