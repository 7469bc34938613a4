"""Run a website sync: robots.txt and sitemaps first (sitediscovery.py), then each page politely
(sitepages.py), then retire what is gone after a grace run. A run holds a lease, so it can pause,
resume, be cancelled, or move from one process to the next without two of them crawling at once."""

import logging
import time
import uuid

from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import sitediscovery, sitepages
from .crawl import MAX_CRAWL_DELAY, Pacer, SiteRules, normalize_url, user_agent
from .extract import IngestError
from .fetch import REDIRECTS, FetchedPage, TooLarge, fetch_url, max_page_bytes
from .models import SitePage, SyncLine, SyncRun
from .sitediscovery import StopRun
from .siteruns import stale_running

log = logging.getLogger(__name__)
# Pages in a row whose fetch failed without an answer (time-out, refused, no such host): the
# site is down, and visiting the rest would only add a time-out per page.
MAX_SILENT_IN_A_ROW = 20
BATCH = 500  # addresses per query when recording what a run found
LOCKED_PAUSES = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)  # seconds between tries of a locked write


def patiently(call):
    """`call()`, tried again after a short pause while SQLite says the table is locked: the
    run's row is read by the page polling its progress while the crawl writes it, and a
    shared-cache SQLite database (the embedded test database) refuses at once instead of
    waiting (a file waits up to its busy time-out). Other errors, and the last try's, rise."""
    for pause in LOCKED_PAUSES:
        try:
            return call()
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(pause)
    return call()


class CapReached(Exception):
    """The run's page or byte cap is reached."""


def advance(run_id: int, budget: float | None = None) -> bool:
    """Work on a run until it ends, pauses or is cancelled, or `budget` seconds have passed.
    True when work is left for a next call (the worker's next task)."""
    token = uuid.uuid4().hex
    claimable = SyncRun.objects.filter(pk=run_id).filter(
        Q(status=SyncRun.Status.QUEUED) | stale_running()
    )
    claimed = patiently(
        lambda: claimable.update(
            status=SyncRun.Status.RUNNING, lease=token, heartbeat=timezone.now()
        )
    )
    if not claimed:
        return False
    run = patiently(lambda: SyncRun.objects.select_related("site").get(pk=run_id))
    return Crawler(run, token).work(budget)


