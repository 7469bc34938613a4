"""Admission without overshoot: reserve an answer's worst case, settle its real usage after.

Every answer goes through three steps:
1. `reserve()` adds the worst case (input estimate with a margin + max output tokens, and its
   cost at the dearest provider of the chain) to the "reserved" column of the town's monthly
   ledger and of the code's monthly (and daily) ledgers (what fallbacks may bill on top is
   held on the town's ledger only), each with one conditional UPDATE
   that only succeeds if used + reserved + worst case still fits the limit. The database
   re-checks that condition on the locked row, so concurrent requests, in any number of
   processes, can never overshoot. If one ledger refuses, the transaction rolls back the
   others and the resident gets a plain message.
2. `settle()` deletes the reservation and, only if it still existed, moves its amounts out
   of "reserved"; the real usage goes into "used" and a UsageRecord (figures, no text). What
   failed providers billed goes into the town's "used" only, where it was held.
3. `release_stale()` (a periodic task) deletes reservations past their expiry, left behind
   by a crashed process, and releases their amounts. Because settle and release both start
   by deleting the reservation row, an amount is released exactly once, never twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accesscodes.models import AccessCode
from providers.pricing import price_at

from . import ledgers
from .models import QuotaSettings, Reservation, UsageRecord, to_micros

MONTH, DAY = "%Y-%m", "%Y-%m-%d"


class AdmissionRefused(Exception):
    """The question must not be answered. `reason`: "allowance" (the code's monthly
    allowance is used up), "daily" (today's cap) or "budget" (the town's budget is spent)."""

    def __init__(self, reason: str, user_message: str):
        super().__init__(reason)
        self.reason = reason
        self.user_message = user_message


def refusal(reason: str) -> AdmissionRefused:
    messages = {
        "allowance": _(
            "You have used this month's allowance of your access code. It will be renewed on "
            "the first day of next month. For an urgent question, please call the town hall."
        ),
        "daily": _(
            "You have asked many questions today. Please come back tomorrow, or call the town "
            "hall for an urgent question."
        ),
        "budget": _(
            "The assistant is paused until the end of the month: the town's budget for it has "
            "been used. Please call the town hall for your question."
        ),
    }
    return AdmissionRefused(reason, messages[reason])


@dataclass(frozen=True)
class Limit:
    """One ledger an answer must fit in: its key, limits (None: no limit) and the refusal."""

    key: str
    code_id: int | None
    period: str
    max_tokens: int | None
    max_micros: int | None
    reason: str


def limits_for(code: AccessCode, quotas: QuotaSettings, now) -> list[Limit]:
    local = timezone.localtime(now)
    month, day = local.strftime(MONTH), local.strftime(DAY)
    monthly_tokens = code.monthly_tokens or quotas.code_monthly_tokens
    monthly_eur = code.monthly_eur if code.monthly_eur is not None else quotas.code_monthly_eur
    daily = code.daily_tokens or quotas.code_daily_tokens
    limits = [
        Limit(f"town:{month}", None, month, None, to_micros(quotas.monthly_budget_eur), "budget"),
        Limit(
            f"code:{code.pk}:{month}",
            code.pk,
            month,
            monthly_tokens,
            to_micros(monthly_eur) if monthly_eur is not None else None,
            "allowance",
        ),
    ]
    if daily:
        limits.append(Limit(f"code:{code.pk}:{day}", code.pk, day, daily, None, "daily"))
    return limits


def reserve(
    code: AccessCode, tokens: int, micros: int, now=None, quotas=None, extra_micros: int = 0
) -> Reservation:
    """Hold `tokens` and `micros` on every ledger of the code, or raise AdmissionRefused.
    `extra_micros` (what fallbacks may bill on top) is held on the town's ledger only. A
    reservation that costs the town nothing is never refused for the town's budget."""
    now = now or timezone.now()
    quotas = quotas or QuotaSettings.current()
    limits = sorted(limits_for(code, quotas, now), key=lambda lim: lim.key)
    with transaction.atomic():
        ledgers.ensure([(lim.key, lim.code_id, lim.period) for lim in limits])
        for lim in limits:
            amount, max_micros = micros, lim.max_micros
            if lim.reason == "budget":
                amount += extra_micros
                max_micros = max_micros if amount else None
            if not ledgers.hold(lim.key, tokens, amount, lim.max_tokens, max_micros):
                raise refusal(lim.reason)  # rolls back what the loop already held
        minutes = settings.METER_RESERVATION_MINUTES
        return Reservation.objects.create(
            code=code,
            created_at=now,
            expires_at=now + timezone.timedelta(minutes=minutes),
            tokens=tokens,
            micros=micros,
            extra_micros=extra_micros,
            ledger_keys=",".join(lim.key for lim in limits),
        )


