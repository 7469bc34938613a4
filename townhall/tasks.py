"""Celery task of townhall: the hourly purge of requests' texts (townhall.retention)."""

from celery import shared_task

from .retention import purge


@shared_task(name="townhall.purge", ignore_result=True)
def purge_requests() -> int:
    """Run every hour by celery beat (CELERY_BEAT_SCHEDULE)."""
    return purge()
