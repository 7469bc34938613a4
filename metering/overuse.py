"""Usage figures behind the sharing signals: questions per hour and tokens per code this month.

The thresholds, flags and automatic suspensions are the codes' own (accesscodes.sharing); this
module only reads the usage they need. Tokens this month are the paid tokens of the code's
monthly ledger (what its allowance counts). Two ways in:
- `flag_codes()`, every code at once (the periodic task, a catch-up where a beat runs);
- `check_code()`, one code when its answer is settled (its figures come with the settlement,
  see `code_queries`) or when it is seen from a new device (accesscodes.sharing hook): flags
  show on /spend/ at once, in every mode, the embedded one included. The median code's
  tokens, which needs every code, is read at most once a minute per process.
"""

from __future__ import annotations

import statistics
from collections import Counter

from django.db import connection
from django.utils import timezone

from accesscodes import sharing
from accesscodes.models import AccessCode, ClientSighting
from core.memo import Memo

from .models import Ledger, QuotaSettings, UsageRecord

MEDIAN_SECONDS = 60.0  # how stale the median code's usage may be in a settlement's check
RECORDS = UsageRecord._meta.db_table
SIGHTINGS = ClientSighting._meta.db_table


def month_of(now) -> str:
    return timezone.localtime(now).strftime("%Y-%m")


def month_tokens(now) -> dict[int, int]:
    """Paid tokens this month per code that used any (its monthly ledger)."""
    rows = Ledger.objects.filter(period=month_of(now), code__isnull=False, used_tokens__gt=0)
    return dict(rows.values_list("code_id", "used_tokens"))


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
    return peaks, month_tokens(now)


def signals(now=None) -> dict[int, sharing.Signals]:
    """The sharing signals of every code, with the usage figures of this moment."""
    now = now or timezone.now()
    return sharing.signals(now, *usage_by_code(now))


def flag_codes(now=None) -> list[AccessCode]:
    """Flag (and, if the town chose so, suspend) the codes whose signals pass a threshold."""
    now = now or timezone.now()
    auto_suspend = QuotaSettings.current().auto_suspend_flagged
    return sharing.flag_codes(now, *usage_by_code(now), auto_suspend)


def _median_now() -> tuple[float, int]:
    tokens = list(month_tokens(timezone.now()).values())
    return (statistics.median(tokens) if tokens else 0.0), len(tokens)


_median = Memo(_median_now, seconds=MEDIAN_SECONDS)


def code_queries(code: AccessCode, now) -> list[tuple[str, list]]:
    """The counts one code's check needs, as one (sql, params) to send with its settlement:
    its questions in this clock hour (the settled one included) and its devices today."""
    hour = connection.ops.adapt_datetimefield_value(now.replace(minute=0, second=0, microsecond=0))
    day = connection.ops.adapt_datefield_value(timezone.localdate(now))
    return [
        (
            f"SELECT (SELECT COUNT(*) FROM {RECORDS} WHERE code_id = %s AND at >= %s "  # noqa: S608
            f"AND outcome <> %s), (SELECT COUNT(*) FROM {SIGHTINGS} WHERE code_id = %s "
            "AND day = %s)",
            [code.pk, hour, UsageRecord.Outcome.FAILOVER, code.pk, day],
        )
    ]


def check_code(code: AccessCode, now, counts=None, ledger=False, quotas=None) -> bool:
    """Flag one code now if its signals pass a threshold; True if flagged. `counts`: the
    cursors of `code_queries` run with the settlement, `ledger`: its monthly Ledger as the
    settlement left it (both read here when not given)."""
    if counts is None:
        with connection.cursor() as cursor:
            [(sql, params)] = code_queries(code, now)
            cursor.execute(sql, params)
            found = cursor.fetchone()
    else:
        found = counts[0].fetchone()
    if ledger is False:
        ledger = Ledger.objects.filter(key=f"code:{code.pk}:{month_of(now)}").first()
    tokens = ledger.used_tokens if ledger is not None else 0
    median, codes = _median.get()
    sig = sharing.Signals(
        code.pk,
        clients_today=found[1],
        peak_per_hour=found[0],
        month_tokens=tokens,
        times_median=tokens / median if median else 0.0,
    )
    auto_suspend = (quotas or QuotaSettings.current()).auto_suspend_flagged
    return sharing.flag_code(code, sig, codes, now, auto_suspend)


def check_new_client(code: AccessCode, when) -> None:
    """The hook of accesscodes.sharing.new_client_hooks: a new device today."""
    check_code(code, when)
