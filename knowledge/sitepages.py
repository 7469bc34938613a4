"""One page of a synced site: fetched conditionally, then its document added, updated, kept,
or retired once gone for a second run in a row; every outcome in the run's report.

Only documents linked to the site's pages (SitePage.document) are ever touched: the
documents the comms team uploads by hand have no such link.
"""

import email.utils
import hashlib
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.translation import gettext as _

from .chunking import chunk_sections
from .crawl import normalize_url
from .extract import IngestError, charset_of, markdown_sections
from .fetch import REDIRECTS, FetchedPage, HTTPError, TooLarge
from .ingest import content_hash, publish, retire, sniff_kind
from .models import Document, SitePage, SyncLine
from .webpage import WebPage, read_web_page

GONE = (404, 410)
MAX_REDIRECT_CHAIN = 10  # redirects followed through this run's pages to spot a loop


def conditional_headers(page: SitePage) -> dict:
    """If-None-Match / If-Modified-Since from the last read, when its document is in use."""
    doc = page.document
    if doc is None or doc.status != Document.Status.READY or not page.text_hash:
        return {}
    headers = {}
    if page.etag:
        headers["If-None-Match"] = page.etag
    if page.last_modified:
        headers["If-Modified-Since"] = page.last_modified
    return headers


def visit(crawler, page: SitePage) -> bool:
    """Fetch and handle one page; False when the site did not answer at all."""
    try:
        fetched = crawler.get(page.url, headers=conditional_headers(page))
    except HTTPError as exc:
        if exc.status in GONE and page.document is not None:
            gone(crawler, page, str(exc))
        else:
            failed(crawler, page, str(exc))
        return True
    except TooLarge as exc:
        failed(crawler, page, str(exc))
        return True
    except IngestError as exc:
        failed(crawler, page, str(exc))
        return False
    if fetched.status in REDIRECTS:
        moved(crawler, page, fetched.url)
    elif fetched.status == 304:
        _save(page, fetched, page.links, missing_run=None)
        crawler.follow(page, page.links)
        crawler.tally("unchanged")
    else:
        read(crawler, page, fetched)
    return True


def read(crawler, page: SitePage, fetched: FetchedPage) -> None:
    """A page that answered 200: its main content re-indexed if it changed."""
    try:
        kind = sniff_kind(fetched.content_type, fetched.body)
    except IngestError as exc:
        return failed(crawler, page, str(exc))
    if kind != "html":
        return failed(crawler, page, _not_a_page())
    web = read_web_page(fetched.body, page.url, charset_of(fetched.content_type))
    links = crawler.follow(page, web.links)
    doc = page.document
    if crawler.rules.refusal(page.url):  # the start page, read for its links only
        _save(page, fetched, links)
        if doc is not None:
            gone(crawler, page, _("It is now outside the paths you chose."))
        return None
    digest = hashlib.sha256(f"{web.title}\n{web.text}".encode()).hexdigest()
    if doc is not None and doc.status == Document.Status.RETIRED and page.missing_run is None:
        _save(page, fetched, links)  # the team took it out by hand: it stays out
        return crawler.tally("unchanged")
    if doc is not None and doc.status == Document.Status.READY and digest == page.text_hash:
        _save(page, fetched, links, missing_run=None)
        return crawler.tally("unchanged")
    drafts = chunk_sections(markdown_sections(web.text))
    if not drafts:
        return failed(crawler, page, _no_text())
    back = doc is not None and doc.status == Document.Status.RETIRED
    doc = _publish(page, web, fetched, drafts)
    _save(page, fetched, links, missing_run=None, text_hash=digest, document=doc)
    if page.document is None or back:
        reason = _("Back on the site.") if back else ""
        crawler.report(SyncLine.Kind.ADDED, page.url, reason)
    else:
        crawler.report(SyncLine.Kind.CHANGED, page.url, "")
    return None


