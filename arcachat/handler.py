"""Django's ASGI handler with each request's synchronous work on a few persistent threads.

Django runs a request's synchronous parts (signals, sync views, `sync_to_async` calls such as
the chat's preparation and settlement) in a thread of the request's own: by default asgiref
starts a new thread for every request, and a second one to join it at the end, so every
request also opened a new database connection in that thread (SQLite), or checked one out of
the pool from a new thread (PostgreSQL).

Here each request is given one of `ASGI_THREADS` persistent "lanes" (the one with the fewest
requests in flight): its thread-sensitive work still runs on one thread, one call at a time,
as Django requires, but the thread lives on, and with it the thread's database connection,
which Django's usual request signals keep or close (CONN_MAX_AGE, CONN_HEALTH_CHECKS) exactly
as for a WSGI worker thread. Work that outlives the request (the chat's settlement after the
browser left) still finds its lane.

Request bodies are bounded here, before Django reads any of them (it would spool a body of
any size to a temporary file first): above `body_limit()`, a declared Content-Length is
answered 413 at once, and a body without one (chunked) is cut off at the limit, then answered
413 the same way.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from asgiref.sync import SyncToAsync, ThreadSensitiveContext
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.http.cookie import parse_cookie
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .attachments import MAX_QUESTION_BYTES

# Files the comms team may send in one upload, each up to KNOWLEDGE_MAX_UPLOAD_MB.
UPLOAD_BATCH_FILES = 10


@cache
def _paths() -> tuple[str, str]:
    """The question's and the comms upload's paths (read once the URLs are loaded)."""
    return reverse("chat-ask"), reverse("knowledge:upload")


@cache
def _loaded(name: str):
    """An object of the project by its dotted name, imported at first use: this module is
    imported before django.setup() (knowledge.ingest owns the upload's limit, the session
    engine is a setting)."""
    return import_string(name)


async def _signed_in_user(scope) -> bool:
    """The request's session is a signed-in user's (staff: residents are never users). Only
    asked of a big comms upload: an anonymous body stays within REQUEST_MAX_KB, and the view
    still checks the role."""
    header = dict(scope.get("headers", ())).get(b"cookie", b"").decode("latin-1")
    key = parse_cookie(header).get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    store = _loaded(settings.SESSION_ENGINE + ".SessionStore")(key)
    try:
        return "_auth_user_id" in await store.aload()
    except Exception:  # noqa: BLE001 - no session to read: the small limit applies
        return False


async def body_limit(scope) -> int:
    """The largest request body accepted for this request, in bytes."""
    small = settings.REQUEST_MAX_KB * 1024
    question, upload = _paths()
    if scope["path"] == question:
        return MAX_QUESTION_BYTES
    if scope["path"] == upload and await _signed_in_user(scope):
        return _loaded("knowledge.ingest.max_upload_bytes")() * UPLOAD_BATCH_FILES + small
    return small


def declared_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def refuse_too_large(scope, send) -> None:
    """413 with a plain sentence (JSON for the chat's question), in the town's language."""
    with translation.override(settings.LANGUAGE_CODE):
        if scope["path"] == _paths()[0]:
            message = _("This file is too large. Please choose a smaller one.")
            body = json.dumps({"error": "too_large", "message": message}).encode()
            kind = b"application/json"
        else:
            body = _(
                "What was sent is too large. Go back to the previous page and send fewer or "
                "smaller files."
            ).encode()
            kind = b"text/plain; charset=utf-8"
    headers = [
        (b"content-type", kind),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        (b"x-content-type-options", b"nosniff"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyCap:
    """The ASGI `receive` and `send` of one request, the body cut off past `limit` bytes:
    Django then sees the client leave (and stops), and `over` says to answer 413."""

    def __init__(self, receive, send, limit: int):
        self._receive, self._send, self.limit = receive, send, limit
        self.received = 0
        self.over = False
        self.started = False

    async def receive(self):
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.over = True
                return {"type": "http.disconnect"}
        return message

    async def send(self, message):
        self.started = True
        await self._send(message)


class Lane:
    """One persistent thread for the thread-sensitive work of the requests given to it."""

    def __init__(self, number: int):
        # The key asgiref looks up; never entered, so never exited or shut down.
        self.key = ThreadSensitiveContext()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"lane-{number}")
        self.in_flight = 0
        SyncToAsync.context_to_thread_executor[self.key] = self.executor


class LaneASGIHandler(ASGIHandler):
    def __init__(self, lanes: int):
        super().__init__()
        self.lanes = [Lane(n) for n in range(max(1, lanes))]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        lane = min(self.lanes, key=lambda candidate: candidate.in_flight)
        lane.in_flight += 1
        token = SyncToAsync.thread_sensitive_context.set(lane.key)
        try:
            limit = await body_limit(scope)  # may read a session: on the lane's thread
            if (declared_length(scope) or 0) > limit:
                return await refuse_too_large(scope, send)
            cap = BodyCap(receive, send, limit)
            await self.handle(scope, cap.receive, cap.send)
        finally:
            SyncToAsync.thread_sensitive_context.reset(token)
            lane.in_flight -= 1
        if cap.over and not cap.started:
            await refuse_too_large(scope, send)


def get_lane_application() -> LaneASGIHandler:
    """What django.core.asgi.get_asgi_application() does, with settings.ASGI_THREADS lanes."""
    import django
    from django.conf import settings

    django.setup(set_prefix=False)
    return LaneASGIHandler(settings.ASGI_THREADS)
