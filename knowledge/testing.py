"""Helpers that build real documents (PDF, DOCX) and ingest them, for tests and benchmarks."""

import datetime as dt
import io

from django.core.files.base import ContentFile

from .ingest import content_hash, ingest_document
from .models import Document


def make_pdf(pages: list[str], password: str | None = None) -> bytes:
    """A PDF with one page per string (Latin-1 text, Helvetica); optionally encrypted."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(auto=False)
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 5, text.encode("latin-1", "replace").decode("latin-1"))
        else:
            pdf.rect(20, 20, 100, 100, style="F")  # a "scanned" page: drawing, no text
    data = bytes(pdf.output())
    if password is None:
        return data
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(blocks: list[tuple[str, str]]) -> bytes:
    """A .docx from (style, text) pairs: style 'h1'..'h3' for headings, 'p' for paragraphs."""
    import docx

    document = docx.Document()
    for style, text in blocks:
        if style.startswith("h"):
            document.add_heading(text, level=int(style[1]))
        else:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def add_document(data: bytes, name: str, *, title: str = "", ingest: bool = True, **fields):
    """Store a document as the upload form does, then ingest it (synchronously)."""
    fields.setdefault("published_on", dt.date(2026, 11, 1))
    doc = Document(
        title=title or name, content_hash=content_hash(data), original_name=name, **fields
    )
    doc.file.save(name, ContentFile(data), save=True)
    return ingest_document(doc.pk) if ingest else doc
