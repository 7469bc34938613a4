"""Sharing signals per code: salted client fingerprints, then flags from the code's usage.

A client fingerprint is a hash of the network prefix (IPv4 /24, IPv6 /48) and the browser's
user agent, salted with a random salt of the day. The salt is deleted when the day is over,
so no raw address is ever stored and yesterday's fingerprints cannot be linked to today's.
A code seen from many clients in one day, asking very often in one hour, or using far more
than the median code is flagged for admins, and suspended if the town chose so. The usage
figures (questions per hour, tokens this month) are metering's: metering.overuse gathers them
and calls `flag_codes` here for every code (a periodic task), or `flag_code` for one code
when its answer is settled; a code seen from a new client is handed to `new_client_hooks`
(metering registers its check), so flags appear within seconds in every mode.
"""

from __future__ import annotations

import secrets
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import clients
from core.keys import keyed_hash

from .models import AccessCode, AuditEntry, ClientSighting, DailySalt, SuspensionSignal


def client_description(request) -> str:
    """Network prefix + user agent of a request (the raw material of a fingerprint)."""
    network = clients.client_network(request, v4_prefix=24, v6_prefix=48)
    agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    return f"{network}|{agent}"


_salts: dict = {}  # day -> salt, memo of this process (a day's salt never changes)


def salt_of(day) -> str:
    if day in _salts:
        return _salts[day]
    found = DailySalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if not found:
        try:
            with transaction.atomic():
                DailySalt.objects.create(day=day, salt=secrets.token_hex(32))
        except IntegrityError:
            pass  # another process created it first
        found = DailySalt.objects.get(day=day).salt
    _salts.clear()  # keep one day only
    _salts[day] = found
    return found


def fingerprint(client: str, day) -> str:
    return keyed_hash(f"client:{salt_of(day)}", client)[:32]


# Called as hook(code, when) when a code is seen from a client new today (metering.apps).
new_client_hooks: list = []


SIGHTINGS = ClientSighting._meta.db_table
UPSERT_SIGHTING = (
    f"INSERT INTO {SIGHTINGS} (code_id, day, fingerprint, requests) VALUES (%s, %s, %s, 1) "  # noqa: S608
    f"ON CONFLICT (code_id, day, fingerprint) DO UPDATE SET requests = {SIGHTINGS}.requests + 1 "
    "RETURNING requests"
)
# A sighting is a hint, not an account: on PostgreSQL its commit need not wait for the disk
# (measured on the shared machine: 3.9 ms for the write with the flush, 0.13 ms without). A
# database crash may forget the last fraction of a second of sightings, nothing else.
NO_FLUSH = "SET LOCAL synchronous_commit TO OFF; "


def record_sighting(code: AccessCode, client: str, when=None) -> None:
    """Count one question of `code` from `client` today (one statement)."""
    when = when or timezone.now()
    day = timezone.localdate(when)
    mark = fingerprint(client, day)
    params = [code.pk, connection.ops.adapt_datefield_value(day), mark]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # both statements in one message
            cursor.execute(NO_FLUSH + UPSERT_SIGHTING, params)
            cursor.nextset()
        else:
            cursor.execute(UPSERT_SIGHTING, params)
        seen = cursor.fetchone()[0]
    if seen == 1:  # one more device today: its signal may have just crossed
        for hook in new_client_hooks:
            hook(code, when)


def forget_old_salts(today=None) -> int:
    """Delete the salts of past days (and sightings older than the look-back window)."""
    today = today or timezone.localdate()
    keep_from = today - timezone.timedelta(days=settings.SHARING_KEEP_DAYS)
    ClientSighting.objects.filter(day__lt=keep_from).delete()
    deleted, _ = DailySalt.objects.filter(day__lt=today).delete()
    for day in [day for day in _salts if day < today]:
        del _salts[day]
    return deleted


@dataclass
class Signals:
    """What makes one code look shared or abused, with the figures behind it."""

    code_id: int
    clients_today: int = 0
    peak_per_hour: int = 0
    month_tokens: int = 0
    times_median: float = 0.0
    reasons: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # "clients", "burst", "median"


