"""Celery tasks of the knowledge app: ingest a document in the background; release the
documents a dead worker left waiting or processing."""

import logging

from celery import shared_task
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerError

from .ingest import ingest_document, release_stale
from .models import Document

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
