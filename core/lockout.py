"""Sign-in brute-force protection: wrong codes counted per client, then a lockout that doubles.

A client is the network a request comes from (the IPv4 address, or the IPv6 /64), and only
its keyed hash reaches the cache: no address is ever stored. Wrong codes are counted by
django-ratelimit on the shared cache at `SIGNIN_RATE` (e.g. 10/15m); the wrong code that
reaches the limit locks the client out for the rate's period (15 minutes), twice as long at
each new lockout within a day, at most a day. Fixed windows let a client pace itself just
under that rate for ever (9 tries every 15 minutes: 864 a day), so wrong codes are also counted
over a day-long window: the one that reaches `SIGNIN_DAILY_LIMIT` locks the client out for a
day. While locked, every attempt is refused without looking at the code, right or wrong.
Staff passwords are counted the same way under their own key (core.views).

Only well-formed codes that match nothing count: a mistyped code (bad check character) can
never be a right guess, so seniors who mistype are not locked out by their own typos.

If the cache is unreachable (Redis down), the lockout pauses instead of failing the sign-in:
wrong codes are neither counted nor checked until it is back, and the failure is logged.
Refusing every resident would be worse than the risk: a code is 80 random bits, far beyond
what any outage lets anyone guess.
"""

from __future__ import annotations

import logging
import math
import re
import time

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

from . import clients
from .keys import keyed_hash

log = logging.getLogger(__name__)

# What an unreachable cache raises (Redis; OSError for sockets): anything else is a bug.
CACHE_ERRORS = (RedisError, OSError)

GROUP = "accesscodes.signin"  # django-ratelimit cache keys: kept across the move to core
DAILY_GROUP = "core.signin.daily"
MAX_LOCK_SECONDS = 24 * 3600
STRIKES_MEMORY_SECONDS = 24 * 3600
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _cache():
    return caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]


def _enabled() -> bool:
    return getattr(settings, "RATELIMIT_ENABLE", True)


def client_of(request) -> str:
    """The keyed hash that stands for the client in the cache: its address, or its IPv6 /64
    (one home)."""
    return keyed_hash("signin-client", clients.client_network(request))[:40]


def _lock_key(client: str) -> str:
    return f"signin:lock:{client}"


def _strikes_key(client: str) -> str:
    return f"signin:strikes:{client}"


def locked_for(client: str) -> int:
    """Seconds before this client may try again (0: not locked)."""
    if not _enabled():
        return 0
    try:
        until = _cache().get(_lock_key(client))
    except CACHE_ERRORS as exc:  # the cache is down: no lockout rather than no sign-in
        log.warning("sign-in lockout unavailable, not checked: %s", type(exc).__name__)
        return 0
    return max(0, int(until - time.time())) if until else 0


def rate_parts(rate: str) -> tuple[int, int]:
    """("10/15m") -> (10, 900): attempts and period in seconds, as django-ratelimit reads it."""
    match = _RATE.match(rate)
    if not match:
        raise ValueError(f"not a rate: {rate!r}")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNIT[unit]


def lock_seconds(strikes: int) -> int:
    """Length of the `strikes`-th lockout: the rate's period, doubled each time, capped."""
    _count, period = rate_parts(settings.SIGNIN_RATE)
    return min(MAX_LOCK_SECONDS, period * 2 ** max(0, strikes - 1))


def record_failure(request, client: str) -> int:
    """Count one wrong code; returns the lockout in seconds when this one starts it, else 0
    (also when the cache is down: then nothing can be counted)."""
    try:
        return _record_failure(request, client)
    except CACHE_ERRORS as exc:
        log.warning("sign-in lockout unavailable, wrong code not counted: %s", type(exc).__name__)
        return 0


def _reached(request, client: str, group: str, rate: str) -> bool:
    """Count one more wrong try in `group`'s window; True once it reaches the rate's limit."""
    usage = get_usage(
        request, group=group, key=lambda _group, _request: client, rate=rate, increment=True
    )
    return usage is not None and usage["count"] >= usage["limit"]


def _record_failure(request, client: str) -> int:
    daily = _reached(request, client, DAILY_GROUP, f"{settings.SIGNIN_DAILY_LIMIT}/d")
    short = _reached(request, client, GROUP, settings.SIGNIN_RATE)
    cache = _cache()
    if daily:
        cache.set(_lock_key(client), time.time() + MAX_LOCK_SECONDS, MAX_LOCK_SECONDS)
        return MAX_LOCK_SECONDS
    if not short:
        return 0
    cache.add(_strikes_key(client), 0, STRIKES_MEMORY_SECONDS)
    try:
        strikes = cache.incr(_strikes_key(client))
    except ValueError:  # expired in between
        cache.set(_strikes_key(client), 1, STRIKES_MEMORY_SECONDS)
        strikes = 1
    cache.touch(_strikes_key(client), STRIKES_MEMORY_SECONDS)
    seconds = lock_seconds(strikes)
    cache.set(_lock_key(client), time.time() + seconds, seconds)
    return seconds


def locked_message(seconds: int, staff: bool = False) -> str:
    """What a locked-out resident (wrong codes) or staff member (wrong passwords) is told."""
    minutes = max(1, math.ceil(seconds / 60))
    if staff:
        message = ngettext(
            "Too many wrong passwords were typed from this connection. Please wait %(minutes)d "
            "minute before trying again.",
            "Too many wrong passwords were typed from this connection. Please wait %(minutes)d "
            "minutes before trying again.",
            minutes,
        )
    else:
        message = ngettext(
            "Too many wrong codes were typed from this connection. For safety, signing in is "
            "paused for %(minutes)d minute. If you need help, please visit a counter.",
            "Too many wrong codes were typed from this connection. For safety, signing in is "
            "paused for %(minutes)d minutes. If you need help, please visit a counter.",
            minutes,
        )
    return message % {"minutes": minutes}
