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
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync, ThreadSensitiveContext
from django.core.handlers.asgi import ASGIHandler


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
            await self.handle(scope, receive, send)
        finally:
            SyncToAsync.thread_sensitive_context.reset(token)
            lane.in_flight -= 1


def get_lane_application() -> LaneASGIHandler:
    """What django.core.asgi.get_asgi_application() does, with settings.ASGI_THREADS lanes."""
    import django
    from django.conf import settings

    django.setup(set_prefix=False)
    return LaneASGIHandler(settings.ASGI_THREADS)