def signals(now, peaks: dict[int, int], month_tokens: dict[int, int]) -> dict[int, Signals]:
    """Signals of every code seen today or with usage, with reasons past thresholds.
    `peaks`: the most questions each code asked in one hour of the last day; `month_tokens`:
    each code's tokens this month (both from metering)."""
    found: dict[int, Signals] = defaultdict(lambda: Signals(0))
    today = timezone.localdate(now)
    clients = (
        ClientSighting.objects.filter(day=today).values("code_id").annotate(n=Count("fingerprint"))
    )
    for row in clients:
        found[row["code_id"]].clients_today = row["n"]
    for code_id, peak in peaks.items():
        found[code_id].peak_per_hour = peak
    median = statistics.median(month_tokens.values()) if month_tokens else 0
    for code_id, tokens in month_tokens.items():
        found[code_id].month_tokens = tokens
        found[code_id].times_median = tokens / median if median else 0.0

    for code_id, sig in found.items():
        sig.code_id = code_id
        judge(sig, len(month_tokens))
    return dict(found)


def judge(sig: Signals, codes_with_usage: int) -> Signals:
    """Fill the reasons and kinds of the thresholds a code's signals pass; the median
    signal needs `codes_with_usage` (codes with usage this month) to mean something."""
    if sig.clients_today >= settings.SHARING_MAX_CLIENTS_PER_DAY:
        sig.reasons.append(_("%(n)d different devices today") % {"n": sig.clients_today})
        sig.kinds.append("clients")
    if sig.peak_per_hour >= settings.SHARING_MAX_REQUESTS_PER_HOUR:
        sig.reasons.append(_("%(n)d questions in one hour") % {"n": sig.peak_per_hour})
        sig.kinds.append("burst")
    if (
        codes_with_usage >= settings.SHARING_MEDIAN_MIN_CODES
        and sig.times_median >= settings.SHARING_MAX_TIMES_MEDIAN
    ):
        sig.reasons.append(
            _("%(times).0f× the usage of the median code this month") % {"times": sig.times_median}
        )
        sig.kinds.append("median")
    return sig


def flag_codes(now, peaks, month_tokens, auto_suspend: bool) -> list[AccessCode]:
    """Flag the codes whose signals (see `signals`) pass a threshold; suspend them if
    `auto_suspend`.

    A code is suspended only when it is newly flagged, and never twice in a month for the
    same kind of signal: once an admin has reactivated it (and maybe cleared its flag), the
    signals the admin looked into, still there on every pass, do not suspend it again.
    The reasons are stored in the town's language, whatever language this process is in."""
    with translation.override(settings.LANGUAGE_CODE):
        return _flag_codes(signals(now, peaks, month_tokens), now, auto_suspend)


def _flag_codes(found: dict[int, Signals], now, auto_suspend: bool) -> list[AccessCode]:
    flagged = []
    for sig in found.values():
        if not sig.reasons:
            continue
        code = AccessCode.objects.filter(pk=sig.code_id).first()
        if code is not None and _flag(code, sig, now, auto_suspend):
            flagged.append(code)
    return flagged


def flag_code(code: AccessCode, sig: Signals, codes_with_usage: int, now, auto_suspend) -> bool:
    """`flag_codes` for one code, from its figures (`sig`, not judged yet); True if flagged
    now. Writes (and reads) nothing unless a threshold is passed with new reasons."""
    with translation.override(settings.LANGUAGE_CODE):
        judge(sig, codes_with_usage)
        return bool(sig.reasons) and _flag(code, sig, now, auto_suspend)


def _flag(code: AccessCode, sig: Signals, now, auto_suspend: bool) -> bool:
    reasons = "; ".join(sig.reasons)
    if code.flagged_at is not None and code.flag_reasons == reasons[:300]:
        return False  # already flagged for these reasons
    code.flagged_at = now
    code.flag_reasons = reasons[:300]
    code.save(update_fields=["flagged_at", "flag_reasons"])
    AuditEntry.record(None, AuditEntry.Action.FLAGGED, code, reasons)
    if auto_suspend and code.status == AccessCode.Status.ACTIVE:
        month = timezone.localtime(now).strftime("%Y-%m")
        _suspend(code, month, sig.kinds, reasons)
    return True


def _suspend(code: AccessCode, month: str, kinds: list[str], reasons: str) -> None:
    """Suspend the code unless every kind of signal already suspended it this month."""
    done = set(
        SuspensionSignal.objects.filter(code=code, month=month).values_list("kind", flat=True)
    )
    fresh = [kind for kind in kinds if kind not in done]
    if not fresh:
        return  # an admin reactivated it after a suspension for these signals
    SuspensionSignal.objects.bulk_create(
        [SuspensionSignal(code=code, month=month, kind=kind) for kind in fresh],
        ignore_conflicts=True,
    )
    code.set_status(AccessCode.Status.SUSPENDED)
    AuditEntry.record(None, AuditEntry.Action.AUTO_SUSPENDED, code, reasons)
