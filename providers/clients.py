"""Reuse SDK clients per event loop: building one costs ~25-50 ms (TLS setup) and keeps no
connection pool; a client is bound to its loop, so it is never shared across loops."""

from __future__ import annotations

import asyncio
import hashlib
import weakref
from collections import OrderedDict
from collections.abc import Callable

MAX_PER_LOOP = 16

_by_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _key(provider) -> tuple:
    secret = hashlib.sha256((provider.api_key or "").encode()).hexdigest()
    return (type(provider).__name__, provider.base_url, secret, provider.timeout)


def client_for(provider, factory: Callable[[], object]):
    """The cached client of this provider's settings on the running loop, made on demand."""
    loop = asyncio.get_running_loop()
    clients: OrderedDict = _by_loop.setdefault(loop, OrderedDict())
    key = _key(provider)
    client = clients.get(key)
    if client is None:
        client = clients[key] = factory()
        while len(clients) > MAX_PER_LOOP:
            _, old = clients.popitem(last=False)
            closer = getattr(old, "close", None) or getattr(old, "aclose", None)
            if closer is not None:
                loop.create_task(_quietly(closer))
    clients.move_to_end(key)
    return client


async def _quietly(closer) -> None:
    try:
        result = closer()
        if asyncio.iscoroutine(result):
            await result
    except Exception:  # noqa: S110 - closing an evicted client is best effort
        pass
