"""Run a website sync: robots.txt and sitemaps first, then each page politely (sitepages.py),
then retire what is gone after a grace run. A run holds a lease, so it can pause, resume, be
cancelled, or be handed from one process to the next without two of them crawling at once."""

import datetime as dt
import logging
import time
import uuid
from collections import Counter
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import sitepages
from .crawl import Pacer, SiteRules, normalize_url, user_agent
from .extract import IngestError
from .fetch import REDIRECTS, FetchedPage, HTTPError, TooLarge, fetch_url
from .models import SitePage, SyncLine, SyncRun, WebSite
from .sitemaps import read_sitemap

log = logging.getLogger(__name__)
MAX_SITEMAPS = 100  # sitemap files read per run: an index of indexes cannot send it on for ever
MAX_CRAWL_DELAY = 60.0  # a robots.txt Crawl-delay is honoured up to this many seconds
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: crawlers must read at least the first 500 KiB
# Pages in a row whose fetch failed without an answer (time-out, refused, no such host): the
# site is down, and visiting the rest would only add a time-out per page.
MAX_SILENT_IN_A_ROW = 20
BATCH = 500  # addresses per query when recording what a run found
SCHEDULES = {  # a scheduled run starts once the last one started this long ago
    WebSite.Schedule.DAILY: dt.timedelta(hours=23),
    WebSite.Schedule.WEEKLY: dt.timedelta(days=7) - dt.timedelta(hours=1),
}
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


class CapReached(Exception):
    """The run's page or byte cap is reached."""


def create_run(site: WebSite, user=None) -> SyncRun | None:
    """A new queued run of `site`, or None while another one is waiting, running or paused."""
    with transaction.atomic():
        WebSite.objects.select_for_update().filter(pk=site.pk).first()  # one start at a time
        if site.runs.filter(status__in=SyncRun.ACTIVE).exists():
            return None
        return SyncRun.objects.create(site=site, started_by=user)


def advance(run_id: int, budget: float | None = None) -> bool:
    """Work on a run until it ends, pauses or is cancelled, or `budget` seconds have passed.
    True when work is left for a next call (the worker's next task)."""
    token = uuid.uuid4().hex
    claimed = (
        SyncRun.objects.filter(pk=run_id)
        .filter(Q(status=SyncRun.Status.QUEUED) | _stale_running())
        .update(status=SyncRun.Status.RUNNING, lease=token, heartbeat=timezone.now())
    )
    if not claimed:
        return False
    return Crawler(SyncRun.objects.select_related("site").get(pk=run_id), token).work(budget)


def _stale_running() -> Q:
    return Q(status=SyncRun.Status.RUNNING, heartbeat__lt=SyncRun.stale_cutoff())


def due_runs(now: dt.datetime | None = None) -> list[int]:
    """Runs to hand to the workers: new runs of sites whose schedule is due, and runs left
    waiting or silent (a worker restarted, a queued message lost)."""
    now = now or timezone.now()
    stale = Q(status=SyncRun.Status.QUEUED) | Q(status=SyncRun.Status.RUNNING)
    ids = list(
        SyncRun.objects.filter(stale, heartbeat__lt=SyncRun.stale_cutoff(now)).values_list(
            "pk", flat=True
        )
    )
    for site in WebSite.objects.exclude(schedule=WebSite.Schedule.MANUAL):
        last = site.runs.order_by("-created_at").first()
        if last is not None and last.created_at > now - SCHEDULES[site.schedule]:
            continue
        run = create_run(site)
        if run is not None:
            ids.append(run.pk)
    return ids


def request_pause(run: SyncRun) -> None:
    """Pause now if no process holds the run, else ask its process to pause after the page."""
    idle = Q(status=SyncRun.Status.QUEUED) | _stale_running()
    if not SyncRun.objects.filter(idle, pk=run.pk).update(status=SyncRun.Status.PAUSED):
        SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.RUNNING).update(
            pause_requested=True
        )


def request_resume(run: SyncRun) -> bool:
    """Queue a paused (or silent) run again; True if the caller should start it."""
    idle = Q(status=SyncRun.Status.PAUSED) | _stale_running()
    return bool(
        SyncRun.objects.filter(idle, pk=run.pk).update(
            status=SyncRun.Status.QUEUED, pause_requested=False, heartbeat=timezone.now()
        )
    )


def request_cancel(run: SyncRun) -> None:
    """Cancel now if no process holds the run, else ask its process to stop after the page.
    Nothing is retired by a cancelled run."""
    idle = Q(status__in=[SyncRun.Status.QUEUED, SyncRun.Status.PAUSED]) | _stale_running()
    ended = SyncRun.objects.filter(idle, pk=run.pk).update(
        status=SyncRun.Status.CANCELLED, finished_at=timezone.now(), lease=""
    )
    if not ended:
        SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.RUNNING).update(
            cancel_requested=True
        )


