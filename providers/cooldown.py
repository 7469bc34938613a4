"""Rate-limited providers cool down in the shared cache, so no process asks them too soon.

A 429 with Retry-After puts the provider aside for that many seconds (at most MAX_SECONDS):
meanwhile every web process (the cache is Redis in production) goes straight to the next
provider instead of hammering the vendor. A cache failure never stops an answer.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from django.core.cache import cache

MAX_SECONDS = 300

log = logging.getLogger("providers")


def _key(provider) -> str:
    return "providers:cooldown:" + hashlib.sha256(provider.name.encode()).hexdigest()[:32]


async def start(provider, seconds: float | None) -> None:
    """Set the provider aside for `seconds`, bounded to MAX_SECONDS (None or 0: not at all)."""
    if not seconds or seconds <= 0:
        return
    seconds = min(float(seconds), MAX_SECONDS)
    try:
        await cache.aset(_key(provider), time.time() + seconds, timeout=math.ceil(seconds))
    except Exception as exc:  # the cache is an optimisation here, never a failure
        log.warning("cannot record the cool-down of %s: %s", provider.name, type(exc).__name__)


async def remaining(providers) -> dict[str, float]:
    """Seconds each cooling provider must still wait, by provider name."""
    keys = {_key(p): p.name for p in providers}
    try:
        found = await cache.aget_many(list(keys))
    except Exception as exc:
        log.warning("cannot read provider cool-downs: %s", type(exc).__name__)
        return {}
    now = time.time()
    return {keys[key]: until - now for key, until in found.items() if until > now}
