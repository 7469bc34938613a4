"""Read each supported format into sections (heading path, text, page), or a clear reason."""

import codecs
import copy
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils.translation import gettext as _

HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
Progress = Callable[[int, int], None]


class IngestError(Exception):
    """A reason, fit for the comms team, why a document cannot be ingested."""


@dataclass
class Section:
    heading: str
    text: str
    page: int | None = None


def _noop(done: int, total: int) -> None:
    pass


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a leading '---' block of `key: value` lines (comments after #) from the body."""
    if not text.startswith("---"):
        return {}, text
    head, sep, body = text[3:].partition("\n---")
    if not sep:
        return {}, text
    meta = {}
    for line in head.strip().splitlines():
        key, colon, value = line.partition(":")
        if colon:
            value = re.sub(r"\s+#.*$", "", value).strip().strip("\"'")
            meta[key.strip()] = value
    return meta, body.split("\n", 1)[1] if "\n" in body else ""


def markdown_sections(text: str, page: int | None = None) -> list[Section]:
    """Sections following '#' headings; each keeps its heading path ('A > B')."""
    sections, path, buf = [], [], []

    def flush():
        content = "\n".join(buf).strip()
        if content:
            sections.append(Section(" > ".join(path), content, page))
        buf.clear()

    for line in text.splitlines():
        match = HEADING.match(line)
        if match:
            flush()
            level = len(match.group(1))
            path[:] = [*path[: level - 1], match.group(2).strip("# ").strip()]
        else:
            buf.append(line)
    flush()
    return sections


def decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(_("The text file is not readable (unknown character encoding)."))


def read_markdown(data: bytes, progress: Progress = _noop) -> list[Section]:
    _meta, body = parse_front_matter(decode_text(data).replace("\r\n", "\n"))
    progress(1, 1)
    return markdown_sections(body)


def read_pdf(data: bytes, progress: Progress = _noop) -> list[Section]:
    """One or more sections per page, page numbers kept (1-based)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(
                _("This PDF is protected by a password. Export a copy without protection.")
            )
        total = len(reader.pages)
    except IngestError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(_("This PDF file is damaged or is not really a PDF.")) from exc
    sections = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = page.extract_text() or ""
        except SoftTimeLimitExceeded:  # the task's time is up: not a damaged page
            raise
        except Exception as exc:  # noqa: BLE001 - pypdf raises many types on broken pages
            raise IngestError(_("Page %(n)d of this PDF is damaged.") % {"n": number}) from exc
        text = re.sub(r"[ \t]+\n", "\n", text).strip()
        if text:
            sections.append(Section("", text, number))
        progress(number, total)
    return sections


# A published PDF opens in the browser's own viewer, on the site's address, and Chromium's
# viewer runs a PDF's JavaScript whatever the response's Content-Security-Policy says (its
# scripts are not the page's; tests/security/test_pdf_scripts_browser.py). So every PDF is
# rewritten at ingestion without scripts or actions beyond links within it or to the web,
# and marked: knowledge.views serves an unmarked PDF (published before) only as a download.
NO_SCRIPTS_MARK = b"%arcachat-no-scripts\n"  # after %%EOF, where readers ignore it
KEPT_ACTIONS = {"/GoTo", "/URI", "/Named"}  # a page of the document, a web link, next page…
SAFE_LINK = re.compile(r"^(https?:|mailto:|tel:)", re.IGNORECASE)


def _safe_action(action) -> bool:
    action = action.get_object()
    if not hasattr(action, "get") or action.get("/S") not in KEPT_ACTIONS:
        return False
    target = str(action.get("/URI", "")) if action.get("/S") == "/URI" else ""
    return not target or bool(SAFE_LINK.match(target))


def _strip_scripts(dictionary) -> None:
    """Remove from one PDF dictionary every script, automatic or chained action, embedded
    file and XFA form; keep link actions that are safe (the action itself, not its /Next)."""
    for key in ("/AA", "/JS", "/JavaScript", "/EmbeddedFiles", "/XFA"):
        dictionary.pop(key, None)
    if "/S" in dictionary:  # an action: what it chains to goes (an outline's /Next stays)
        dictionary.pop("/Next", None)
    for key in ("/A", "/OpenAction"):
        value = dictionary.get(key)
        is_action = value is not None and hasattr(value.get_object(), "get")
        if is_action and not _safe_action(value):  # a destination (page, zoom) stays
            del dictionary[key]


def strip_pdf_scripts(data: bytes) -> bytes:
    """The PDF rewritten without scripts or actions (see above), then marked."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    stack, seen = [writer.root_object], set()
    while stack:  # every object reachable from the catalog, once
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if obj.idnum in seen:
                continue
            seen.add(obj.idnum)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            _strip_scripts(obj)
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    stripped, out = io.BytesIO(), io.BytesIO()
    writer.write(stripped)
    # Cloned once more: only what the catalog still reaches is written (no orphan script).
    PdfWriter(clone_from=PdfReader(stripped)).write(out)
    return out.getvalue() + b"\n" + NO_SCRIPTS_MARK


DROP_TAGS = (
    "nav",
    "header",
    "footer",
    "script",
    "style",
    "aside",
    "noscript",
    "form",
    "iframe",
    "svg",
    "template",
    "button",
)
BLOCKS = ("p", "li", "td", "th", "dd", "dt", "blockquote", "pre", "figcaption", "address")


_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
# As browsers do: these labels mean windows-1252 on the web (a superset of Latin-1).
_WEB_LATIN = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii"}


def charset_of(content_type: str) -> str | None:
    """The charset a Content-Type header names, if Python knows it."""
    match = _CHARSET.search(content_type or "")
    if not match:
        return None
    label = match.group(1).lower()
    if label in _WEB_LATIN:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def parse_html(data: bytes, charset: str | None):
    """The page's tree. Its encoding: a UTF-8 byte order mark, else the HTTP header's
    charset, else UTF-8 when the bytes are valid UTF-8, else what lxml finds (meta tag)."""
    import lxml.html

    if data.startswith(codecs.BOM_UTF8):
        charset = "utf-8"
    if charset is None:
        try:
            data.decode("utf-8")
            charset = "utf-8"
        except UnicodeDecodeError:
            return lxml.html.document_fromstring(data)
    # Decoded here (a wrong header gives replacement marks, not a page cut short), then
    # handed to lxml as UTF-8 with that encoding forced over any <meta charset>.
    data = data.decode(charset, errors="replace").encode("utf-8")
    return lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))


