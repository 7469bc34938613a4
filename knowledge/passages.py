"""A cited passage in its context, for the chat's source panel: GET
/documents/<pk>/passages/<chunk_id> -> JSON with the document's title, date and page, links to
the PDF at that page or to the town's web page, and the section around the passage rendered
to sanitised HTML with the passage marked.

Markdown, HTML and Word documents are rendered from their stored chunks (already without
front matter) with markdown-it, raw HTML in them escaped; a PDF section's printed lines are
put back into paragraphs across its chunks as the offline answerer reads them
(knowledge.units.pdf_lines, headings left as lines: nothing is dropped but running headers and
page footers), bulleted lines as a list, the cited chunk's paragraphs marked whole.
Everything goes through nh3 with a short list of tags, and only absolute http(s), mailto and
tel links survive, so the chat can insert the HTML as it is. Who may read it: as for the
document's file (views.may_read_document): READY documents valid today.
"""

import html
import re

import nh3
from django.http import JsonResponse
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from markdown_it import MarkdownIt

from .models import Chunk, Document
from .units import SYMBOL_BULLET, pdf_lines, printed_lines
from .views import may_read_document

# Chunks shown before and after the cited one, within its section (same heading and page):
# about 200 tokens each, so the panel holds one to two screens of context.
CONTEXT_CHUNKS = 2
TAGS = {
    "p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "a", "h3", "h4", "h5", "h6",
    "blockquote",
    "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "hr", "del",
}  # fmt: skip
HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$", re.MULTILINE)
SHIFT = re.compile(r"<(/?)h([1-6])>")
LINK = re.compile(r"^(?:https?:|mailto:|tel:)", re.IGNORECASE)
_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _keep_absolute_links(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if LINK.match(value.strip()) else None
    return value


def sanitise(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}},
        attribute_filter=_keep_absolute_links,
        link_rel="noopener noreferrer nofollow",
    )


def _heading_line(match: re.Match, title: str) -> str:
    """A heading inside a chunk (two short sections merged: "## Doc > Section") as a path
    without the document's title."""
    return f"{match.group(1)} {heading_path(match.group(2), title)}"


def render_text(text: str, plain: bool, title: str = "", width: int = 0) -> str:
    """A chunk's text as sanitised HTML: Markdown, or a PDF page's lines as paragraphs
    (knowledge.units.pdf_lines; `width`, the page's longest line, when the chunk is only part
    of it). Markdown headings go two levels down: the panel's own title is the h2."""
    if plain:
        rendered = _pdf_html(pdf_lines(text, title, width, headings=False))
    else:
        text = HEADING.sub(lambda m: _heading_line(m, title), text)
        rendered = SHIFT.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + 2)}>", _markdown.render(text))
    return sanitise(rendered)


def _pdf_html(paragraphs: list[str]) -> str:
    """A PDF page's paragraphs as HTML: a run of bulleted lines ("- ", "• ") is a list, its
    marks dropped (a numbered line stays a paragraph: in PDF text "5) et" may be a wrapped
    "(page 5)")."""
    out, items = [], []
    for paragraph in [*paragraphs, ""]:
        bullet = SYMBOL_BULLET.match(paragraph)
        if bullet:
            items.append(f"<li>{html.escape(paragraph[bullet.end() :])}</li>")
            continue
        if items:
            out.append(f"<ul>{''.join(items)}</ul>")
            items = []
        if paragraph:
            out.append(f"<p>{html.escape(paragraph)}</p>")
    return "".join(out)


def section_of(chunk: Chunk) -> list[Chunk]:
    """The cited chunk and its neighbours under the same heading on the same page."""
    return list(
        Chunk.objects.filter(
            document_id=chunk.document_id,
            heading=chunk.heading,
            page=chunk.page,
            position__gte=chunk.position - CONTEXT_CHUNKS,
            position__lte=chunk.position + CONTEXT_CHUNKS,
        ).order_by("position")
    )


