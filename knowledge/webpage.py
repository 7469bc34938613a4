"""Read a synced web page: its main content (trafilatura), title, date and the links it holds.

trafilatura (maintained, offline: lxml and its own heuristics, no network) keeps the article
and leaves out navigation, footers, sidebars and cookie banners. `favor_precision` is used
because town pages are often short (opening hours, a table of fees): in its balanced mode the
menu of such a page was kept as text, in precision mode only the content (checked on pages
shaped like the test site's, see tests/sitekit.py).
"""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urljoin

from django.utils.translation import gettext as _

from .extract import IngestError, parse_front_matter, parse_html

# What trafilatura is asked for: Markdown (headings kept, so chunks keep their heading path),
# tables in, comments, links and images out; the date of the last change rather than the
# first publication, found in the page's metadata only (no guessing from its text).
EXTRACTION = {
    "output_format": "markdown",
    "with_metadata": True,
    "include_tables": True,
    "include_comments": False,
    "include_links": False,
    "include_images": False,
    "favor_precision": True,
    "date_extraction_params": {"extensive_search": False, "original_date": False},
}


@dataclass
class WebPage:
    title: str
    text: str  # Markdown
    date: dt.date | None = None
    links: list[str] = field(default_factory=list)  # absolute, in page order, not yet filtered


def links_of(root, url: str) -> list[str]:
    """The absolute addresses of the page's <a href> (rel="nofollow" ones left out)."""
    base = urljoin(url, (root.xpath("//base/@href") or [""])[0].strip())
    links = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or "nofollow" in (anchor.get("rel") or "").lower().split():
            continue
        try:
            links.append(urljoin(base, href))
        except ValueError:  # a malformed address (bad IPv6 literal...): not a link to follow
            continue
    return list(dict.fromkeys(links))


def _heading_title(root) -> str:
    return " ".join((root.xpath("string(//h1)") or "").split())


def read_web_page(body: bytes, url: str, charset: str | None = None) -> WebPage:
    """The page's main content as Markdown with its title (og:title, <title> or <h1>, as
    trafilatura ranks them) and date; IngestError when the page cannot be parsed at all."""
    import trafilatura
    from lxml.etree import ParserError

    try:
        root = parse_html(body, charset)
    except (ParserError, ValueError) as exc:
        raise IngestError(_("This web page could not be read (no HTML content).")) from exc
    links = links_of(root, url)
    fallback_title = _heading_title(root) or (root.findtext(".//title") or "").strip()
    markdown = trafilatura.extract(root, url=url, **EXTRACTION) or ""
    meta, text = parse_front_matter(markdown)
    return WebPage(
        title=(meta.get("title") or fallback_title)[:300],
        text=text.strip(),
        date=_date(meta.get("date", "")),
        links=links,
    )


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
