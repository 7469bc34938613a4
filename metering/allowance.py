"""A code's allowance as residents and counter staff see it: what is left, this month's use."""

from __future__ import annotations

import math

from django.db.models import Count, Q, Sum
from django.utils import timezone

from accesscodes.models import AccessCode

from .admission import limits_for
from .models import Ledger, QuotaSettings, UsageRecord, to_euros


def percent_left(code: AccessCode, now=None, quotas=None, ledger=False) -> int | None:
    """How much of the code's monthly allowance is left, 0-100 (None: no limit). `ledger`:
    the code's monthly Ledger (or None) when the caller has already read it."""
    now = now or timezone.now()
    lim = limits_for(code, quotas or QuotaSettings.current(), now)[1]
    if ledger is False:
        ledger = Ledger.objects.filter(key=lim.key).first()
    used_t = (ledger.used_tokens + ledger.reserved_tokens) if ledger else 0
    used_m = (ledger.used_micros + ledger.reserved_micros) if ledger else 0
    shares = []
    if lim.max_tokens:
        shares.append(1 - used_t / lim.max_tokens)
    if lim.max_micros:
        shares.append(1 - used_m / lim.max_micros)
    if not shares:
        return None
    return max(0, min(100, math.floor(min(shares) * 100)))


def usage_summary(code: AccessCode, now=None) -> dict:
    """This month's figures of one code, for the counter desk."""
    now = now or timezone.now()
    lim = limits_for(code, QuotaSettings.current(), now)[1]
    local = timezone.localtime(now)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    records = UsageRecord.objects.filter(code=code, at__gte=start).aggregate(
        questions=Count("id", filter=~Q(outcome=UsageRecord.Outcome.FAILOVER)),
        micros=Sum("cost_micros"),
    )
    ledger = Ledger.objects.filter(key=lim.key).first()
    return {
        "questions": records["questions"] or 0,
        "used_tokens": ledger.used_tokens if ledger else 0,
        "allowance_tokens": lim.max_tokens,
        "percent_left": percent_left(code, now),
        "used_eur": to_euros(records["micros"] or 0),
    }


def usage_panel(code: AccessCode) -> tuple[str, dict]:
    """The "This month" panel of the counter desk's page of a code (accesscodes.desk)."""
    return "metering/code_usage_panel.html", {"usage": usage_summary(code)}
