"""Comms pages: documents (list, upload, preview, retire, delete), prompt editor, playground."""

import re
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.roles import ADMINS, COMMS, has_role, role_required

from .costs import estimate_cost
from .extract import IngestError
from .forms import PromptForm, QuestionForm, UploadForm
from .ingest import (
    check_size,
    content_hash,
    detect_format,
    duplicate_message,
    find_duplicate,
    retire,
)
from .models import Document, PromptTemplate
from .prompt import active_template, assemble
from .tasks import start_ingestion

comms_only = role_required(COMMS, ADMINS)


@comms_only
@require_GET
def document_list(request):
    documents = Document.objects.filter(site_page__isnull=True)  # sites: on their own pages
    documents = documents.select_related("replaces").order_by("-created_at")[:500]
    return render(request, "knowledge/documents.html", {"documents": documents})


@comms_only
@require_GET
def document_status(request):
    """JSON polled by static/js/knowledge-status.js while documents are being processed."""
    ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.isdigit()][:200]
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


def _title_for(base: str, name: str, several: bool) -> str:
    stem = PurePath(name).stem.replace("_", " ").replace("-", " ").strip() or name
    if not base:
        return stem[:300]
    return f"{base} – {stem}"[:300] if several else base


def _create(request, form, **fields) -> Document:
    data = form.cleaned_data
    doc = Document(
        kind=data["kind"],
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
            title = _title_for(form.cleaned_data["title"], name, len(files) > 1)
            doc = _create(request, form, title=title, content_hash=digest, original_name=name)
            upload_file.seek(0)
            doc.file.save(name, upload_file, save=True)
            accepted.append(doc)
        if form.cleaned_data["url"]:
            url = form.cleaned_data["url"]
            doc = _create(request, form, title=form.cleaned_data["title"] or url, source_url=url)
            doc.save()
            accepted.append(doc)
        for doc in accepted:
            transaction.on_commit(lambda pk=doc.pk: start_ingestion(pk))
        if accepted:
            messages.success(
                request,
                _("%(n)d document(s) added; reading them now.") % {"n": len(accepted)},
            )
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
@require_POST
def document_retire(request, pk):
    doc = get_object_or_404(Document, pk=pk)
    retire(doc)
    messages.success(request, _("“%(title)s” is no longer used for answers.") % {"title": doc})
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


@comms_only
def prompt_edit(request):
    current = active_template()
    form = PromptForm(
        request.POST or None, instance=PromptTemplate(text=current.text, contact=current.contact)
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            PromptTemplate.objects.filter(is_active=True).update(is_active=False)
            version = form.save(commit=False)
            version.author = request.user
            version.is_active = True
            version.save()
        messages.success(request, _("The system prompt was saved (new version)."))
        return redirect("knowledge:prompt")
    history = PromptTemplate.objects.select_related("author")[:30]
    return render(request, "knowledge/prompt.html", {"form": form, "history": history})


@comms_only
def playground(request):
    form = QuestionForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        today = form.cleaned_data.get("today") or timezone.localdate()
        prompt = assemble(form.cleaned_data["question"], [], today)
        tokens = prompt.input_tokens_estimate()
        result = {
            "prompt": prompt,
            "tokens": tokens,
            "cost": estimate_cost(tokens, prompt.max_output_tokens),
        }
    return render(request, "knowledge/playground.html", {"form": form, "result": result})


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
# run in a sandboxed document: no `sandbox` for them, but nothing else may load or run.
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


@require_GET
def document_file(request, pk):
    """The original file of a document; only PDF and plain text open in the browser.

    Uploaded HTML and anything else is a download (application/octet-stream), never a page
    of this site.
    """
    doc = get_object_or_404(Document, pk=pk)
    if not doc.file or not may_read_document(request, doc):
        raise Http404
    name = doc.original_name or PurePath(doc.file.name).name
    suffix = PurePath(name).suffix.lower()
    inline = suffix in SAFE_INLINE
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
