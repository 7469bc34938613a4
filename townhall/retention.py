"""Retention: a request's texts are erased TOWNHALL_KEEP_DAYS after its reply (or closing).

The purge runs every hour from Celery beat (CELERY_BEAT_SCHEDULE); the embedded default has
no beat, so the queue page and the residents' requests page also run it in-process, at most
once per PURGE_EVERY seconds (a cache key), which costs one cache call per page otherwise.
A purged request keeps no text and no link to its code: only its dates, service and status,
for the weekly counts. Open requests are kept until they are handled.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from . import insight
from .models import LogEntry, TownRequest

log = logging.getLogger(__name__)

PURGE_EVERY = 3600
CACHE_KEY = "townhall:purge"


def purge(now: dt.datetime | None = None) -> int:
    """Erase the texts of requests handled more than TOWNHALL_KEEP_DAYS ago, and the answer
    signals past insight.KEEP_WEEKS; returns how many requests were erased."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.TOWNHALL_KEEP_DAYS)
    erased = (
        TownRequest.objects.filter(purged_at__isnull=True, handled_at__lt=cutoff)
        .exclude(status=TownRequest.Status.OPEN)
        .update(
            code=None,
            question="",
            answer="",
            draft="",
            draft_sources=[],
            reply="",
            purged_at=now,
        )
    )
    if erased:
        LogEntry.record(None, LogEntry.Action.PURGED, count=erased)
        log.info("townhall purge: %d request(s) erased", erased)
    insight.forget_old(timezone.localdate(now))
    return erased


def purge_soon() -> None:
    """Run the purge here unless it ran less than PURGE_EVERY seconds ago (any process)."""
    try:
        due = cache.add(CACHE_KEY, 1, PURGE_EVERY)
    except Exception as exc:  # the cache (Redis) is down: beat, or a later page, will do it
        log.warning("townhall purge not checked: %s", type(exc).__name__)
        return
    if due:
        purge()