def html_to_markdown(data: bytes, charset: str | None = None) -> tuple[str, str]:
    """Main content of a page as Markdown-ish text (headings kept), and the page title.
    `charset`: the one named by the HTTP Content-Type header, if any."""
    from lxml.etree import ParserError

    try:
        root = parse_html(data, charset)
    except (ParserError, ValueError) as exc:
        raise IngestError(_("This web page could not be read (no HTML content).")) from exc
    title = (root.findtext(".//title") or "").strip()
    for element in root.xpath("|".join(f"//{tag}" for tag in DROP_TAGS)):
        element.drop_tree()
    main = (
        root.xpath("//main")
        or root.xpath("//*[@role='main']")
        or root.xpath("//article")
        or root.xpath("//body")
        or [root]
    )[0]
    lines = []
    for element in main.iter("h1", "h2", "h3", "h4", "h5", "h6", *BLOCKS):
        if element.tag in BLOCKS and any(a.tag in BLOCKS for a in element.iterancestors()):
            continue
        text = " ".join(element.text_content().split())
        if not text:
            continue
        if element.tag.startswith("h") and len(element.tag) == 2:
            lines.append(f"\n{'#' * int(element.tag[1])} {text}\n")
        else:
            lines.append(("- " if element.tag == "li" else "") + text + "\n")
    if not lines:
        text = " ".join(main.text_content().split())
        lines = [text] if text else []
    return "\n".join(lines), title


def read_html(data: bytes, progress: Progress = _noop, charset: str | None = None) -> list[Section]:
    text, _title = html_to_markdown(data, charset)
    progress(1, 1)
    return markdown_sections(text)


def _too_big() -> IngestError:
    return IngestError(
        _("This Word file would expand to more than %(mb)d MB: refused for safety.")
        % {"mb": settings.KNOWLEDGE_MAX_UNCOMPRESSED_MB}
    )


def _damaged() -> IngestError:
    return IngestError(_("This Word file is damaged or is not a .docx file."))


def check_zip(data: bytes) -> None:
    """Refuse archives that would expand past the limit (zip bombs) before parsing.

    The sizes an archive declares can lie, and zipfile's `read()` inflates a member's whole
    stream in one go before cutting it to the declared size: a small file could take
    gigabytes of memory. So every member is also inflated here, 1 MB at a time, reading past
    its declared size, and must come out no larger than declared and within the limit.
    """
    limit = settings.KNOWLEDGE_MAX_UNCOMPRESSED_MB * 1024 * 1024
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > 5000 or sum(m.file_size for m in members) > limit:
                raise _too_big()
            total = 0
            for member in members:
                probe = copy.copy(member)
                probe.file_size = limit + 1  # read on if the declared size is a lie
                size = 0
                with archive.open(probe) as stream:
                    while chunk := stream.read(1 << 20):
                        size += len(chunk)
                        if total + size > limit:
                            raise _too_big()
                        if size > member.file_size:
                            raise _damaged()
                total += size
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise _damaged() from exc


def read_docx(data: bytes, progress: Progress = _noop) -> list[Section]:
    """Paragraphs with heading styles ('Heading N', 'Titre N', 'Title') become headings."""
    check_zip(data)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except SoftTimeLimitExceeded:  # the task's time is up: not a damaged file
        raise
    except Exception as exc:  # noqa: BLE001 - python-docx raises KeyError, ValueError...
        raise IngestError(_("This Word file is damaged or is not a .docx file.")) from exc
    lines = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = re.match(r"^(?:heading|titre)\s*(\d)$", style.strip(), re.IGNORECASE)
        if level:
            lines.append(f"\n{'#' * int(level.group(1))} {text}\n")
        elif style.lower() == "title":
            lines.append(f"\n# {text}\n")
        else:
            lines.append(text + "\n")
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
            if cells:
                lines.append(" | ".join(dict.fromkeys(cells)) + "\n")
    progress(1, 1)
    return markdown_sections("\n".join(lines))


READERS = {
    "pdf": read_pdf,
    "docx": read_docx,
    "html": read_html,
    "markdown": read_markdown,
    "text": read_markdown,
}