class Crawler:
    """The process holding a run's lease: every write it makes is conditional on the lease."""

    def __init__(self, run: SyncRun, token: str):
        self.run, self.site, self.token = run, run.site, token
        self.rules = SiteRules(self.site, run.robots_txt)
        self.pacer = Pacer(self.interval())
        self.agent = user_agent()
        self.bytes = run.bytes_fetched
        self.byte_cap = self.site.max_megabytes * 1024 * 1024
        self.silent_in_a_row = 0

    def interval(self) -> float:
        return max(1.0 / self.site.rate, min(self.run.crawl_delay, MAX_CRAWL_DELAY))

    @property
    def mine(self):
        return SyncRun.objects.filter(pk=self.run.pk, lease=self.token)

    def work(self, budget: float | None) -> bool:
        end = None if budget is None else time.monotonic() + budget
        try:
            if not self.run.discovered:
                sitediscovery.discover(self)
            while True:
                state = self.mine.values("pause_requested", "cancel_requested", "pages_done")
                state = patiently(state.first)
                if state is None:
                    return False  # another process took the run over
                if state["cancel_requested"]:
                    return self.close(SyncRun.Status.CANCELLED)
                if state["pause_requested"]:
                    return self.close(SyncRun.Status.PAUSED)
                if state["pages_done"] >= self.site.max_pages:
                    raise CapReached
                page = self.next_page()
                if page is None:
                    return self.finish(visited_all=True)
                if end is not None and time.monotonic() > end:
                    return self.release()
                self.visit(page)
        except CapReached:
            self.cap_note()
            return self.finish(visited_all=False)
        except StopRun as exc:
            return self.close(SyncRun.Status.STOPPED, stop_reason=str(exc))
        except SoftTimeLimitExceeded:
            return self.release()

    # --- Progress, report, end -------------------------------------------------------------

    def progress(self, **fields) -> None:
        """Record progress and renew the lease (the heartbeat)."""
        self.update(heartbeat=timezone.now(), bytes_fetched=self.bytes, **fields)

    def report(self, kind: str, url: str, reason: str) -> None:
        """A line of the report; added, changed, retired and failed are also counted."""
        if not patiently(self.mine.exists):
            return
        line = SyncLine(run_id=self.run.pk, kind=kind, url=url[:1000], reason=reason)
        patiently(line.save)
        if kind in ("added", "changed", "retired", "failed"):
            self.update(**{kind: F(kind) + 1})

    def tally(self, counter: str) -> None:
        self.update(**{counter: F(counter) + 1})

    def update(self, **fields) -> int:
        """Write the run's row, if this process still holds its lease."""
        return patiently(lambda: self.mine.update(**fields))

    def close(self, status: str, **fields) -> bool:
        ended = status not in (SyncRun.Status.PAUSED,)
        self.update(
            status=status,
            lease="",
            current_url="",
            pause_requested=False,
            finished_at=timezone.now() if ended else None,
            bytes_fetched=self.bytes,
            **fields,
        )
        return False

    def release(self) -> bool:
        """Hand the run over to the next task (the worker's time budget is spent)."""
        self.update(status=SyncRun.Status.QUEUED, lease="", heartbeat=timezone.now())
        return True

    def cap_note(self) -> None:
        left = self.pages_left()
        if self.bytes >= self.byte_cap:
            reason = _("The limit of %(mb)d MB per run was reached.") % {
                "mb": self.site.max_megabytes
            }
        else:
            reason = _("The limit of %(n)d pages per run was reached.") % {"n": self.site.max_pages}
        more = ngettext(
            "%(n)d page waits for the next run.", "%(n)d pages wait for the next run.", left
        ) % {"n": left}
        self.report(SyncLine.Kind.NOTE, "", f"{reason} {more}")

    def finish(self, visited_all: bool) -> bool:
        """Pages no longer listed (or linked) are missing: retired if already missing at the
        previous run. Only a complete listing says so: an early stop retires nothing."""
        run = SyncRun.objects.get(pk=self.run.pk)
        complete = run.listing_complete if run.by_sitemap else visited_all
        if complete:
            reason = (
                _("It is no longer listed in the site's sitemap.")
                if run.by_sitemap
                else _("No page of the site links to it any more.")
            )
            earlier = SitePage.objects.filter(site=self.site, found_run__lt=run.pk)
            for page in earlier.select_related("document").iterator():
                sitepages.gone(self, page, reason)
        elif SitePage.objects.filter(site=self.site, found_run__lt=run.pk).exists():
            self.report(
                SyncLine.Kind.NOTE,
                "",
                _(
                    "This run did not see the whole site, so no page was retired for being "
                    "missing from it."
                ),
            )
        return self.close(SyncRun.Status.DONE)

    # --- Fetching ---------------------------------------------------------------------------

    def get(self, url: str, *, headers: dict | None = None, redirects: int = 0) -> FetchedPage:
        """One address, paced, within the run's byte cap; redirects followed (up to
        `redirects`, each hop paced and kept on the site) or returned (status 3xx)."""
        for hop in range(redirects + 1):
            remaining = self.byte_cap - self.bytes
            if remaining <= 0:
                raise CapReached
            self.pacer.wait()
            sent = {"User-Agent": self.agent, **(headers or {})}
            try:
                page = fetch_url(url, headers=sent, follow_redirects=False, max_bytes=remaining)
            except TooLarge:
                if remaining < max_page_bytes():  # the run's budget was the tighter cap
                    self.bytes = self.byte_cap
                    raise CapReached from None
                raise
            self.bytes += len(page.body)
            if page.status not in REDIRECTS or hop == redirects:
                return page
            if not self.rules.in_site(page.url):
                raise IngestError(_("This address redirects to another site."))
            url = page.url
        raise AssertionError("unreachable")

    def fetch_text(self, url: str, accept: str) -> FetchedPage:
        """robots.txt or a sitemap: redirects followed on the site, as RFC 9309 asks."""
        page = self.get(url, headers={"Accept": accept}, redirects=5)
        if page.status in REDIRECTS:
            raise IngestError(_("The web page redirects too many times."))
        return page

    # --- Discovery --------------------------------------------------------------------------

    def why_not(self, url: str | None) -> str | None:
        if url is None:
            return "offsite"
        if not self.rules.is_page(url):
            return "file"
        return self.rules.refusal(url)

    def mark_found(self, addresses: dict, depth: int) -> None:
        """Record that this run found these addresses (listed, linked or redirected to)."""
        items = list(addresses.items())
        for i in range(0, len(items), BATCH):
            batch = dict(items[i : i + BATCH])
            pages = SitePage.objects.filter(site=self.site, url__in=batch)
            known = {p.url: p for p in pages.only("pk", "url", "listed_on", "found_run")}
            pages.exclude(found_run=self.run.pk).update(found_run=self.run.pk, depth=depth)
            dated = [p for url, p in known.items() if batch[url] and batch[url] != p.listed_on]
            for page in dated:
                page.listed_on = batch[page.url]
            SitePage.objects.bulk_update(dated, ["listed_on"])
            SitePage.objects.bulk_create(
                [
                    SitePage(
                        site=self.site, url=url, depth=depth, found_run=self.run.pk, listed_on=day
                    )
                    for url, day in batch.items()
                    if url not in known
                ],
                ignore_conflicts=True,
            )
        self.progress(
            pages_found=SitePage.objects.filter(site=self.site, found_run=self.run.pk).count()
        )

    def follow(self, page: SitePage, links: list[str]) -> list[str]:
        """Without a sitemap: the page's in-site links are found one click deeper (up to the
        site's depth). Returns the links kept, stored to be followed again after a 304."""
        if self.run.by_sitemap:
            return []
        kept = []
        for link in links:
            url = normalize_url(link)
            if url and url != page.url and self.why_not(url) is None:
                kept.append(url)
        kept = list(dict.fromkeys(kept))[:1000]
        if page.depth < self.site.max_depth:
            self.mark_found(dict.fromkeys(kept), page.depth + 1)
        return kept

    # --- Pages ------------------------------------------------------------------------------

    def next_page(self) -> SitePage | None:
        """Nearest the start first; then never fetched, then fetched longest ago, so that a
        site above the page cap is covered over successive runs."""
        return (
            SitePage.objects.filter(site=self.site, found_run=self.run.pk)
            .exclude(done_run=self.run.pk)
            .select_related("document")
            .order_by("depth", F("fetched_at").asc(nulls_first=True), "pk")
            .first()
        )

    def pages_left(self) -> int:
        found = SitePage.objects.filter(site=self.site, found_run=self.run.pk)
        return found.exclude(done_run=self.run.pk).count()

    def visit(self, page: SitePage) -> None:
        """One page; whatever goes wrong with it becomes a report line, never the run's end."""
        self.progress(current_url=page.url)
        try:
            answered = sitepages.visit(self, page)
        except (CapReached, StopRun, SoftTimeLimitExceeded):
            raise
        except Exception:
            log.exception("Website sync: page %s of run %s failed", page.pk, self.run.pk)
            answered = True
            self.report(
                SyncLine.Kind.FAILED,
                page.url,
                _("Unexpected error while reading this page; the team has the details."),
            )
        SitePage.objects.filter(pk=page.pk).update(done_run=self.run.pk)
        self.progress(pages_done=F("pages_done") + 1)
        self.silent_in_a_row = 0 if answered else self.silent_in_a_row + 1
        if self.silent_in_a_row >= MAX_SILENT_IN_A_ROW:
            raise StopRun(
                _(
                    "The site stopped answering (%(n)d pages in a row could not be fetched): "
                    "the run stopped, and nothing was retired. It will be tried again at the "
                    "next run."
                )
                % {"n": MAX_SILENT_IN_A_ROW}
            )
