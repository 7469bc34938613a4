"""Comms pages: documents (list, upload with a guessed title and kind, preview, retire with a
confirmation, restore, delete) and a document's file."""

import re
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from core.roles import ADMINS, COMMS, has_role, role_required

from .extract import NO_SCRIPTS_MARK, IngestError
from .forms import UploadForm
from .guess import guess
from .ingest import (
    check_size,
    content_hash,
    detect_format,
    duplicate_message,
    find_duplicate,
    retire,
)
from .models import Document
from .tasks import start_ingestion

comms_only = role_required(COMMS, ADMINS)


@comms_only
@require_GET
def document_list(request):
    documents = Document.objects.filter(site_page__isnull=True)  # sites: on their own pages
    documents = documents.select_related("replaces").order_by("-created_at")[:500]
    context = {"documents": documents, "today": timezone.localdate()}
    return render(request, "knowledge/documents.html", context)


@comms_only
@require_GET
def document_status(request):
    """JSON polled by static/js/knowledge-status.js while documents are being processed."""
    # Decimal digits only ("²" is a digit int() refuses), 18 at most (a database integer).
    raw = request.GET.get("ids", "").split(",")
    ids = [int(i) for i in raw if i.isdecimal() and len(i) <= 18][:200]
    rows = Document.objects.filter(pk__in=ids)
    return JsonResponse(
        {
            "documents": [
                {
                    "id": d.pk,
                    "status": d.status,
                    "status_label": str(d.get_status_display()),
                    "done": d.progress_done,
                    "total": d.progress_total,
                    "percent": d.progress_percent,
                    "error": d.error,
                    "chunks": d.chunks.count(),
                }
                for d in rows
            ]
        }
    )


def _title_for(base: str, guessed: str, several: bool) -> str:
    if not base:
        return guessed[:300]
    return f"{base} – {guessed}"[:300] if several else base


@comms_only
@require_POST
def upload_guess(request):
    """JSON for static/js/upload-guess.js: the title and kind read from one chosen file."""
    upload_file = request.FILES.get("file")
    if upload_file is None:
        return JsonResponse({"error": _("No file.")}, status=400)
    name = PurePath(upload_file.name).name
    try:
        check_size(name, upload_file.size)
        return JsonResponse(guess(name, upload_file.read()))
    except IngestError as exc:
        return JsonResponse({"error": str(exc)}, status=400)


def _create(request, form, kind: str = "", **fields) -> Document:
    data = form.cleaned_data
    doc = Document(
        kind=data["kind"] or kind or Document.Kind.OTHER,
        published_on=data["published_on"],
        valid_from=data.get("valid_from"),
        valid_until=data.get("valid_until"),
        replaces=data.get("replaces"),
        uploaded_by=request.user,
        **fields,
    )
    return doc


