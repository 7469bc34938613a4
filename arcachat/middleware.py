"""Middleware: security headers, static files, and Django's own middleware without thread hops.

Under ASGI, Django runs every hook of a `MiddlewareMixin` middleware in a worker thread
(`sync_to_async`), twice per middleware and request. For a streamed answer that is a dozen
thread switches before the first word, for hooks that only read headers and cookies. The
`inline()` versions below run those hooks directly on the event loop; they are only used for
middleware whose hooks do no I/O. The one hook that may write (saving a modified session)
still runs in a thread. Static files are served by WhiteNoise, which is sync-only: it is
asked only about /static/ paths, so every other request stays async end to end.
"""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware as _Auth
from django.contrib.messages.middleware import MessageMiddleware as _Messages
from django.contrib.sessions.middleware import SessionMiddleware as _Session
from django.middleware.clickjacking import XFrameOptionsMiddleware as _XFrame
from django.middleware.common import CommonMiddleware as _Common
from django.middleware.csrf import CsrfViewMiddleware as _Csrf
from django.middleware.locale import LocaleMiddleware as _Locale
from django.middleware.security import SecurityMiddleware as _Security


def _decorate(response):
    response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
    response.headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
    )
    return response


def _both_modes(get_response, handle):
    """A function middleware for WSGI and ASGI: `handle(request, response)` after the view."""
    if iscoroutinefunction(get_response):

        async def middleware(request):
            return handle(request, await get_response(request))

        markcoroutinefunction(middleware)
    else:

        def middleware(request):
            return handle(request, get_response(request))

    return middleware


def security_headers(get_response):
    """Add the strict CSP to every response; works under both WSGI and ASGI."""
    return _both_modes(get_response, lambda request, response: _decorate(response))


security_headers.sync_capable = True
security_headers.async_capable = True


def static_files(get_response):
    """WhiteNoise for STATIC_URL paths only; everything else goes straight on."""
    from whitenoise.middleware import WhiteNoiseMiddleware

    whitenoise = WhiteNoiseMiddleware(get_response)
    prefix = settings.STATIC_URL

    def find(path):
        if not path.startswith(prefix):
            return None
        return whitenoise.find_file(path) if whitenoise.autorefresh else whitenoise.files.get(path)

    if iscoroutinefunction(get_response):

        async def middleware(request):
            static = find(request.path_info)
            if static is not None:
                return whitenoise.serve(static, request)
            return await get_response(request)

        markcoroutinefunction(middleware)
    else:

        def middleware(request):
            static = find(request.path_info)
            if static is not None:
                return whitenoise.serve(static, request)
            return get_response(request)

    return middleware


static_files.sync_capable = True
static_files.async_capable = True


def inline(cls):
    """`cls` with its request/response (and view) hooks run on the event loop under ASGI."""

    class Inline(cls):
        async def __acall__(self, request):
            response = None
            if hasattr(self, "process_request"):
                response = self.process_request(request)
            response = response or await self.get_response(request)
            if hasattr(self, "process_response"):
                response = await self.aprocess_response(request, response)
            return response

        async def aprocess_response(self, request, response):
            return self.process_response(request, response)

    if hasattr(cls, "process_view"):

        async def process_view(self, request, view, args, kwargs):
            return cls.process_view(self, request, view, args, kwargs)

        Inline.process_view = process_view
    Inline.__name__ = Inline.__qualname__ = cls.__name__
    Inline.__doc__ = f"{cls.__doc__ or cls.__name__} (hooks run inline under ASGI)"
    return Inline


SecurityMiddleware = inline(_Security)
CommonMiddleware = inline(_Common)
LocaleMiddleware = inline(_Locale)
CsrfViewMiddleware = inline(_Csrf)
AuthenticationMiddleware = inline(_Auth)
MessageMiddleware = inline(_Messages)
XFrameOptionsMiddleware = inline(_XFrame)


class SessionMiddleware(inline(_Session)):
    """Sessions: loaded lazily by whoever reads them; saved in a thread only if modified."""

    async def aprocess_response(self, request, response):
        session = request.session
        if session.modified or (settings.SESSION_SAVE_EVERY_REQUEST and session.accessed):
            return await sync_to_async(self.process_response)(request, response)
        return self.process_response(request, response)
