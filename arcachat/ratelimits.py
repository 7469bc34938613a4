"""Per-code rate limits of the chat page's small JSON endpoints (the check, the votes).

Counted in the shared cache under a keyed hash of the code, never the code itself. A cache
that is down lets the request through with a warning: these endpoints cost milliseconds and
their own guards (a resident session, a signed token) still hold.
"""

import logging

from django_ratelimit.core import is_ratelimited

from core.keys import keyed_hash

log = logging.getLogger(__name__)


def too_often(request, group: str, rate: str) -> bool:
    """Whether the signed-in resident (`request.resident`) went over `rate` for `group`."""
    key = keyed_hash(group, str(request.resident.pk))[:32]
    try:
        return is_ratelimited(
            request, group=group, key=lambda _group, _request: key, rate=rate, increment=True
        )
    except Exception as exc:
        log.warning("%s rate limit unavailable, not checked: %s", group, type(exc).__name__)
        return False
