"""Documents the comms team publishes, the chunks retrieved from them, and the system prompt."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
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
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
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
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="chunks")
    position = models.PositiveIntegerField()
    heading = models.CharField(max_length=500, blank=True)
    page = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField()
    token_count = models.PositiveIntegerField(default=0)

    class Meta:
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
    is_active = models.BooleanField(default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Prompt v{self.pk} ({self.created_at:%Y-%m-%d %H:%M})"


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
    answer = models.CharField(max_length=32, unique=True)
    day = models.DateField(default=timezone.localdate, db_index=True)
    rating = models.CharField(max_length=4, choices=Rating.choices)
    reason = models.CharField(max_length=12, choices=Reason.choices, blank=True)
    documents = models.ManyToManyField(Document, blank=True, related_name="feedback")
    provider = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"{self.day} {self.rating} {self.reason}".strip()