@comms_only
def upload(request):
    form = UploadForm(
        request.POST or None, request.FILES or None, initial={"published_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["files"]
        accepted = []
        for upload_file in files:
            name = PurePath(upload_file.name).name
            try:
                check_size(name, upload_file.size)
                data = upload_file.read()
                detect_format(name, data)
                digest = content_hash(data)
                other = find_duplicate(digest)
                if other is not None:
                    raise IngestError(duplicate_message(name, other))
            except IngestError as exc:
                messages.error(request, str(exc))
                continue
            guessed = guess(name, data)
            title = _title_for(form.cleaned_data["title"], guessed["title"], len(files) > 1)
            doc = _create(
                request,
                form,
                guessed["kind"],
                title=title,
                content_hash=digest,
                original_name=name,
            )
            upload_file.seek(0)
            doc.file.save(name, upload_file, save=True)
            accepted.append(doc)
        if form.cleaned_data["url"]:
            url = form.cleaned_data["url"]
            doc = _create(
                request,
                form,
                Document.Kind.WEB_PAGE,
                title=form.cleaned_data["title"] or url,
                source_url=url,
            )
            doc.save()
            accepted.append(doc)
        for doc in accepted:
            transaction.on_commit(lambda pk=doc.pk: start_ingestion(pk))
        if accepted:
            text = ngettext(
                "%(n)d document added. Its state is shown in the list below and updates by itself.",
                "%(n)d documents added. Their state is shown in the list below and updates by "
                "itself.",
                len(accepted),
            )
            messages.success(request, text % {"n": len(accepted)})
            return redirect("knowledge:documents")
    context = {"form": form, "max_mb": settings.KNOWLEDGE_MAX_UPLOAD_MB}
    return render(request, "knowledge/upload.html", context)


@comms_only
@require_GET
def document_detail(request, pk):
    doc = get_object_or_404(Document, pk=pk)
    chunks = doc.chunks.all()[:300]
    return render(request, "knowledge/document.html", {"doc": doc, "chunks": chunks})


@comms_only
def document_retire(request, pk):
    """GET: ask for confirmation; POST: the document's passages leave the index (the file
    stays, so it can be restored)."""
    doc = get_object_or_404(Document, pk=pk)
    if request.method != "POST":
        return render(request, "knowledge/retire.html", {"doc": doc})
    retire(doc)
    messages.success(
        request,
        _("“%(title)s” is no longer used for answers. You can restore it from the list.")
        % {"title": doc},
    )
    return redirect("knowledge:documents")


@comms_only
@require_POST
def document_restore(request, pk):
    """A retired document is read again from its file (or address) and used again."""
    doc = get_object_or_404(Document, pk=pk, status=Document.Status.RETIRED)
    Document.objects.filter(pk=doc.pk).update(
        status=Document.Status.PENDING, progress_done=0, progress_total=0, error=""
    )
    transaction.on_commit(lambda: start_ingestion(doc.pk))
    messages.success(
        request, _("“%(title)s” is being read again; it will be used once ready.") % {"title": doc}
    )
    return redirect("knowledge:documents")


@comms_only
@require_POST
def document_delete(request, pk):
    doc = get_object_or_404(Document, pk=pk)
    title = doc.title
    with transaction.atomic():
        retire(doc)
        stored = doc.file.name
        doc.delete()
    if stored:
        transaction.on_commit(lambda: doc.file.storage.delete(stored))
    messages.success(request, _("“%(title)s” was deleted.") % {"title": title})
    return redirect("knowledge:documents")


SAFE_INLINE = {".pdf": "application/pdf", ".txt": "text/plain", ".md": "text/plain"}


def may_read_document(request, doc: Document) -> bool:
    """Who may open a document's file (swap this guard to require a resident session).

    Choice: a town's documents are public information, so READY, non-expired documents are
    served to anyone who has the link (residents follow it from cited sources); the comms
    team and admins may also open documents that are processing, failed or retired.
    """
    if has_role(request.user, COMMS, ADMINS):
        return True
    return Document.objects.servable().filter(pk=doc.pk).exists()


# PDFs open in the browser's own viewer, which Safari (and some Chromium versions) refuse to
# run in a sandboxed document: no `sandbox` for them, but nothing else may load or run. No
# header stops the viewer's own PDF scripts (Chromium 156 runs them under `sandbox` too):
# only a PDF rewritten without scripts at ingestion (its end marked) opens in the browser.
PDF_POLICY = (
    "default-src 'none'; object-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
# Everything else (plain text, downloads) is also sandboxed: a unique origin, no script.
SANDBOX_POLICY = (
    "sandbox; default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _safe_filename(name: str, suffix: str) -> str:
    """A file name fit for Content-Disposition: letters, digits, spaces, . - _ ( ) only."""
    stem = re.sub(r"[^\w .()-]+", "_", PurePath(name).stem, flags=re.UNICODE)
    stem = re.sub(r"[_ ]{2,}", "_", stem).strip(" ._")[:100] or "document"
    return stem + (suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else "")


def _without_scripts(doc: Document) -> bool:
    """The stored PDF is the copy ingestion rewrote without scripts (its marked end)."""
    with doc.file.open("rb") as handle:
        handle.seek(max(0, doc.file.size - 64))
        return NO_SCRIPTS_MARK in handle.read()


@require_GET
def document_file(request, pk):
    """The original file of a document; only PDF and plain text open in the browser.

    Uploaded HTML and anything else is a download (application/octet-stream), never a page
    of this site; so is a PDF that ingestion did not rewrite without scripts.
    """
    doc = get_object_or_404(Document, pk=pk)
    if not doc.file or not may_read_document(request, doc):
        raise Http404
    name = doc.original_name or PurePath(doc.file.name).name
    suffix = PurePath(name).suffix.lower()
    inline = suffix in SAFE_INLINE and (suffix != ".pdf" or _without_scripts(doc))
    content_type = "application/octet-stream"
    if inline:
        content_type = SAFE_INLINE[suffix] + ("; charset=utf-8" if suffix != ".pdf" else "")
    response = FileResponse(
        doc.file.open("rb"),
        as_attachment=not inline,
        filename=_safe_filename(name, suffix),
        content_type=content_type,
    )
    response["Content-Security-Policy"] = PDF_POLICY if suffix == ".pdf" else SANDBOX_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    return response
