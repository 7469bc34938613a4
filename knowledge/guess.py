"""Guess an uploaded file's title and kind, for the comms team to confirm before saving.

Title: an HTML page's <title> (else its first heading), a PDF's Title metadata (else the
first line of its first page), a Word file's Title property (else its first paragraph), a
Markdown file's front matter title or first heading, a text file's first line. Kind: words
of the title and the start of the text ("agenda", "magazine", "démarche"…), else a web page
for HTML and "other" for the rest. Nothing here is stored: the upload form shows it.
"""

from __future__ import annotations

import io
import re
import unicodedata
from contextlib import nullcontext
from pathlib import PurePath

from .extract import IngestError, decode_text, html_to_markdown, parse_front_matter
from .ingest import detect_format
from .models import Document

TITLE_CHARS = 300
LOOK_AT_CHARS = 3000  # the start of the text read for kind words
PDF_TOKENS = 100_000  # pypdf's parsing budget for the first page (~0.3 s; a dense page ~15,000)

# (kind, words in an accent-free lower-case title or opening) — the first match wins.
KIND_WORDS = (
    (Document.Kind.EVENTS_GUIDE, ("agenda", "programme", "animations", "sortir", "evenements")),
    (Document.Kind.MAGAZINE, ("magazine", "bulletin", "journal", "lettre d'information")),
    (Document.Kind.FAQ, ("faq", "questions frequentes", "foire aux questions")),
    (Document.Kind.PROCEDURE, ("demarche", "formulaire", "comment faire", "procedure", "dossier")),
)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _line(text: str) -> str:
    for line in text.splitlines():
        line = " ".join(line.strip().lstrip("#").split())
        if len(line) >= 3:
            return line[:TITLE_CHARS]
    return ""


def _first_heading(markdown: str) -> str:
    found = re.search(r"^#{1,3}\s+(.+)$", markdown, flags=re.M)
    return found.group(1).strip()[:TITLE_CHARS] if found else ""


def _pdf(data: bytes) -> tuple[str, str]:
    import pypdf

    # A title needs little of the first page: a page of operators that draw nothing would
    # otherwise hold the upload's request for many seconds (issue 13, item 10).
    limits = {"stream_parsing_work_maximum_count": PDF_TOKENS}
    budget = getattr(pypdf, "apply_configuration", None)
    with budget(**limits) if budget else nullcontext():
        reader = pypdf.PdfReader(io.BytesIO(data))
        title = ((reader.metadata or {}).get("/Title") or "").strip()
        first = reader.pages[0].extract_text() if reader.pages else ""
    return title or _line(first or ""), first or ""


def _docx(data: bytes) -> tuple[str, str]:
    import docx

    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs[:40])
    return (document.core_properties.title or "").strip() or _line(text), text


def _markdown(data: bytes) -> tuple[str, str]:
    meta, body = parse_front_matter(decode_text(data).replace("\r\n", "\n"))
    return (meta.get("title") or _first_heading(body) or _line(body)), body


def _html(data: bytes) -> tuple[str, str]:
    markdown, title = html_to_markdown(data)
    return title or _first_heading(markdown), markdown


READERS = {"pdf": _pdf, "docx": _docx, "markdown": _markdown, "html": _html}


def guess_kind(title: str, text: str, reader: str) -> str:
    words = _plain(f"{title}\n{text[:LOOK_AT_CHARS]}")
    for kind, markers in KIND_WORDS:
        if any(marker in words for marker in markers):
            return kind
    return Document.Kind.WEB_PAGE if reader == "html" else Document.Kind.OTHER


def guess(name: str, data: bytes) -> dict:
    """{"title", "kind", "kind_label", "from_file"}: from_file is False when only the file
    name could give a title. Raises IngestError for a file the site would refuse anyway."""
    reader = detect_format(name, data)
    try:
        title, text = READERS.get(reader, lambda raw: (_line(decode_text(raw)), ""))(data)
    except IngestError:
        raise
    except Exception:  # a damaged file: the upload itself will say what is wrong
        title, text = "", ""
    from_file = bool(title)
    if not title:
        title = PurePath(name).stem.replace("_", " ").replace("-", " ").strip()
    kind = guess_kind(title, text, reader)
    return {
        "title": " ".join(title.split())[:TITLE_CHARS],
        "kind": kind,
        "kind_label": str(Document.Kind(kind).label),
        "from_file": from_file,
    }
