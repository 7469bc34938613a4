"""Turn a document into searchable chunks, with progress; publish atomically or fail clearly."""

import datetime as dt
import hashlib
import io
import logging
import zipfile
from functools import partial
from pathlib import PurePath

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .chunking import chunk_sections
from .extract import READERS, IngestError, charset_of, html_to_markdown, strip_pdf_scripts
from .fetch import fetch_url
from .index import backend_for
from .models import Chunk, Document
from .retrieval import index_terms

log = logging.getLogger(__name__)
TOO_LONG = gettext_lazy(
    "Reading this document took too long and was stopped. The file may be "
    "damaged or unusually complex: try saving it again as PDF, or split it."
)
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
    """A document with the same content that is READY and in use or scheduled (not expired),
    or still being read; failed, retired and expired documents do not count."""
    today = timezone.localdate()
    in_use = models.Q(status=Document.Status.READY) & (
        models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=today)
    )
    reading = models.Q(status__in=[Document.Status.PENDING, Document.Status.PROCESSING])
    matches = Document.objects.filter(content_hash=digest).filter(in_use | reading)
    if exclude_pk is not None:
        matches = matches.exclude(pk=exclude_pk)
    ready = matches.filter(status=Document.Status.READY).order_by("-created_at").first()
    return ready or matches.order_by("-created_at").first()


def duplicate_message(name: str, other: Document) -> str:
    """Why a file is not added again; dates in the town's local time."""
    values = {"name": name, "title": other.title}
    if other.status != Document.Status.READY:
        return _("“%(name)s” is already being analysed as “%(title)s”: not added again.") % values
    if other.valid_from and other.valid_from > timezone.localdate():
        values["date"] = other.valid_from.strftime("%d/%m/%Y")
        return (
            _("“%(name)s” is already added as “%(title)s” (used from %(date)s): not added again.")
            % values
        )
    values["date"] = timezone.localtime(other.created_at).strftime("%d/%m/%Y")
    return (
        _("“%(name)s” is already online as “%(title)s” (added %(date)s): not added again.") % values
    )


def release_stale(now: dt.datetime | None = None) -> int:
    """Mark failed the documents left waiting or processing by a worker that died (hard time
    limit, out of memory, redeploy): nothing else would ever move them, and the same file
    could not be sent again. Returns how many were released."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.KNOWLEDGE_INGEST_SECONDS + 120)
    count = Document.objects.filter(
        status__in=[Document.Status.PENDING, Document.Status.PROCESSING], updated_at__lt=cutoff
    ).update(
        status=Document.Status.FAILED,
        error=_("The analysis was interrupted; please send the file again."),
        updated_at=now,
    )
    if count:
        log.warning("%d document(s) left waiting or processing were marked failed", count)
    return count


def _progress(doc: Document):
    def report(done: int, total: int) -> None:
        if done == total or done % 5 == 0:
            Document.objects.filter(pk=doc.pk).update(
                progress_done=done, progress_total=total, updated_at=timezone.now()
            )

    return report


def _is_word(data: bytes) -> bool:
    """A zip archive holding a Word document (its directory only is read, nothing inflated)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def sniff_kind(content_type: str, body: bytes) -> str:
    """The reader key for what a web address served, from its first bytes and Content-Type:
    a PDF, a Word document, or a web page (HTML or text); IngestError for anything else."""
    if body.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if body.startswith(b"PK\x03\x04") and _is_word(body):
        return "docx"
    mime = content_type.split(";", 1)[0].strip().lower()
    textual = mime.startswith("text/") or mime in ("application/xhtml+xml", "application/xml")
    markup = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"
    untyped = mime in ("", "application/octet-stream")
    binary = b"\x00" in body[:4096] or body.startswith(b"PK")  # images, archives...
    if not binary and (textual or (untyped and markup)):
        return "html"
    raise IngestError(
        _("This address leads neither to a web page, nor to a PDF, nor to a Word document.")
    )


SAVED_AS = {"pdf": "page.pdf", "docx": "page.docx", "html": "page.html"}


def _load_bytes(doc: Document) -> tuple[bytes, str]:
    """The document's bytes and reader key; a URL is fetched (and kept as a file) first."""
    if not doc.file and doc.source_url:
        page = fetch_url(doc.source_url)
        kind = sniff_kind(page.content_type, page.body)
        digest = content_hash(page.body)
        other = find_duplicate(digest, exclude_pk=doc.pk)
        if other is not None:
            raise IngestError(duplicate_message(doc.source_url, other))
        doc.content_type = page.content_type[:100]  # its charset is read again with the file
        if doc.title.strip() in ("", doc.source_url) and kind == "html":
            title = html_to_markdown(page.body, charset_of(doc.content_type))[1]
            doc.title = (title or doc.source_url)[:300]
        doc.content_hash = digest
        doc.file.save(SAVED_AS[kind], ContentFile(page.body), False)
        doc.original_name = doc.original_name or PurePath(doc.file.name).name
        doc.save(update_fields=["title", "content_hash", "file", "original_name", "content_type"])
        return page.body, kind
    with doc.file.open("rb") as handle:
        data = handle.read()
    return data, detect_format(doc.original_name or doc.file.name, data)


def _no_text(kind: str) -> str:
    """Why nothing was found, in the words of the document's format."""
    if kind == "pdf":
        return _(
            "No text found in this document (a scanned PDF holds only images: "
            "ask for a PDF with text, or an accessible version)."
        )
    if kind == "html":
        return _(
            "No text found on this web page (it is empty, or shows its text only through "
            "scripts): give the address of another page, or upload the document itself."
        )
    if kind == "docx":
        return _("No text found in this Word document (it is empty, or holds only images).")
    return _("No text found in this file (it is empty, or holds only titles).")