class Crawler:
    """The process holding a run's lease: every write it makes is conditional on the lease."""

    def __init__(self, run: SyncRun, token: str):
        self.run, self.site, self.token = run, run.site, token
        self.rules = SiteRules(self.site, run.robots_txt)
        self.pacer = Pacer(self._interval())
        self.agent = user_agent()
        self.bytes = run.bytes_fetched
        self.byte_cap = self.site.max_megabytes * 1024 * 1024
        self.silent_in_a_row = 0

    def _interval(self) -> float:
        return max(1.0 / self.site.rate, min(self.run.crawl_delay, MAX_CRAWL_DELAY))

    @property
    def mine(self):
        return SyncRun.objects.filter(pk=self.run.pk, lease=self.token)

    def work(self, budget: float | None) -> bool:
        end = None if budget is None else time.monotonic() + budget
        try:
            if not self.run.discovered:
                self.discover()
            while True:
                state = self.mine.values("pause_requested", "cancel_requested", "pages_done")
                state = state.first()
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
        self.mine.update(heartbeat=timezone.now(), bytes_fetched=self.bytes, **fields)

    def report(self, kind: str, url: str, reason: str) -> None:
        """A line of the report; added, changed, retired and failed are also counted."""
        if not self.mine.exists():
            return
        SyncLine.objects.create(run_id=self.run.pk, kind=kind, url=url[:1000], reason=reason)
        if kind in ("added", "changed", "retired", "failed"):
            self.mine.update(**{kind: F(kind) + 1})

    def tally(self, counter: str) -> None:
        self.mine.update(**{counter: F(counter) + 1})

    def close(self, status: str, **fields) -> bool:
        ended = status not in (SyncRun.Status.PAUSED,)
        self.mine.update(
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
        self.mine.update(status=SyncRun.Status.QUEUED, lease="", heartbeat=timezone.now())
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
                if remaining < settings.KNOWLEDGE_URL_MAX_BYTES:
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

    def discover(self) -> None:
        robots = self.read_robots()
        self.rules = SiteRules(self.site, robots)
        delay = self.rules.crawl_delay()
        self.run.crawl_delay = delay
        self.pacer.interval = self._interval()
        if delay > MAX_CRAWL_DELAY:
            self.report(
                SyncLine.Kind.NOTE,
                "",
                _("robots.txt asks for %(asked)d s between requests; the sync waits %(max)d s.")
                % {"asked": delay, "max": MAX_CRAWL_DELAY},
            )
        roots, declared = self.sitemap_roots()
        listed, complete = self.read_sitemaps(roots, declared)
        by_sitemap = listed is not None
        if not by_sitemap:
            start = normalize_url(self.site.start_url)
            if start is None or self.rules.refusal(start) == "robots":
                raise StopRun(_("robots.txt asks robots not to visit the start address."))
            listed = {start: None}
        self.mark_found(listed, 0)
        self.progress(
            discovered=True,
            robots_txt=robots,
            crawl_delay=delay,
            by_sitemap=by_sitemap,
            listing_complete=by_sitemap and complete and bool(listed),
        )
        self.run.refresh_from_db()

    def read_robots(self) -> str:
        """robots.txt's text; "" (no rule) when it does not exist. A server error stops the
        run: RFC 9309 says to assume then that the whole site is off limits."""
        parts = urlsplit(self.site.start_url)
        url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            page = self.fetch_text(url, "text/plain")
        except HTTPError as exc:
            if 400 <= exc.status < 500:
                return ""
            raise StopRun(_robots_unreadable(str(exc))) from exc
        except IngestError as exc:
            raise StopRun(_robots_unreadable(str(exc))) from exc
        return page.body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")

    def sitemap_roots(self) -> tuple[list[str], bool]:
        """The sitemaps to read and whether the site declared them (the start address is a
        sitemap, or robots.txt names some); otherwise /sitemap.xml is only tried."""
        start = self.site.start_url
        if urlsplit(start).path.lower().endswith((".xml", ".xml.gz", ".txt")):
            return [start], True
        named = [url for url in self.rules.robots.site_maps() or [] if self.rules.in_site(url)]
        if named:
            return named, True
        parts = urlsplit(start)
        return [f"{parts.scheme}://{parts.netloc}/sitemap.xml"], False

    def read_sitemaps(self, roots: list[str], declared: bool):
        """({address: lastmod} of the pages allowed, complete?), or (None, False) when there
        is no sitemap to go by. A declared sitemap that cannot be read stops the run."""
        listed, left_out, complete, read = {}, Counter(), True, 0
        queue, seen = list(roots), set()
        while queue:
            if len(seen) >= MAX_SITEMAPS:
                complete = False
                self.report(SyncLine.Kind.NOTE, "", _too_many_sitemaps())
                break
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            try:
                sitemap = read_sitemap(self.fetch_text(url, "application/xml, text/*;q=0.9").body)
            except IngestError as exc:
                if not declared and url in roots:
                    return None, False  # no sitemap at /sitemap.xml: links are followed
                complete = False
                self.report(
                    SyncLine.Kind.FAILED, url, _("Sitemap not read: %(reason)s") % {"reason": exc}
                )
                continue
            read += 1
            queue += [child for child in sitemap.sitemaps if self.rules.in_site(child)]
            for loc, lastmod in sitemap.pages:
                url_n = normalize_url(loc)
                why = self.why_not(url_n)
                if why is None:
                    listed[url_n] = lastmod
                else:
                    left_out[why] += 1
            self.progress()
        if not read:
            raise StopRun(_("The site's sitemap could not be read: nothing was changed."))
        for why, count in sorted(left_out.items()):
            if why in LEFT_OUT:
                self.report(SyncLine.Kind.NOTE, "", LEFT_OUT[why](count) % {"n": count})
        return listed, complete

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


def _robots_unreadable(reason: str) -> str:
    return _(
        "The site's robots.txt could not be read (%(reason)s). Robots must then stay away "
        "from the site: the run stopped, nothing was changed."
    ) % {"reason": reason}


def _too_many_sitemaps() -> str:
    return _("The site has more than %(n)d sitemaps: the others were not read.") % {
        "n": MAX_SITEMAPS
    }
