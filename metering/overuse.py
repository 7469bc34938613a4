"""Usage figures behind the sharing signals: questions per hour and tokens per code this month.

The thresholds, flags and automatic suspensions are the codes' own (accesscodes.sharing); this
module only reads the usage records they need.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import F, Sum
from django.utils import timezone

from accesscodes import sharing
from accesscodes.models import AccessCode

from .models import QuotaSettings, UsageRecord


def usage_by_code(now) -> tuple[dict[int, int], dict[int, int]]:
    """(most questions in one hour of the last day, tokens this month) per code id."""
    per_hour: Counter = Counter()
    since = now - timezone.timedelta(hours=24)
    questions = UsageRecord.objects.filter(at__gte=since, code__isnull=False).exclude(
        outcome=UsageRecord.Outcome.FAILOVER  # a failed provider's part, not a question
    )
    for code_id, at in questions.values_list("code_id", "at"):
        per_hour[(code_id, at.replace(minute=0, second=0, microsecond=0))] += 1
    peaks: dict[int, int] = {}
    for (code_id, _hour), n in per_hour.items():
        peaks[code_id] = max(peaks.get(code_id, 0), n)
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month = (
        UsageRecord.objects.filter(at__gte=month_start, code__isnull=False)
        .values("code_id")
        .annotate(tokens=Sum(F("input_tokens") + F("output_tokens")))
    )
    return peaks, {row["code_id"]: row["tokens"] or 0 for row in month}


def signals(now=None) -> dict[int, sharing.Signals]:
    """The sharing signals of every code, with the usage figures of this moment."""
    now = now or timezone.now()
    return sharing.signals(now, *usage_by_code(now))


def flag_codes(now=None) -> list[AccessCode]:
    """Flag (and, if the town chose so, suspend) the codes whose signals pass a threshold."""
    now = now or timezone.now()
    auto_suspend = QuotaSettings.current().auto_suspend_flagged
    return sharing.flag_codes(now, *usage_by_code(now), auto_suspend)
