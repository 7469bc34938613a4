"""Turn a document into searchable chunks, with progress; publish atomically or fail clearly."""

import hashlib
import logging
from pathlib import PurePath

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils.translation import gettext as _

from .chunking import chunk_sections
from .extract import READERS, IngestError, html_to_markdown
from .fetch import fetch_url
from .index import backend_for
from .models import Chunk, Document
from .retrieval import index_terms

log = logging.getLogger(__name__)
EXTENSIONS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
}


def max_upload_bytes() -> int:
    return settings.KNOWLEDGE_MAX_UPLOAD_MB * 1024 * 1024


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def detect_format(name: str, data: bytes) -> str:
    """The reader key for a file, checked against its first bytes; IngestError otherwise."""
    kind = EXTENSIONS.get(PurePath(name).suffix.lower())
    if kind is None:
        raise IngestError(
            _(
                "“%(name)s”: this type of file is not supported (PDF, Word .docx, HTML, "
                "Markdown or text)."
            )
            % {"name": name}
        )
    if kind == "pdf" and not data.lstrip()[:5] == b"%PDF-":
        raise IngestError(_("“%(name)s” is not really a PDF file.") % {"name": name})
    if kind == "docx" and not data.startswith(b"PK"):
        raise IngestError(_("“%(name)s” is not really a Word .docx file.") % {"name": name})
    if kind in ("markdown", "text", "html") and b"\x00" in data[:4096]:
        raise IngestError(_("“%(name)s” is not a text file.") % {"name": name})
    return kind


def check_size(name: str, size: int) -> None:
    if size > max_upload_bytes():
        raise IngestError(
            _("“%(name)s” is %(size).1f MB; the limit is %(limit)d MB.")
            % {"name": name, "size": size / 1048576, "limit": settings.KNOWLEDGE_MAX_UPLOAD_MB}
        )
    if size == 0:
        raise IngestError(_("“%(name)s” is empty.") % {"name": name})


def find_duplicate(digest: str, exclude_pk: int | None = None) -> Document | None:
    """A live document (not failed, not retired) with the same content, if any."""
    return (
        Document.objects.filter(content_hash=digest)
        .exclude(status__in=[Document.Status.FAILED, Document.Status.RETIRED])
        .exclude(pk=exclude_pk)
        .first()
    )


def duplicate_message(name: str, other: Document) -> str:
    return _("“%(name)s” is already online as “%(title)s” (added %(date)s): not added again.") % {
        "name": name,
        "title": other.title,
        "date": other.created_at.strftime("%d/%m/%Y"),
    }


def _progress(doc: Document):
    def report(done: int, total: int) -> None:
        if done == total or done % 5 == 0:
            Document.objects.filter(pk=doc.pk).update(progress_done=done, progress_total=total)

    return report


def _load_bytes(doc: Document) -> tuple[bytes, str]:
    """The document's bytes and reader key; a URL is fetched (and kept as a file) first."""
    if not doc.file and doc.source_url:
        page = fetch_url(doc.source_url)
        kind = "pdf" if page.body.lstrip()[:5] == b"%PDF-" else "html"
        digest = content_hash(page.body)
        other = find_duplicate(digest, exclude_pk=doc.pk)
        if other is not None:
            raise IngestError(duplicate_message(doc.source_url, other))
        if doc.title.strip() in ("", doc.source_url) and kind == "html":
            doc.title = (html_to_markdown(page.body)[1] or doc.source_url)[:300]
        doc.content_hash = digest
        doc.file.save(f"page.{'pdf' if kind == 'pdf' else 'html'}", ContentFile(page.body), False)
        doc.original_name = doc.original_name or PurePath(doc.file.name).name
        doc.save(update_fields=["title", "content_hash", "file", "original_name"])
        return page.body, kind
    with doc.file.open("rb") as handle:
        data = handle.read()
    return data, detect_format(doc.original_name or doc.file.name, data)


def ingest_document(document_id: int) -> Document:
    """Extract, chunk and index one document; READY only once everything is in place."""
    doc = Document.objects.get(pk=document_id)
    Document.objects.filter(pk=doc.pk).update(
        status=Document.Status.PROCESSING, error="", progress_done=0
    )
    try:
        data, kind = _load_bytes(doc)
        sections = READERS[kind](data, _progress(doc))
        drafts = chunk_sections(sections)
        if not drafts:
            raise IngestError(
                _(
                    "No text found in this document (a scanned PDF holds only images: "
                    "ask for a PDF with text, or an accessible version)."
                )
            )
        _publish(doc, drafts)
    except IngestError as exc:
        _fail(doc, str(exc))
    except SoftTimeLimitExceeded:  # a hostile or broken file kept a worker busy too long
        log.warning("Ingestion of document %s stopped: over its time limit", doc.pk)
        _fail(
            doc,
            _(
                "Reading this document took too long and was stopped. The file may be "
                "damaged or unusually complex: try saving it again as PDF, or split it."
            ),
        )
    except Exception:
        log.exception("Ingestion of document %s failed", doc.pk)
        _fail(doc, _("Unexpected error while reading this document; the team has the details."))
    doc.refresh_from_db()
    return doc


def _fail(doc: Document, reason: str) -> None:
    Document.objects.filter(pk=doc.pk).update(status=Document.Status.FAILED, error=reason)


def _publish(doc: Document, drafts) -> None:
    """Swap the document's chunks and index rows, mark READY and retire what it replaces,
    all in one transaction: searches see the old state or the new one, never a mix."""
    backend = backend_for(connection)
    with transaction.atomic():
        old = list(doc.chunks.values_list("pk", flat=True))
        if old:
            backend.remove(connection, old)
            doc.chunks.all().delete()
        chunks = Chunk.objects.bulk_create(
            Chunk(
                document=doc,
                position=i,
                heading=d.heading[:500],
                page=d.page,
                text=d.text,
                token_count=d.tokens,
            )
            for i, d in enumerate(drafts)
        )
        backend.add(connection, [(c.pk, index_terms(doc.title, c.heading, c.text)) for c in chunks])
        total = Document.objects.get(pk=doc.pk).progress_total or len(drafts)
        Document.objects.filter(pk=doc.pk).update(
            status=Document.Status.READY, error="", progress_done=total, progress_total=total
        )
        if doc.replaces_id:
            retire(Document.objects.get(pk=doc.replaces_id), backend)


def retire(doc: Document, backend=None) -> None:
    """Take a document offline: its chunks leave the index; the file stays on record."""
    backend = backend or backend_for(connection)
    with transaction.atomic():
        ids = list(doc.chunks.values_list("pk", flat=True))
        if ids:
            backend.remove(connection, ids)
            doc.chunks.all().delete()
        Document.objects.filter(pk=doc.pk).update(status=Document.Status.RETIRED)