def passage_html(chunk: Chunk, plain: bool, title: str = "") -> str:
    """The section's HTML, the cited chunk inside a marked block, its start and end said to
    screen readers (the highlight alone is only seen)."""
    nearby = section_of(chunk)
    if plain:
        runs = _pdf_runs(nearby, chunk.pk, title)
        if runs:
            before, hit, after = (sanitise(_pdf_html(run)) for run in runs)
            return before + _hit_block(hit) + after
    width = _page_width(nearby) if plain else 0
    return "".join(
        _hit_block(body) if near.pk == chunk.pk else body
        for near, body in ((n, render_text(n.text, plain, title, width)) for n in nearby)
    )


def _hit_block(body: str) -> str:
    start = html.escape(_("Start of the cited passage."))
    end = html.escape(_("End of the cited passage."))
    return (
        f'<div class="passage-hit" id="passage-hit" tabindex="-1">'
        f'<p class="visually-hidden">{start}</p>{body}'
        f'<p class="visually-hidden">{end}</p></div>'
    )


def _page_width(nearby: list[Chunk]) -> int:
    """A PDF page's longest line, as knowledge.units.pdf_lines measures one chunk's."""
    return max((len(" ".join(ln.split())) for c in nearby for ln in c.text.splitlines()), default=0)


def _pdf_runs(nearby: list[Chunk], cited: int, title: str):
    """A PDF section's paragraphs put back together across its chunks (a chunk may begin in
    the middle of a printed sentence), split into those before the cited chunk, those holding
    its lines and those after; None when no paragraph can be traced to it."""
    lines = [(line, c.pk) for c in nearby for line in printed_lines(c.text, title)]
    joined = "\n".join(line for line, _ in lines)
    paragraphs = pdf_lines(joined, title, headings=False)  # measured on the whole section
    owners = _owners(paragraphs, lines)
    hits = [i for i, chunks in enumerate(owners or []) if cited in chunks]
    if not hits:
        return None
    return paragraphs[: hits[0]], paragraphs[hits[0] : hits[-1] + 1], paragraphs[hits[-1] + 1 :]


def _owners(paragraphs: list[str], lines: list[tuple[str, int]]) -> list[set[int]] | None:
    """The chunks whose printed lines make each paragraph (pdf_lines only joins the lines it
    is given, with a space or, after a hyphen, nothing); None if a paragraph is not made of
    the next lines in order (then the panel shows the chunks as they are)."""
    owners, i = [], 0
    for paragraph in paragraphs:
        rest, found = paragraph, set()
        while rest:
            if i == len(lines) or not rest.startswith(lines[i][0]):
                return None
            found.add(lines[i][1])
            rest = rest[len(lines[i][0]) :].lstrip()
            i += 1
        owners.append(found)
    return owners


def heading_path(heading: str, title: str) -> str:
    """A heading path as "Collecte des déchets › Calendrier", without the document's title."""
    parts = [p.strip() for p in heading.split(" > ") if p.strip()]
    if parts and parts[0] == title.strip():
        parts = parts[1:]
    return " › ".join(parts)


def links_of(doc: Document, page: int | None) -> dict:
    pdf = ""
    if doc.file and doc.is_pdf:
        pdf = reverse("document-file", args=[doc.pk]) + (f"#page={page}" if page else "")
    web = doc.source_url if doc.source_url.lower().startswith(("https:", "http:")) else ""
    return {"pdf_url": pdf, "web_url": web}


@require_GET
def passage(request, pk: int, chunk_id: int):
    chunk = Chunk.objects.select_related("document").filter(pk=chunk_id, document_id=pk).first()
    if chunk is None or not may_read_document(request, chunk.document):
        message = _(
            "This passage is no longer available: the document may have been updated or withdrawn."
        )
        return JsonResponse({"error": "gone", "message": message}, status=404)
    doc = chunk.document
    response = JsonResponse(
        {
            "title": doc.title,
            "heading": heading_path(chunk.heading, doc.title),
            "date": formats.date_format(doc.published_on, "DATE_FORMAT"),
            "page": chunk.page,
            **links_of(doc, chunk.page),
            "html": passage_html(chunk, plain=doc.is_pdf, title=doc.title),
        }
    )
    response["Cache-Control"] = "private, max-age=300"
    return response
