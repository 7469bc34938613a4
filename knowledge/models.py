"""Documents the comms team publishes, the chunks retrieved from them, the system prompt, and
the web sites synced as sources (their pages, runs and reports)."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DocumentQuerySet(models.QuerySet):
    def servable(self, today: dt.date | None = None):
        """READY documents valid today: not expired (valid_until >= today or open-ended)
        and already in force (valid_from <= today or unset)."""
        today = today or timezone.localdate()
        return self.filter(status=Document.Status.READY).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=today),
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=today),
        )


class Document(models.Model):
    class Kind(models.TextChoices):
        MAGAZINE = "magazine", _("Magazine")
        EVENTS_GUIDE = "events_guide", _("Events guide")
        WEB_PAGE = "web_page", _("Web page")
        FAQ = "faq", _("FAQ")
        PROCEDURE = "procedure", _("Procedure")
        OTHER = "other", _("Other")
        # A short answer validated by the town hall, published from the townhall app's cards
        # (question + answer as its text); retrieval puts it first when it matches.
        ANSWER_CARD = "answer_card", _("Answer card")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        RETIRED = "retired", _("Retired")

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    published_on = models.DateField(_("publication date"), default=timezone.localdate)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source_url = models.URLField(_("source URL"), max_length=1000, blank=True)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", blank=True)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    content_hash = models.CharField(
        _("content fingerprint"), max_length=64, blank=True, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    progress_done = models.PositiveIntegerField(_("parts read"), default=0)
    progress_total = models.PositiveIntegerField(_("parts in all"), default=0)
    error = models.TextField(_("error"), blank=True)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
        help_text=_("The previous issue, retired once this one is ready."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-published_on", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_pdf(self) -> bool:
        return (self.original_name or self.file.name or "").lower().endswith(".pdf")

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == self.Status.READY else 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class Chunk(models.Model):
    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="chunks"
    )
    position = models.PositiveIntegerField(
        _("position"),
    )
    heading = models.CharField(_("heading"), max_length=500, blank=True)
    page = models.PositiveIntegerField(_("page"), null=True, blank=True)
    text = models.TextField(
        _("text"),
    )
    token_count = models.PositiveIntegerField(_("token count"), default=0)

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        ordering = ["document_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "position"], name="chunk_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document} #{self.position}"


class PromptTemplate(models.Model):
    """One row per saved version; the newest active row is the system prompt in use."""

    text = models.TextField(_("system prompt"))
    contact = models.CharField(_("town hall contact"), max_length=300, blank=True)
    general_answers = models.BooleanField(
        _("answer general questions too"),
        default=True,
        help_text=_(
            "With a language model, a question that is not about the town (a recipe, history) "
            "gets an answer from the model's general knowledge, marked “This answer does not "
            "come from the town hall's documents”. Untick to answer questions about the town "
            "only. The offline provider always answers from the documents only."
        ),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("system prompt version")
        verbose_name_plural = _("system prompt versions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Prompt v{self.pk} ({self.created_at:%Y-%m-%d %H:%M})"


class WebSite(models.Model):
    """A web site synced as a source: its pages become documents of kind "web page"."""

    class Schedule(models.TextChoices):
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")
        MANUAL = "manual", _("Only when started from this page")

    name = models.CharField(_("name"), max_length=200)
    start_url = models.URLField(
        _("start address"),
        max_length=1000,
        help_text=_(
            "The site's home page, or its sitemap (an address ending in .xml). With a home "
            "page, the sitemap named in robots.txt or at /sitemap.xml is used if there is one; "
            "otherwise links are followed from the home page."
        ),
    )
    include_paths = models.TextField(
        _("only these paths"),
        blank=True,
        help_text=_(
            "One per line, e.g. /vie-pratique/ (covers everything under it); * stands for any "
            "text. Leave empty to take the whole site."
        ),
    )
    exclude_paths = models.TextField(
        _("never these paths"),
        blank=True,
        help_text=_("One per line, e.g. /recherche or */imprimer/*. Checked after the above."),
    )
    schedule = models.CharField(
        _("automatic sync"), max_length=10, choices=Schedule.choices, default=Schedule.WEEKLY
    )
    # Polite defaults: one request per second, as most site owners expect from a crawler.
    rate = models.FloatField(
        _("requests per second"),
        default=1.0,
        validators=[MinValueValidator(0.05), MaxValueValidator(10)],
        help_text=_("1 is polite. Ask the site's host before going higher."),
    )
    max_pages = models.PositiveIntegerField(
        _("pages per run at most"),
        default=1000,
        validators=[MinValueValidator(1), MaxValueValidator(20000)],
    )
    max_megabytes = models.PositiveIntegerField(
        _("megabytes per run at most"),
        default=200,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
    )
    max_depth = models.PositiveSmallIntegerField(
        _("link depth"),
        default=4,
        validators=[MaxValueValidator(20)],
        help_text=_("Only without a sitemap: how many clicks away from the start page to go."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("web site")
        verbose_name_plural = _("web sites")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class SyncRun(models.Model):
    """One sync of a site: progress, counts, the lease of the process doing it, and flags."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")
        STOPPED = "stopped", _("Stopped")

    ACTIVE = (Status.QUEUED, Status.RUNNING, Status.PAUSED)

    site = models.ForeignKey(WebSite, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(default=timezone.now)  # the lease holder's last sign
    lease = models.CharField(max_length=32, blank=True)  # which process is doing the run
    pause_requested = models.BooleanField(default=False)
    cancel_requested = models.BooleanField(default=False)
    discovered = models.BooleanField(default=False)  # robots.txt and sitemaps read
    by_sitemap = models.BooleanField(default=False)
    listing_complete = models.BooleanField(default=False)  # every page of the site is known
    robots_txt = models.TextField(blank=True)
    crawl_delay = models.FloatField(default=0)  # asked by robots.txt, in seconds
    pages_found = models.PositiveIntegerField(default=0)
    pages_done = models.PositiveIntegerField(default=0)
    bytes_fetched = models.PositiveBigIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    retired = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    current_url = models.CharField(max_length=1000, blank=True)
    stop_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("site sync")
        verbose_name_plural = _("site syncs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.site} #{self.pk} ({self.status})"

    @classmethod
    def stale_cutoff(cls, now: dt.datetime | None = None) -> dt.datetime:
        """A run whose holder gave no sign of life since then is taken as interrupted (its
        process was stopped): another process may take it over, the team may resume it."""
        return (now or timezone.now()) - dt.timedelta(seconds=settings.SITESYNC_STALE_SECONDS)

    @property
    def is_stale(self) -> bool:
        return self.status == self.Status.RUNNING and self.heartbeat < self.stale_cutoff()

    @property
    def percent(self) -> int:
        if not self.pages_found:
            return 0
        return min(100, round(100 * self.pages_done / self.pages_found))


class SyncLine(models.Model):
    """A line of a run's report: a page added, changed, retired, missing or failed, and why."""

    class Kind(models.TextChoices):
        ADDED = "added", pgettext_lazy("site page", "Added")
        CHANGED = "changed", pgettext_lazy("site page", "Changed")
        RETIRED = "retired", pgettext_lazy("site page", "Retired")
        MISSING = "missing", pgettext_lazy("site page", "Missing")
        FAILED = "failed", pgettext_lazy("site page", "Failed")
        NOTE = "note", pgettext_lazy("site page", "Note")

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    url = models.CharField(max_length=1000, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("site sync line")
        verbose_name_plural = _("site sync lines")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.url}"


class SitePage(models.Model):
    """A page of a synced site, what the last fetch said about it, and its document."""

    site = models.ForeignKey(WebSite, on_delete=models.CASCADE, related_name="pages")
    url = models.CharField(max_length=1000)
    document = models.OneToOneField(
        Document,
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="site_page",
    )
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)  # as the server wrote it
    text_hash = models.CharField(max_length=64, blank=True)  # of the main content extracted
    listed_on = models.DateField(null=True, blank=True)  # <lastmod> of the sitemap
    depth = models.PositiveSmallIntegerField(default=0)
    links = models.JSONField(default=list, blank=True)  # in-site links, followed again on 304
    found_run = models.BigIntegerField(default=0)  # the last run that listed or linked it
    done_run = models.BigIntegerField(default=0)  # the last run that fetched it
    missing_run = models.BigIntegerField(null=True, blank=True)  # first run it was seen gone
    redirect_to = models.CharField(max_length=1000, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("site page")
        verbose_name_plural = _("site pages")
        ordering = ["url"]
        constraints = [models.UniqueConstraint(fields=["site", "url"], name="site_page_unique")]
        indexes = [models.Index(fields=["site", "found_run"], name="site_page_found")]

    def __str__(self) -> str:
        return self.url


class Feedback(models.Model):
    """A resident's thumbs up or down on one answer. Anonymous by construction: no question,
    no answer text, no code, no time of day; only the day, the rating, an optional reason,
    the documents the answer cited and the kind of provider that wrote it."""

    class Rating(models.TextChoices):
        UP = "up", _("Helpful")
        DOWN = "down", _("Not helpful")

    class Reason(models.TextChoices):
        WRONG = "wrong", _("Wrong")
        OUTDATED = "outdated", _("Out of date")
        INCOMPLETE = "incomplete", _("Incomplete")
        UNCLEAR = "unclear", _("Hard to understand")

    # The random id the server gave the answer (in its signed feedback token): one row per
    # answer, so a second click changes the vote instead of adding one.
    answer = models.CharField(_("answer"), max_length=32, unique=True)
    day = models.DateField(_("day"), default=timezone.localdate, db_index=True)
    rating = models.CharField(_("opinion"), max_length=4, choices=Rating.choices)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices, blank=True)
    documents = models.ManyToManyField(
        Document, verbose_name=_("cited documents"), blank=True, related_name="feedback"
    )
    provider = models.CharField(_("written by"), max_length=40, blank=True)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("resident's opinion")
        verbose_name_plural = _("residents' opinions")

    def __str__(self) -> str:
        return f"{self.day} {self.rating} {self.reason}".strip()
