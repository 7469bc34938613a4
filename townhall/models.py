"""Townhall's tables: services, residents' requests and their replies, answer cards, the
anonymous per-answer signals of the comms insight, and the log of what staff did.

A request is tied to an access code only (no name, e-mail or phone). Its texts are kept
until TOWNHALL_KEEP_DAYS after the reply, then erased with the link to the code
(townhall.retention); the row stays, wordless, for the weekly counts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accesscodes.models import AccessCode
from knowledge.models import Document

# What a resident may send: the question (at least the chat's own limit, as a chat question
# can be sent as it is), and the assistant's answer if they include it.
QUESTION_MAX_CHARS = 2000
ANSWER_MAX_CHARS = 6000
REPLY_MAX_CHARS = 6000
# A card is read in the chat: a short validated answer.
CARD_QUESTION_MAX_CHARS = 300
CARD_ANSWER_MAX_CHARS = 3000
# What a resident reads under a reply built from an AI draft (the exact French words).
AI_MENTION = _("Reply from the town hall, prepared with the help of AI and reviewed by an agent")


class Service(models.Model):
    """A service of the town hall that owns requests and cards (waste, civil status...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")

    def __str__(self) -> str:
        return self.name


class TownRequest(models.Model):
    """A question a resident chose to send to the town hall, and the town's reply."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for a reply")
        REPLIED = "replied", _("replied")
        CLOSED = "closed", _("closed without a written reply")

    code = models.ForeignKey(
        AccessCode, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    question = models.TextField(_("question"), blank=True)
    answer = models.TextField(_("assistant's answer"), blank=True)
    language = models.CharField(max_length=8, default="fr")  # of the page it was sent from
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)
    due_on = models.DateField(_("reply due on"))
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    draft = models.TextField(blank=True)
    draft_sources = models.JSONField(default=list, blank=True)
    draft_provider = models.CharField(max_length=20, blank=True)
    drafted_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    # Built from an AI draft: the resident reads the mention that says so.
    ai_assisted = models.BooleanField(default=False)
    handled_at = models.DateTimeField(null=True, blank=True, db_index=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reply_seen_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("request to the town hall")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())


class AnswerCard(models.Model):
    """A short answer the comms team validated, published as a knowledge Document of kind
    ANSWER_CARD (its text: question and answer; its end date: valid_until), so that the
    knowledge app indexes it, drops it once expired and retrieval gives it priority."""

    question = models.CharField(_("question"), max_length=CARD_QUESTION_MAX_CHARS)
    answer = models.TextField(_("validated answer"))
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.SET_NULL, null=True, blank=True
    )
    valid_until = models.DateField(_("valid until"))
    document = models.OneToOneField(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_request = models.ForeignKey(
        TownRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("answer card")

    def __str__(self) -> str:
        return self.question

    def is_live(self, today=None) -> bool:
        """Used for answers today: not withdrawn, not expired, its document ready."""
        today = today or timezone.localdate()
        ready = self.document is not None and self.document.status == Document.Status.READY
        return self.withdrawn_at is None and self.valid_until >= today and ready


class AnswerSignal(models.Model):
    """One answer given in the chat, without any text and without the code: its week, how
    sure it was, and the documents and sections it drew on (townhall.insight)."""

    class Level(models.TextChoices):
        SURE = "sure", _("answered")
        LOW = "low", _("low confidence")
        NOT_COVERED = "uncovered", _("not covered by the documents")
        UNKNOWN = "unknown", _("confidence not measured")

    week = models.DateField(db_index=True)  # its Monday
    level = models.CharField(max_length=9, choices=Level.choices)
    # [[document id, section heading], ...] of the best passages, best first (at most 3).
    topics = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.week} {self.level}"


class LogEntry(models.Model):
    """What staff did with requests and cards: who, what, which number; never any text."""

    class Action(models.TextChoices):
        DRAFTED = "drafted", _("draft written")
        REPLIED = "replied", _("replied")
        CLOSED = "closed", _("closed without reply")
        ASSIGNED = "assigned", _("service assigned")
        CARD_PUBLISHED = "card", _("card published")
        CARD_WITHDRAWN = "uncard", _("card withdrawn")
        PURGED = "purged", _("texts erased")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=8, choices=Action.choices)
    request_number = models.PositiveIntegerField(null=True, blank=True)
    card_number = models.PositiveIntegerField(null=True, blank=True)
    count = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("townhall log entry")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    @classmethod
    def record(cls, actor, action: str, *, request=None, card=None, count: int = 1):
        """One entry; `actor` is a staff user, or None for the system (the purge)."""
        return cls.objects.create(
            actor=actor,
            actor_name=actor.get_username() if actor is not None else "system",
            action=action,
            request_number=getattr(request, "pk", None),
            card_number=getattr(card, "pk", None),
            count=count,
        )
