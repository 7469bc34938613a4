"""Access codes (stored as keyed hashes only), the sites that issue them and the staff audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import codeformat


class Site(models.Model):
    """A counter where codes are handed out: a neighbourhood house or the town hall."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("issuing site")
        verbose_name_plural = _("issuing sites")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AccessCode(models.Model):
    """One resident's code. Nothing here says who holds it: staff see its label and site."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")

    digest = models.CharField(_("keyed fingerprint"), max_length=64, unique=True, editable=False)
    number = models.PositiveIntegerField(_("number"), unique=True, editable=False)
    site = models.ForeignKey(
        Site, verbose_name=_("issuing site"), on_delete=models.PROTECT, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    # Quota overrides; empty means the town's default (QuotaSettings).
    monthly_tokens = models.PositiveIntegerField(_("monthly tokens"), null=True, blank=True)
    monthly_eur = models.DecimalField(
        _("monthly allowance (€)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    daily_tokens = models.PositiveIntegerField(_("daily tokens"), null=True, blank=True)
    # Overuse or sharing signals (see accesscodes.sharing); empty when not flagged.
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True, db_index=True)
    flag_reasons = models.CharField(_("flag reasons"), max_length=300, blank=True)
    # Counts the code's status changes. A session keeps the value it signed in with and is
    # over once they differ (accesscodes.session): suspending, revoking or reissuing a code
    # ends every session of it, and a reactivated code needs a new sign-in.
    session_epoch = models.PositiveIntegerField(_("session generation"), default=0, editable=False)

    class Meta:
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")
        ordering = ["-number"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"N° {self.number:04d}"

    def past_end(self, now=None) -> bool:
        """The code's end date has passed (whatever its status)."""
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def current_status(self, now=None) -> str:
        """The status, with an active code past its expiry reported as expired."""
        if self.status == self.Status.ACTIVE and self.past_end(now):
            return self.Status.EXPIRED
        return self.status

    def current_status_label(self, now=None) -> str:
        """The status staff see, translated: an active code past its end date reads "expired"."""
        return self.Status(self.current_status(now)).label

    def is_usable(self, now=None) -> bool:
        return self.current_status(now) == self.Status.ACTIVE

    def set_status(self, status: str) -> None:
        """Change the status and end every session signed in with the code."""
        self.status = status
        self.status_changed_at = timezone.now()
        self.session_epoch += 1
        self.save(update_fields=["status", "status_changed_at", "session_epoch"])

    @classmethod
    def issue(cls, *, site=None, by=None, expires_at=None, replaces=None, **fields):
        """Create a code; returns (AccessCode, plain code). The plain code exists only in the
        return value: print it, then forget it."""
        for _attempt in range(20):
            plain = codeformat.generate()
            try:
                with transaction.atomic():
                    number = (cls.objects.aggregate(top=Max("number"))["top"] or 0) + 1
                    code = cls.objects.create(
                        digest=codeformat.digest(plain),
                        number=number,
                        site=site,
                        issued_by=by,
                        expires_at=expires_at,
                        replaces=replaces,
                        **fields,
                    )
                return code, codeformat.pretty(plain)
            except IntegrityError:  # two counters took the same number at once: try again
                continue
        raise RuntimeError("could not allocate a new access code number")

    @classmethod
    def find(cls, typed: str) -> AccessCode | None:
        """The code a resident typed, or None when no such code exists.
        Raises codeformat.MistypedCode when the text cannot be a code at all."""
        return cls.objects.filter(digest=codeformat.digest(typed)).first()


class AuditEntry(models.Model):
    """A staff action on a code (or on quotas and providers). Residents never appear here."""

    class Action(models.TextChoices):
        ISSUED = "issued", _("issued")
        SUSPENDED = "suspended", _("suspended")
        REACTIVATED = "reactivated", _("reactivated")
        REVOKED = "revoked", _("revoked")
        REISSUED = "reissued", _("reissued")
        QUOTA = "quota", _("quota changed")
        FLAGGED = "flagged", _("flagged")
        AUTO_SUSPENDED = "auto_suspended", _("suspended automatically")
        SETTINGS = "settings", _("settings changed")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("staff member"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    code = models.ForeignKey(
        AccessCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit"
    )
    label = models.CharField(_("code"), max_length=20, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.label}"

    @classmethod
    def record(cls, actor, action: str, code: AccessCode | None = None, detail: str = ""):
        """Write one entry; `actor` is a staff user, or None for the system itself."""
        name = actor.get_username() if actor is not None else "system"
        return cls.objects.create(
            actor=actor,
            actor_name=name,
            action=action,
            code=code,
            label=code.label if code is not None else "",
            detail=detail[:300],
        )