def _release(reservation: Reservation) -> bool:
    """Delete the reservation; True if this call did it (then its amounts must be released)."""
    deleted, _ = Reservation.objects.filter(pk=reservation.pk).delete()
    return bool(deleted)


def _moves(reservation: Reservation, used, released: bool, town_extra=(0, 0)) -> dict:
    """Per ledger key: (used tokens, used micros, released tokens, released micros).
    `town_extra` (what failed providers billed) is charged to the town's ledger only, as it
    was held there only: a resident's allowance pays for the answer they got."""
    moves = {}
    for key in reservation.ledger_keys.split(","):
        town = key.startswith("town:")
        held = (0, 0)
        if released:
            held = (reservation.tokens, reservation.micros + (reservation.extra_micros * town))
        spent = (used[0] + town_extra[0], used[1] + town_extra[1]) if town else tuple(used)
        moves[key] = (*spent, *held)
    return moves


def settle(reservation: Reservation, tokens: int, micros: int, records=(), town_extra=(0, 0)):
    """Charge the real usage, release the worst case (once) and write the usage records."""
    with transaction.atomic():
        released = _release(reservation)
        ledgers.move(_moves(reservation, (tokens, micros), released, town_extra))
        UsageRecord.objects.bulk_create(records)


def release_stale(now=None) -> int:
    """Release reservations past their expiry (their process died); returns how many."""
    now = now or timezone.now()
    released = 0
    for reservation in Reservation.objects.filter(expires_at__lt=now):
        with transaction.atomic():
            if not _release(reservation):
                continue  # settled meanwhile
            ledgers.move(_moves(reservation, (0, 0), True))
            released += 1
    return released


class WorstCase(NamedTuple):
    """What an answer may cost at most: `tokens` and `micros` for one provider's answer
    (held on the code's ledgers and the town's), `extra_micros` for the fallbacks that may
    bill the input too (held on the town's budget only)."""

    tokens: int
    micros: int
    extra_micros: int = 0


def worst_case(
    estimated_input_tokens: int, max_output_tokens: int, chain, prices=None
) -> WorstCase:
    """What an answer may cost at most with the chain. One provider writes the answer: the
    input and max output once, at the dearest rates, are the resident's. Every other paid
    provider may bill the input too (one that fails after accepting the request, see
    providers.chain): the town pays that, not the resident's allowance. The offline
    provider is free and counts no tokens. `prices`: a function giving a provider config's
    price in force (providers.pricing.price_at by default)."""
    paid = [p for p in chain if p.kind != "offline"]
    if not paid:
        return WorstCase(0, 0)
    tokens_in = math.ceil(estimated_input_tokens * settings.METER_INPUT_MARGIN)
    prices = [(prices or price_at)(provider.config) for provider in paid]
    inputs = [tokens_in * float(price.eur_per_million_input) for price in prices]
    output = max(max_output_tokens * float(price.eur_per_million_output) for price in prices)
    # € per million tokens x tokens = micro-euros
    one = math.ceil(max(inputs) + output)
    return WorstCase(tokens_in + max_output_tokens, one, math.ceil(sum(inputs) + output) - one)