def ingest_document(document_id: int) -> Document:
    """Extract, chunk and index one document; READY only once everything is in place."""
    doc = Document.objects.get(pk=document_id)
    Document.objects.filter(pk=doc.pk).update(
        status=Document.Status.PROCESSING, error="", progress_done=0, updated_at=timezone.now()
    )
    try:
        data, kind = _load_bytes(doc)
        reader = READERS[kind]
        if kind == "html":
            reader = partial(reader, charset=charset_of(doc.content_type))
        drafts = chunk_sections(reader(data, _progress(doc)))
        if not drafts:
            raise IngestError(_no_text(kind))
        if kind == "pdf":
            _keep_without_scripts(doc, data)
        publish(doc, drafts)
    except IngestError as exc:
        _fail(doc, str(exc))
    except SoftTimeLimitExceeded:  # a hostile or broken file kept a worker busy too long
        log.warning("Ingestion of document %s stopped: over its time limit", doc.pk)
        _fail(doc, str(TOO_LONG))
    except Exception:
        log.exception("Ingestion of document %s failed", doc.pk)
        _fail(doc, _("Unexpected error while reading this document; the team has the details."))
    doc.refresh_from_db()
    return doc


def _keep_without_scripts(doc: Document, data: bytes) -> None:
    """Replace the stored PDF by its copy without scripts (knowledge.extract), the only one
    ever served inline."""
    try:
        clean = strip_pdf_scripts(data)
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf read it just now; writing it failed
        raise IngestError(_("This PDF file is damaged or is not really a PDF.")) from exc
    storage, name = doc.file.storage, doc.file.name
    storage.delete(name)
    doc.file.name = storage.save(name, ContentFile(clean))
    Document.objects.filter(pk=doc.pk).update(file=doc.file.name)


def _fail(doc: Document, reason: str) -> None:
    Document.objects.filter(pk=doc.pk).update(status=Document.Status.FAILED, error=reason)


def publish(doc: Document, drafts) -> None:
    """Swap the document's chunks and index rows, mark READY and retire (or end) what it
    replaces, all in one transaction: searches see the old state or the new one, never a mix.
    Terms and lead vectors are computed first: the transaction (on SQLite, the database's
    one write lock) lasts only as long as the writes."""
    backend = backend_for(connection)
    headings = [d.heading[:500] for d in drafts]
    terms = [index_terms(doc.title, h, d.text) for h, d in zip(headings, drafts, strict=True)]
    leads = backend.lead_vectors(list(enumerate(terms)))
    with transaction.atomic():
        old = list(doc.chunks.values_list("pk", flat=True))
        if old:
            backend.remove(connection, old)
            doc.chunks.all().delete()
        chunks = Chunk.objects.bulk_create(
            Chunk(
                document=doc,
                position=i,
                heading=headings[i],
                page=d.page,
                text=d.text,
                token_count=d.tokens,
            )
            for i, d in enumerate(drafts)
        )
        rows = [(c.pk, t) for c, t in zip(chunks, terms, strict=True)]
        backend.add(connection, rows, leads=leads)
        fresh = Document.objects.get(pk=doc.pk)
        total = fresh.progress_total or len(drafts)
        Document.objects.filter(pk=doc.pk).update(
            status=Document.Status.READY,
            error="",
            progress_done=total,
            progress_total=total,
            updated_at=timezone.now(),
        )
        if fresh.replaces_id:
            _hand_over(Document.objects.get(pk=fresh.replaces_id), fresh.valid_from, backend)


def reindex() -> int:
    """Index every passage again with the current analyzer, document by document (each in one
    transaction, lead vectors computed before it). A migration calls this when the analyzer
    changes (knowledge.analysis). Returns the number of passages indexed."""
    backend = backend_for(connection)
    done = 0
    for doc in Document.objects.filter(chunks__isnull=False).distinct().order_by("pk"):
        chunks = list(doc.chunks.order_by("position"))
        terms = [index_terms(doc.title, c.heading, c.text) for c in chunks]
        leads = backend.lead_vectors(list(enumerate(terms)))
        with transaction.atomic():
            backend.remove(connection, [c.pk for c in chunks])
            rows = [(c.pk, t) for c, t in zip(chunks, terms, strict=True)]
            backend.add(connection, rows, leads=leads)
        done += len(chunks)
    return done


def _hand_over(previous: Document, starts: dt.date | None, backend) -> None:
    """The new issue takes over from `previous`: at once, or, when it starts after today
    (town date), on its first day, `previous` staying in use until the day before."""
    if starts is None or starts <= timezone.localdate():
        retire(previous, backend)
        return
    until = starts - dt.timedelta(days=1)
    if previous.valid_until is not None and previous.valid_until < until:
        return  # it ends before the new issue starts anyway
    if previous.valid_from is not None and previous.valid_from > until:
        retire(previous, backend)  # no day left for it
        return
    Document.objects.filter(pk=previous.pk).update(valid_until=until, updated_at=timezone.now())


def retire(doc: Document, backend=None) -> None:
    """Take a document offline: its chunks leave the index; the file stays on record."""
    backend = backend or backend_for(connection)
    with transaction.atomic():
        ids = list(doc.chunks.values_list("pk", flat=True))
        if ids:
            backend.remove(connection, ids)
            doc.chunks.all().delete()
        Document.objects.filter(pk=doc.pk).update(status=Document.Status.RETIRED)
