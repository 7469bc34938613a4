"""Celery tasks of the knowledge app: ingest a document in the background; release the
documents a dead worker left waiting or processing; sync the town's web sites.

KNOWLEDGE_INGEST_SECONDS bounds an ingestion everywhere. A Celery worker enforces it itself
(soft_time_limit); in the embedded default the task runs eagerly inside the upload's request,
where Celery's limits do not apply, so `deadline()` raises the same SoftTimeLimitExceeded in
that thread when the time is up (knowledge.ingest then marks the document failed, saying why).
"""

import ctypes
import logging
import threading
from contextlib import contextmanager

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connections
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerError

from .ingest import TOO_LONG, ingest_document, release_stale
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


def _raise_in(thread_id: int, exception) -> None:
    """Raise `exception` in another thread at its next Python instruction (None: cancel a
    pending one). A long C call (inflating a stream) ends first; pypdf's reading is Python."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None
    )


@contextmanager
def deadline(seconds: float, again_every: float = 1.0):
    """SoftTimeLimitExceeded in this thread once `seconds` have passed inside the block, and
    again every `again_every` seconds while it is still inside (a library may swallow one)."""
    me, lock, stop = threading.get_ident(), threading.Lock(), threading.Event()
    state = {"inside": True, "fired": False}

    def watch():
        wait = seconds
        while not stop.wait(wait):
            with lock:
                if not state["inside"]:
                    return
                state["fired"] = True
                _raise_in(me, SoftTimeLimitExceeded)
            wait = again_every

    threading.Thread(target=watch, daemon=True, name="ingest-deadline").start()
    try:
        yield
    finally:
        stop.set()
        with lock:
            state["inside"] = False
            if state["fired"]:
                _raise_in(me, None)  # one fired as the block ended is cancelled, not delivered


def _ingest_inline(document_id: int) -> None:
    try:
        with deadline(settings.KNOWLEDGE_INGEST_SECONDS):
            ingest_document_task.delay(document_id)
    except SoftTimeLimitExceeded:  # delivered outside ingest_document's own handler
        log.warning("Ingestion of document %s stopped: over its time limit", document_id)
        Document.objects.filter(pk=document_id).exclude(status=Document.Status.READY).update(
            status=Document.Status.FAILED, error=str(TOO_LONG)
        )


def start_ingestion(document_id: int) -> None:
    """Queue ingestion (runs inline when Celery is eager, the embedded default, within the
    same time limit). If the broker is unreachable, the document is marked failed with a
    plain message."""
    if in_process():
        _ingest_inline(document_id)
        return
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
