"""The first step of a website sync: read robots.txt (its rules, crawl delay and sitemaps),
then the sitemaps (indexes followed, gzip read) into the run's list of pages; without a
sitemap, the start page alone, and links are followed from it (knowledge.sitesync)."""

from collections import Counter
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .crawl import MAX_CRAWL_DELAY, SiteRules, normalize_url
from .extract import IngestError
from .fetch import HTTPError
from .models import SyncLine
from .sitemaps import read_sitemap

MAX_SITEMAPS = 100  # sitemap files read per run: an index of indexes cannot send it on for ever
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: crawlers must read at least the first 500 KiB
LEFT_OUT = {
    "robots": lambda n: ngettext(
        "%(n)d address left out: robots.txt asks robots not to visit it.",
        "%(n)d addresses left out: robots.txt asks robots not to visit them.",
        n,
    ),
    "excluded": lambda n: ngettext(
        "%(n)d address left out by the paths you chose.",
        "%(n)d addresses left out by the paths you chose.",
        n,
    ),
    "file": lambda n: ngettext(
        "%(n)d address left out: a file (PDF, image…), not a web page.",
        "%(n)d addresses left out: files (PDF, images…), not web pages.",
        n,
    ),
}


class StopRun(Exception):
    """The run cannot go on; its message is the plain reason shown to the comms team."""


def discover(crawler) -> None:
    """robots.txt first, then the sitemaps, or the start page when there is none."""
    robots = read_robots(crawler)
    crawler.rules = SiteRules(crawler.site, robots)
    delay = crawler.rules.crawl_delay()
    crawler.run.crawl_delay = delay
    crawler.pacer.interval = crawler.interval()
    if delay > MAX_CRAWL_DELAY:
        crawler.report(
            SyncLine.Kind.NOTE,
            "",
            _("robots.txt asks for %(asked)d s between requests; the sync waits %(max)d s.")
            % {"asked": delay, "max": MAX_CRAWL_DELAY},
        )
    roots, declared = sitemap_roots(crawler)
    listed, complete = read_sitemaps(crawler, roots, declared)
    by_sitemap = listed is not None
    if not by_sitemap:
        start = normalize_url(crawler.site.start_url)
        if start is None or crawler.rules.refusal(start) == "robots":
            raise StopRun(_("robots.txt asks robots not to visit the start address."))
        listed = {start: None}
    crawler.mark_found(listed, 0)
    crawler.progress(
        discovered=True,
        robots_txt=robots,
        crawl_delay=delay,
        by_sitemap=by_sitemap,
        listing_complete=by_sitemap and complete and bool(listed),
    )
    crawler.run.refresh_from_db()


def read_robots(crawler) -> str:
    """robots.txt's text; "" (no rule) when it does not exist. A server error stops the
    run: RFC 9309 says to assume then that the whole site is off limits."""
    parts = urlsplit(crawler.site.start_url)
    url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        page = crawler.fetch_text(url, "text/plain")
    except HTTPError as exc:
        if 400 <= exc.status < 500:
            return ""
        raise StopRun(_robots_unreadable(str(exc))) from exc
    except IngestError as exc:
        raise StopRun(_robots_unreadable(str(exc))) from exc
    return page.body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")


def sitemap_roots(crawler) -> tuple[list[str], bool]:
    """The sitemaps to read and whether the site declared them (the start address is a
    sitemap, or robots.txt names some); otherwise /sitemap.xml is only tried."""
    start = crawler.site.start_url
    if urlsplit(start).path.lower().endswith((".xml", ".xml.gz", ".txt")):
        return [start], True
    named = [url for url in crawler.rules.robots.site_maps() or [] if crawler.rules.in_site(url)]
    if named:
        return named, True
    parts = urlsplit(start)
    return [f"{parts.scheme}://{parts.netloc}/sitemap.xml"], False


def read_sitemaps(crawler, roots: list[str], declared: bool):
    """({address: lastmod} of the pages allowed, complete?), or (None, False) when there
    is no sitemap to go by. A declared sitemap that cannot be read stops the run."""
    listed, left_out, complete, read = {}, Counter(), True, 0
    queue, seen = list(roots), set()
    while queue:
        if len(seen) >= MAX_SITEMAPS:
            complete = False
            crawler.report(SyncLine.Kind.NOTE, "", _too_many_sitemaps())
            break
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            sitemap = read_sitemap(crawler.fetch_text(url, "application/xml, text/*;q=0.9").body)
        except IngestError as exc:
            if not declared and url in roots:
                return None, False  # no sitemap at /sitemap.xml: links are followed
            complete = False
            crawler.report(
                SyncLine.Kind.FAILED, url, _("Sitemap not read: %(reason)s") % {"reason": exc}
            )
            continue
        read += 1
        queue += [child for child in sitemap.sitemaps if crawler.rules.in_site(child)]
        for loc, lastmod in sitemap.pages:
            url_n = normalize_url(loc)
            why = crawler.why_not(url_n)
            if why is None:
                listed[url_n] = lastmod
            else:
                left_out[why] += 1
        crawler.progress()
    if not read:
        raise StopRun(_("The site's sitemap could not be read: nothing was changed."))
    for why, count in sorted(left_out.items()):
        if why in LEFT_OUT:
            crawler.report(SyncLine.Kind.NOTE, "", LEFT_OUT[why](count) % {"n": count})
    return listed, complete


def _robots_unreadable(reason: str) -> str:
    return _(
        "The site's robots.txt could not be read (%(reason)s). Robots must then stay away "
        "from the site: the run stopped, nothing was changed."
    ) % {"reason": reason}


def _too_many_sitemaps() -> str:
    return _("The site has more than %(n)d sitemaps: the others were not read.") % {
        "n": MAX_SITEMAPS
    }
