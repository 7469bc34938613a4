"""Metering's tables: the town's quota settings, running ledgers, reservations, usage records.

Money is counted in whole micro-euros (1 € = 1,000,000) in ledgers, reservations and usage
records, so that the atomic admission check is exact integer arithmetic on every database.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accesscodes.models import AccessCode
from core.memo import Memo

MICROS = 1_000_000


def to_micros(euros) -> int:
    return int((Decimal(str(euros)) * MICROS).to_integral_value())


def to_euros(micros: int) -> Decimal:
    return (Decimal(int(micros)) / MICROS).quantize(Decimal("0.000001"))


class QuotaSettings(models.Model):
    """The town's budget and default allowances: one row, edited by admins."""

    monthly_budget_eur = models.DecimalField(
        _("monthly budget (€)"),
        max_digits=10,
        decimal_places=2,
        validators=[
            MinValueValidator(
                Decimal("0.01"), message=_("The monthly budget must be more than 0 €.")
            )
        ],
    )
    code_monthly_tokens = models.PositiveIntegerField(
        _("monthly tokens per code"), null=True, blank=True
    )
    code_monthly_eur = models.DecimalField(
        _("monthly allowance per code (€)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Optional: a cap in euros on top of, or instead of, the token allowance."),
    )
    code_daily_tokens = models.PositiveIntegerField(
        _("daily tokens per code"), null=True, blank=True, help_text=_("Empty: no daily cap.")
    )
    offline_when_paused = models.BooleanField(
        _("quote documents when the budget is spent"),
        default=True,
        help_text=_("When the monthly budget is spent, answer with free document extracts."),
    )
    auto_suspend_flagged = models.BooleanField(
        _("suspend flagged codes automatically"), default=False
    )
    alert_emails = models.TextField(
        _("alert e-mail addresses"),
        blank=True,
        help_text=_("One per line; empty: every admin with an e-mail address."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quotas and budget")
        verbose_name_plural = _("quotas and budget")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _quotas_memo.clear()

    @classmethod
    def current(cls) -> QuotaSettings:
        """The town's settings, read from the database at most every few seconds."""
        return _quotas_memo.get()

    @classmethod
    def _load(cls) -> QuotaSettings:
        found = cls.objects.filter(pk=1).first()
        if found is None:
            found, _created = cls.objects.get_or_create(
                pk=1,
                defaults={
                    "monthly_budget_eur": Decimal(str(settings.MONTHLY_BUDGET_EUR)),
                    "code_monthly_tokens": settings.DEFAULT_CODE_MONTHLY_TOKENS,
                },
            )
        return found


_quotas_memo = Memo(lambda: QuotaSettings._load())


class Ledger(models.Model):
    """Running totals of one period for one scope: the town's month, or a code's month or day.

    `key` is "town:2026-11", "code:42:2026-11" or "code:42:2026-11-23". Reserved amounts
    are worst cases of answers under way; used amounts are settled answers."""

    key = models.CharField(max_length=40, unique=True)
    code = models.ForeignKey(AccessCode, on_delete=models.CASCADE, null=True, blank=True)
    period = models.CharField(max_length=10, db_index=True)
    used_tokens = models.BigIntegerField(default=0)
    used_micros = models.BigIntegerField(default=0)
    reserved_tokens = models.BigIntegerField(default=0)
    reserved_micros = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("ledger")
        verbose_name_plural = _("ledgers")

    def __str__(self) -> str:
        return self.key


class Reservation(models.Model):
    """The worst case of one answer under way, held on a few ledgers until it is settled.
    A staff draft's (metering.staffline) has no code: it is held on the town's ledger only.
    If its process dies, the worst case is charged once it expires (a "lost" usage record
    in the name of the provider asked first): the vendor may have billed it all."""

    code = models.ForeignKey(
        AccessCode, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    tokens = models.BigIntegerField()  # input and output
    output_tokens = models.BigIntegerField(default=0)  # the output limit sent to the provider
    micros = models.BigIntegerField()
    # What fallbacks may bill on top of `micros`: held on the town's ledger only.
    extra_micros = models.BigIntegerField(default=0)
    ledger_keys = models.CharField(max_length=200)
    # The first paid provider of the chain, to whom a lost answer's charge is attributed.
    provider = models.CharField(max_length=80, blank=True)
    kind = models.CharField(max_length=20, blank=True)
    model = models.CharField(max_length=120, blank=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")

    def __str__(self) -> str:
        return f"reservation {self.pk} ({self.tokens} tokens)"


class UsageRecord(models.Model):
    """One answered (or failed) question: figures only, never any message text."""

    class Line(models.TextChoices):
        """Whose use it was: a resident's question (on their code's allowance and the town's
        budget), or a reply draft for town staff (on the town's budget only)."""

        RESIDENT = "resident", _("residents")
        STAFF = "staff", _("staff drafts")

    class Outcome(models.TextChoices):
        OK = "ok", _("answered")
        PARTIAL = "partial", _("interrupted")
        ERROR = "error", _("failed")
        # A provider that failed before another answered (or all failed), billing the
        # input: its cost counts, but it is not a question of its own.
        FAILOVER = "failover", _("provider failed (billed)")
        # The process died mid-answer: the worst case held is charged, estimated.
        LOST = "lost", _("lost (server stopped)")

    code = models.ForeignKey(
        AccessCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="usage"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    provider = models.CharField(max_length=80, blank=True)
    kind = models.CharField(max_length=20, blank=True)
    model = models.CharField(max_length=120, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cached_tokens = models.PositiveIntegerField(default=0)
    estimated = models.BooleanField(default=False)
    cost_micros = models.BigIntegerField(default=0)
    price = models.ForeignKey(
        "providers.Price", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    latency_ms = models.PositiveIntegerField(default=0)
    line = models.CharField(max_length=8, choices=Line.choices, default=Line.RESIDENT)

    class Meta:
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        ordering = ["-at"]
        indexes = [models.Index(fields=["code", "at"], name="metering_usage_code_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.provider} {self.outcome}"

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @property
    def cost_eur(self) -> Decimal:
        return to_euros(self.cost_micros)


class InputRatio(models.Model):
    """How a provider counted one recent question's input against our estimate (its tokens
    divided by `ChatRequest.input_tokens_estimate()`). Each provider and model keeps a ring
    of METER_CALIBRATION_WINDOW slots, overwritten in turn: the reservation holds the input
    estimate times a high quantile of them (metering.calibration)."""

    provider = models.CharField(max_length=80)
    model = models.CharField(max_length=120, blank=True)
    slot = models.PositiveSmallIntegerField()
    ratio = models.FloatField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("input count ratio")
        verbose_name_plural = _("input count ratios")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "model", "slot"], name="metering_one_ratio_per_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.model} {self.ratio:.2f}"


class BudgetAlert(models.Model):
    """An alert already sent to admins: at most one per month and threshold (80, 100 %)."""

    month = models.CharField(max_length=7)
    level = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("budget alert")
        verbose_name_plural = _("budget alerts")
        constraints = [
            models.UniqueConstraint(fields=["month", "level"], name="metering_one_alert")
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.level}%"
