"""Read sitemaps (https://www.sitemaps.org): an index of sitemaps or a list of pages, XML or
plain text, gzip-compressed or not, without trusting what they declare."""

import datetime as dt
import zlib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .extract import IngestError

# The protocol's own ceilings: 50,000 addresses and 50 MB uncompressed per sitemap file. A
# gzip file is inflated in pieces and refused past it (a few kB can inflate to gigabytes).
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 50_000


@dataclass
class Sitemap:
    pages: list[tuple[str, dt.date | None]] = field(default_factory=list)  # (address, lastmod)
    sitemaps: list[str] = field(default_factory=list)  # children of a sitemap index


def gunzip(data: bytes, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    """Inflate a gzip body; IngestError if it is damaged or would pass `limit` bytes."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise IngestError(_("This compressed sitemap is damaged.")) from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise IngestError(
            _("This sitemap would expand to more than %(mb)d MB: refused.")
            % {"mb": limit // 1048576}
        )
    return out


def read_sitemap(data: bytes) -> Sitemap:
    """The pages (or child sitemaps) a sitemap lists, gzip or not, XML or plain text."""
    if data[:2] == b"\x1f\x8b":
        data = gunzip(data)
    if len(data) > MAX_SITEMAP_BYTES:
        raise IngestError(_("This sitemap is larger than the protocol allows (50 MB)."))
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] == b"<":
        return _read_xml(stripped)
    lines = stripped.decode("utf-8", errors="replace").splitlines()
    pages = [(line.strip(), None) for line in lines if line.strip().startswith("http")]
    if not pages:
        raise _not_a_sitemap()
    return Sitemap(pages=pages[:MAX_ENTRIES])


def _read_xml(data: bytes) -> Sitemap:
    from lxml import etree

    # No DTD, no entity expansion, no network: a sitemap is data, never instructions.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _not_a_sitemap() from exc
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise _not_a_sitemap()
    sitemap = Sitemap()
    for entry in root:
        if not isinstance(entry.tag, str):
            continue  # comments, processing instructions
        values = {
            etree.QName(child).localname: (child.text or "").strip()
            for child in entry
            if isinstance(child.tag, str)
        }
        loc = values.get("loc", "")
        if not loc:
            continue
        if kind == "sitemapindex":
            sitemap.sitemaps.append(loc)
        else:
            sitemap.pages.append((loc, _lastmod(values.get("lastmod", ""))))
        if len(sitemap.pages) + len(sitemap.sitemaps) >= MAX_ENTRIES:
            break
    return sitemap


def _lastmod(value: str) -> dt.date | None:
    """The date of a W3C datetime (2026-03-01 or 2026-03-01T10:00:00+01:00)."""
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _not_a_sitemap() -> IngestError:
    return IngestError(_("This address does not hold a sitemap (XML or a list of addresses)."))
