"""Spend figures for admins: a month's totals, projection, days, providers, codes, past months,
and an estimate of the energy and emissions of the answers (ecologits)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from ecologits.tracers.utils import llm_impacts

from accesscodes.models import AccessCode

from .models import Ledger, QuotaSettings, UsageRecord, to_euros

CENT = Decimal("0.01")


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """Start and end (exclusive) of a "YYYY-MM" month in local time, as aware datetimes."""
    year, number = (int(part) for part in month.split("-"))
    start = dt.datetime(year, number, 1)
    end = dt.datetime(year + (number == 12), number % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    return timezone.make_aware(start, zone), timezone.make_aware(end, zone)


def current_month(now=None) -> str:
    return timezone.localtime(now or timezone.now()).strftime("%Y-%m")


def shift_month(month: str, delta: int) -> str:
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass
class MonthFigures:
    month: str
    budget_eur: Decimal
    spent_eur: Decimal = Decimal(0)
    reserved_eur: Decimal = Decimal(0)
    questions: int = 0
    active_codes: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    # The STAFF line (metering.staffline): reply drafts for town staff, included in the
    # spend above but in no question count and on no code.
    staff_eur: Decimal = Decimal(0)
    staff_drafts: int = 0
    projection_eur: Decimal | None = None
    days: list[dict] = field(default_factory=list)
    providers: list[dict] = field(default_factory=list)
    top_codes: list[dict] = field(default_factory=list)
    outcomes: dict = field(default_factory=dict)

    @property
    def first_day(self) -> dt.date:
        year, number = (int(part) for part in self.month.split("-"))
        return dt.date(year, number, 1)

    @property
    def percent_of_budget(self) -> int:
        if not self.budget_eur:
            return 0
        return int((self.spent_eur / self.budget_eur * 100).to_integral_value(ROUND_HALF_UP))

    @property
    def average_eur(self) -> Decimal | None:
        if not self.questions:
            return None
        residents = self.spent_eur - self.staff_eur
        return (residents / self.questions).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _euros(micros) -> Decimal:
    return to_euros(micros or 0)


def _questions() -> Count:
    """Questions asked: the usage records but those of a failed provider's part (their cost
    counts in the totals, but the question has a record of its own) and staff drafts."""
    return Count(
        "id", filter=~Q(outcome=UsageRecord.Outcome.FAILOVER) & Q(line=UsageRecord.Line.RESIDENT)
    )


def _staff_drafts() -> Count:
    staff = Q(line=UsageRecord.Line.STAFF)
    return Count("id", filter=staff & ~Q(outcome=UsageRecord.Outcome.FAILOVER))


def month_figures(month: str | None = None, now=None, top: int = 10) -> MonthFigures:
    """Every figure of the dashboard for one month, from the usage records."""
    now = now or timezone.now()
    month = month or current_month(now)
    start, end = month_bounds(month)
    records = UsageRecord.objects.filter(at__gte=start, at__lt=end)
    totals = records.aggregate(
        micros=Sum("cost_micros"),
        questions=_questions(),
        codes=Count("code", distinct=True),
        input_tokens=Sum("input_tokens"),
        output_tokens=Sum("output_tokens"),
        cached_tokens=Sum("cached_tokens"),
        staff_micros=Sum("cost_micros", filter=Q(line=UsageRecord.Line.STAFF)),
        staff_drafts=_staff_drafts(),
    )
    figures = MonthFigures(
        month=month,
        budget_eur=QuotaSettings.current().monthly_budget_eur,
        spent_eur=_euros(totals["micros"]),
        questions=totals["questions"] or 0,
        active_codes=totals["codes"] or 0,
        input_tokens=totals["input_tokens"] or 0,
        output_tokens=totals["output_tokens"] or 0,
        cached_tokens=totals["cached_tokens"] or 0,
        staff_eur=_euros(totals["staff_micros"]),
        staff_drafts=totals["staff_drafts"] or 0,
    )
    ledger = Ledger.objects.filter(key=f"town:{month}").first()
    figures.reserved_eur = _euros(ledger.reserved_micros if ledger else 0)
    figures.projection_eur = projection(figures.spent_eur, month, now)
    figures.days = _days(records, start)
    figures.providers = _providers(records)
    figures.top_codes = _top_codes(records, top)
    figures.outcomes = dict(
        records.values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n")
    )
    return figures


def _days(records, start: dt.datetime) -> list[dict]:
    """Spend and questions of every day of the month (days without any included)."""
    zone = timezone.get_current_timezone()
    by_day = {
        row["day"]: row
        for row in records.annotate(day=TruncDate("at", tzinfo=zone))
        .values("day")
        .annotate(micros=Sum("cost_micros"), questions=_questions())
    }
    days = []
    for number in range(1, calendar.monthrange(start.year, start.month)[1] + 1):
        day = dt.date(start.year, start.month, number)
        row = by_day.get(day, {})
        days.append(
            {"day": day, "eur": _euros(row.get("micros")), "questions": row.get("questions", 0)}
        )
    return days


def _providers(records) -> list[dict]:
    """Spend, questions, tokens and estimated impacts per provider and model, dearest first."""
    rows = (
        records.values("provider", "kind", "model")
        .annotate(
            micros=Sum("cost_micros"),
            questions=_questions(),
            answers=Count("id"),
            input_tokens=Sum("input_tokens"),
            output_tokens=Sum("output_tokens"),
            cached_tokens=Sum("cached_tokens"),
            latency=Sum("latency_ms"),
        )
        .order_by("-micros", "provider", "model")
    )
    return [{**row, "eur": _euros(row.pop("micros")), "impact": impact_of(row)} for row in rows]


# Our provider kinds -> ecologits' provider names; other kinds (offline, a town's own or an
# OpenAI-compatible server) get no estimate: ecologits does not know their models.
ECOLOGITS_PROVIDERS = {"openai": "openai", "anthropic": "anthropic", "mistral": "mistralai"}
ELECTRICITY_ZONE = "FRA"  # the mix ecologits applies to the usage phase


@dataclass
class Impact:
    """Estimated energy (Wh) and emissions (g CO2 eq.) per answer and for the whole row."""

    wh_per_answer: float
    g_per_answer: float
    wh_total: float
    g_total: float


def _middle(value) -> float:
    """ecologits gives a value or a range (min, max): the middle of the range."""
    low, high = getattr(value, "min", value), getattr(value, "max", value)
    return (float(low) + float(high)) / 2


def impact_of(row: dict) -> Impact | None:
    """The estimate of one provider-and-model row: its mean answer (output tokens, latency)
    through ecologits, times the number of answers. None when ecologits cannot say."""
    provider = ECOLOGITS_PROVIDERS.get(row.get("kind") or "")
    answers = row.get("answers") or 0
    if provider is None or not answers or not row.get("output_tokens"):
        return None
    try:
        impacts = llm_impacts(
            provider=provider,
            model_name=row["model"],
            output_token_count=row["output_tokens"] / answers,
            request_latency=max((row.get("latency") or 0) / answers / 1000, 0.1),
            electricity_mix_zone=ELECTRICITY_ZONE,
        )
    except Exception:  # an unknown model or an ecologits change: no estimate, no failure
        return None
    if impacts is None or impacts.energy is None or impacts.gwp is None:
        return None
    wh = _middle(impacts.energy.value) * 1000  # kWh -> Wh
    grams = _middle(impacts.gwp.value) * 1000  # kg -> g
    return Impact(wh, grams, wh * answers, grams * answers)


def month_impact(providers: list[dict]) -> Impact | None:
    """The month's estimate: the sum of the rows that have one."""
    known = [(row["impact"], row["answers"]) for row in providers if row["impact"]]
    if not known:
        return None
    answers = sum(count for _impact, count in known)
    wh = sum(impact.wh_total for impact, _count in known)
    grams = sum(impact.g_total for impact, _count in known)
    return Impact(wh / answers, grams / answers, wh, grams)