def _publish(page: SitePage, web: WebPage, fetched: FetchedPage, drafts) -> Document:
    """The page's document with its new title, date and passages, READY (created if new)."""
    fields = {
        "title": (web.title or page.url)[:300],
        "published_on": _http_date(fetched.last_modified)
        or page.listed_on
        or web.date
        or timezone.localdate(),
        "source_url": page.url,
        "content_type": fetched.content_type[:100],
        "content_hash": content_hash(fetched.body),
    }
    doc = page.document
    if doc is None:
        doc = Document.objects.create(
            kind=Document.Kind.WEB_PAGE, status=Document.Status.PROCESSING, **fields
        )
        SitePage.objects.filter(pk=page.pk).update(document=doc)
    else:
        Document.objects.filter(pk=doc.pk).update(**fields)
        for name, value in fields.items():
            setattr(doc, name, value)
    publish(doc, drafts)
    return doc


def gone(crawler, page: SitePage, reason: str) -> None:
    """Missing once: reported, still in use. Missing again at a later run: retired."""
    doc = page.document
    if doc is None:
        page.delete()  # nothing was ever published from it: forgotten
        return
    if doc.status == Document.Status.RETIRED:
        return
    if page.missing_run is not None and page.missing_run < crawler.run.pk:
        retire(doc)
        crawler.report(
            SyncLine.Kind.RETIRED,
            page.url,
            f"{reason} " + _("It was already missing at the previous run."),
        )
        return
    SitePage.objects.filter(pk=page.pk).update(missing_run=crawler.run.pk)
    crawler.report(
        SyncLine.Kind.MISSING,
        page.url,
        f"{reason} "
        + _("It stays in use until the next run, and is retired then if it is still missing."),
    )


def failed(crawler, page: SitePage, reason: str) -> None:
    """The page could not be read this time; what was read before stays in use."""
    SitePage.objects.filter(pk=page.pk).update(error=reason, fetched_at=timezone.now())
    crawler.follow(page, page.links)  # its links are still those read before
    doc = page.document
    if doc is not None and doc.status == Document.Status.READY:
        reason = f"{reason} " + _("The version read before stays in use.")
    crawler.report(SyncLine.Kind.FAILED, page.url, reason)


def moved(crawler, page: SitePage, target: str) -> None:
    """A redirect: the target is synced in the page's place (if it belongs to the site)."""
    url = normalize_url(target)
    if url == page.url:
        return failed(crawler, page, _("This page redirects to itself."))
    if url is None or crawler.why_not(url) is not None:
        SitePage.objects.filter(pk=page.pk).update(redirect_to=target[:1000])
        if page.document is not None:
            gone(
                crawler,
                page,
                _("It now leads to %(url)s, outside the synced pages.") % {"url": target},
            )
        return None
    loop = _loop(crawler, page.url, url)
    if loop:
        return failed(
            crawler, page, _("This page redirects in a loop: %(chain)s.") % {"chain": loop}
        )
    SitePage.objects.filter(pk=page.pk).update(redirect_to=url, fetched_at=timezone.now())
    crawler.mark_found({url: None}, page.depth)
    if page.document is not None:
        gone(crawler, page, _("It now leads to %(url)s, synced in its place.") % {"url": url})
    return None


def _loop(crawler, start: str, target: str) -> str:
    """ "A → B → A" when following this run's redirects from `target` comes back."""
    chain, url = [start], target
    for _hop in range(MAX_REDIRECT_CHAIN):
        if url in chain:
            return " → ".join(urlsplit(step).path for step in [*chain, url])
        chain.append(url)
        nxt = (
            SitePage.objects.filter(site=crawler.site, url=url, done_run=crawler.run.pk)
            .values_list("redirect_to", flat=True)
            .first()
        )
        if not nxt:
            return ""
        url = nxt
    return ""


def _save(page: SitePage, fetched: FetchedPage, links: list[str], **fields) -> None:
    SitePage.objects.filter(pk=page.pk).update(
        etag=fetched.etag or page.etag,
        last_modified=fetched.last_modified or page.last_modified,
        links=links,
        fetched_at=timezone.now(),
        error="",
        redirect_to="",
        **fields,
    )


def _http_date(value: str):
    """The local date of an HTTP date (Last-Modified), or None."""
    try:
        return timezone.localdate(email.utils.parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _not_a_page() -> str:
    return _(
        "This address leads to a document (PDF or Word), not a web page: left out. Add it on "
        "the “Add documents” page if residents need it."
    )


def _no_text() -> str:
    return _(
        "No text found on this web page (it is empty, or shows its text only through scripts)."
    )
