"""Real documents (PDF, DOCX, data: URLs) and their ingestion, for tests and benchmarks."""

import base64
import datetime as dt
import io
import zlib

from django.core.files.base import ContentFile
from django.utils import timezone

from knowledge.ingest import content_hash, ingest_document
from knowledge.models import Document

# The town's magazine of the `town` fixture: two pages the answers and extracts quote.
MARKET = [
    "Le marché a lieu le samedi matin place du Port, de 8 h à 13 h.",
    "La mairie est ouverte du lundi au vendredi de 9 h à 17 h.",
]


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


def pdf_with_pages(contents: list[bytes]) -> bytes:
    """A PDF with one page per (already deflated) content stream, Helvetica as font F1."""
    count = len(contents)
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, stream in enumerate(contents):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>" % (5 + 2 * i)
        )
        head = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        objects.append(head + stream + b"\nendstream")
    out = io.BytesIO(b"%PDF-1.4\n")
    out.seek(0, io.SEEK_END)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def blank_text_pdf(pages: int = 3, operators: int = 450_000) -> bytes:
    """Issue 13's slow PDF: each page's stream holds `operators` text operators drawing
    nothing (empty strings, kerning-only arrays); ~30 KB for 3 pages, tens of seconds of
    CPU for a reader without limits."""
    body = b"() Tj [-1 -1] TJ " * (operators // 2)
    stream = zlib.compress(b"BT /F1 12 Tf " + body + b"ET", 9)
    return pdf_with_pages([stream] * pages)


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


def data_url(mime: str, raw: bytes) -> str:
    """An attachment as the chat page sends it."""
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


def add_document(data: bytes, name: str, *, title: str = "", ingest: bool = True, **fields):
    """Store a document as the upload form does, then ingest it (synchronously)."""
    fields.setdefault("published_on", dt.date(2026, 11, 1))
    doc = Document(
        title=title or name, content_hash=content_hash(data), original_name=name, **fields
    )
    doc.file.save(name, ContentFile(data), save=True)
    return ingest_document(doc.pk) if ingest else doc


def add_pdf_document(title: str, pages: list[str]):
    """A town magazine published today, one page per string, read and ready to be quoted."""
    doc = add_document(
        make_pdf(pages),
        "magazine.pdf",
        title=title,
        kind="magazine",
        published_on=timezone.localdate(),
    )
    assert doc.status == Document.Status.READY, doc.error
    return doc
