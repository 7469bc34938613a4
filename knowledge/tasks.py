"""Celery tasks of the knowledge app: ingest a document in the background; release the
documents a dead worker left waiting or processing; sync the town's web sites."""

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import connections
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerError

from .ingest import ingest_document, release_stale
from .models import Document
from .siteruns import due_runs
from .sitesync import advance

log = logging.getLogger(__name__)

# Shown on the comms pages when the broker (Redis) cannot take the job: the document is marked
# failed, so that it is not left "waiting" for ever and the same file can be uploaded again.
NOT_QUEUED = _(
    "This document could not be sent for reading: the background service is unavailable. "
    "Please upload it again in a few minutes."
)


@shared_task(
    name="knowledge.ingest_document",
    ignore_result=True,
    # A hostile or broken file must not hold a worker for ever: the soft limit marks the
    # document failed with a plain reason (knowledge.ingest), the hard one kills the task.
    soft_time_limit=settings.KNOWLEDGE_INGEST_SECONDS,
    time_limit=settings.KNOWLEDGE_INGEST_SECONDS + 60,
)
def ingest_document_task(document_id: int) -> None:
    ingest_document(document_id)


@shared_task(name="knowledge.release_stale_documents", ignore_result=True)
def release_stale_documents() -> int:
    """Run every 10 minutes by celery beat (CELERY_BEAT_SCHEDULE)."""
    return release_stale()


def start_ingestion(document_id: int) -> None:
    """Queue ingestion (runs inline when Celery is eager, the embedded default). If the
    broker is unreachable, the document is marked failed with a plain message."""
    try:
        ingest_document_task.delay(document_id)
    except BrokerError as exc:
        log.warning("document %s not queued, broker unavailable: %s", document_id, exc)
        Document.objects.filter(pk=document_id, status=Document.Status.PENDING).update(
            status=Document.Status.FAILED, error=str(NOT_QUEUED)
        )


@shared_task(
    name="knowledge.sync_site",
    ignore_result=True,
    # The run is handed over after SITESYNC_TASK_SECONDS (between pages); the limits only
    # catch a page stuck past its own fetch time-out and indexing.
    soft_time_limit=settings.SITESYNC_TASK_SECONDS + settings.KNOWLEDGE_INGEST_SECONDS,
    time_limit=settings.SITESYNC_TASK_SECONDS + settings.KNOWLEDGE_INGEST_SECONDS + 60,
)
def sync_site_task(run_id: int) -> None:
    """One stretch of a website sync; queues the next stretch while pages are left."""
    if advance(run_id, settings.SITESYNC_TASK_SECONDS):
        start_sync(run_id)


@shared_task(name="knowledge.sync_due_sites", ignore_result=True)
def sync_due_sites() -> int:
    """Run every 15 minutes by celery beat: starts the syncs that are due, resumes the ones a
    stopped worker left behind. Returns how many were started."""
    runs = due_runs()
    for run_id in runs:
        start_sync(run_id)
    return len(runs)


def start_sync(run_id: int) -> threading.Thread | None:
    """Start (or continue) a website sync without making the caller wait for it.

    With workers, a task is queued. In the embedded default (Celery eager) a task would run
    the whole crawl inside the comms team's request (minutes at one request per second), so
    the run goes to a background thread of this process instead: the page answers at once
    and polls the progress. The thread is returned (tests join it). If the process stops,
    the run goes silent and the team can resume it from the page (its lease is then stale).
    """
    if in_process():
        thread = threading.Thread(
            target=_sync_in_thread, args=(run_id,), name=f"site-sync-{run_id}", daemon=True
        )
        thread.start()
        return thread
    try:
        sync_site_task.delay(run_id)
    except BrokerError as exc:  # beat's next sync_due_sites picks the waiting run up
        log.warning("website sync run %s not queued, broker unavailable: %s", run_id, exc)
    return None


def in_process() -> bool:
    """Tasks run in this process (Celery eager: the embedded default, with no beat)."""
    return sync_site_task.app.conf.task_always_eager


def _sync_in_thread(run_id: int) -> None:
    try:
        advance(run_id)
    except Exception:
        log.exception("website sync run %s failed", run_id)
    finally:
        connections.close_all()  # this thread's own connections