def _top_codes(records, top: int) -> list[dict]:
    """The codes that used the most tokens, with their status (labels only, never a code)."""
    rows = (
        records.filter(code__isnull=False)
        .values("code_id", "code__number", "code__status", "code__expires_at", "code__flagged_at")
        .annotate(
            tokens=Sum(F("input_tokens") + F("output_tokens")),
            micros=Sum("cost_micros"),
            questions=_questions(),
        )
        .order_by("-tokens", "code__number")[:top]
    )
    codes = [
        (
            row,
            AccessCode(
                number=row["code__number"],
                status=row["code__status"],
                expires_at=row["code__expires_at"],
            ),
        )
        for row in rows
    ]
    return [
        {
            "label": code.label,
            "number": code.number,
            "status": code.status,
            "status_label": code.current_status_label(),
            "flagged": row["code__flagged_at"] is not None,
            "tokens": row["tokens"] or 0,
            "questions": row["questions"],
            "eur": _euros(row["micros"]),
        }
        for row, code in codes
    ]


def projection(spent: Decimal, month: str, now=None) -> Decimal | None:
    """Spend at month end if the month goes on as it went so far (by elapsed days);
    None for a month that has not started, the spend itself for a finished month."""
    now = timezone.localtime(now or timezone.now())
    start, end = month_bounds(month)
    if now < start:
        return None
    if now >= end:
        return spent
    days_in = calendar.monthrange(start.year, start.month)[1]
    elapsed = now.day  # today counts as a day under way
    return (spent * days_in / elapsed).quantize(CENT, ROUND_HALF_UP)


def past_months(now=None, count: int = 12) -> list[dict]:
    """Spend and questions of the last `count` months before the current one, newest first."""
    now = now or timezone.now()
    this = current_month(now)
    first = shift_month(this, -count)
    start, _ = month_bounds(first)
    end, _ = month_bounds(this)
    zone = timezone.get_current_timezone()
    rows = (
        UsageRecord.objects.filter(at__gte=start, at__lt=end)
        .annotate(month=TruncMonth("at", tzinfo=zone))
        .values("month")
        .annotate(micros=Sum("cost_micros"), questions=_questions())
    )
    found = {row["month"].strftime("%Y-%m"): row for row in rows}
    return [
        {
            "month": month,
            "first_day": dt.date(*(int(part) for part in month.split("-")), 1),
            "eur": _euros(found[month]["micros"]),
            "questions": found[month]["questions"],
        }
        for month in (shift_month(this, -delta) for delta in range(1, count + 1))
        if month in found
    ]


def earliest_month() -> str | None:
    """The first month with any usage record, or None."""
    first = UsageRecord.objects.order_by("at").values_list("at", flat=True).first()
    return current_month(first) if first else None


def flagged_codes():
    return AccessCode.objects.filter(flagged_at__isnull=False).order_by("-flagged_at")
