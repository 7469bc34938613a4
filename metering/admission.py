"""Admission without overshoot: reserve an answer's worst case, settle its real usage after.

Every answer goes through three steps:
1. `reserve()` locks the town's monthly ledger and the code's monthly (and daily) ledgers, in
   key order, reads what they hold and adds the worst case (the input our estimate and the
   vendor's calibration allow for, and an output limit, at the dearest provider of the
   chain) to their "reserved" column; what fallbacks may bill on top is held on the town's
   ledger only. The rows stay locked until the commit, so concurrent requests, in any number
   of processes, can never overshoot. When what is left cannot hold a full answer, the
   output limit is shrunk to fit (down to METER_MIN_OUTPUT_TOKENS) and sent to the provider;
   below that the question is refused with a plain message (or told to wait, when answers
   under way hold what it needs: see `AdmissionRefused.may_wait`).
2. `settle()` locks the reservation and, only if it still exists, moves its amounts out of
   "reserved"; the real usage goes into "used" and a UsageRecord (figures, no text), and the
   reservation is deleted. What failed providers billed goes into the town's "used" only.
3. `release_stale()` charges reservations past their expiry, left behind by a process that
   died mid-answer: the vendor may have billed everything, so the worst case held is charged
   (a "lost" record, estimated). It goes through `settle()`, so an amount is settled
   exactly once, by whichever comes first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accesscodes.models import AccessCode

from . import ledgers
from .ledgers import Batch
from .models import QuotaSettings, Reservation, UsageRecord, to_micros
from .worstcase import WorstCase

MONTH, DAY = "%Y-%m", "%Y-%m-%d"


class AdmissionRefused(Exception):
    """The question must not be answered. `reason`: "allowance" (the code's monthly
    allowance is used up), "daily" (today's cap) or "budget" (the town's budget is spent).
    `may_wait`: answers under way hold what the question needs; it may fit once they are
    settled."""

    def __init__(self, reason: str, user_message: str, may_wait: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.user_message = user_message
        self.may_wait = may_wait


def refusal(reason: str, may_wait: bool = False) -> AdmissionRefused:
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
    return AdmissionRefused(reason, messages[reason], may_wait)


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


def fit(worst: WorstCase, limits: list[Limit], rows: dict) -> int:
    """The output limit every ledger can hold (rows: key -> used and held amounts), or raise
    AdmissionRefused for the first ledger, in key order, that cannot hold the minimum."""
    output = worst.max_output
    for lim in limits:
        row = rows.get(lim.key, (0, 0, 0, 0))
        best = worst.largest_output(lim, *row)
        if best < min(worst.min_output, worst.max_output):
            # Answers under way hold part of it: it may fit once they are settled.
            may_wait = worst.largest_output(lim, row[0], row[1], 0, 0) >= worst.min_output
            raise refusal(lim.reason, may_wait=may_wait and (row[2] > 0 or row[3] > 0))
        output = min(output, best)
    return output


def reserve(code: AccessCode, need, now=None, quotas=None) -> Reservation:
    """Hold the worst case of `need` on every ledger of the code, or raise AdmissionRefused.

    `need` is a WorstCase, or a worstcase.Question: `queue(batch)` queues what it must read
    (in the same round trip as the ledgers) and `worst()` gives the WorstCase. The output
    limit granted is the reservation's `output_tokens`."""
    now = now or timezone.now()
    quotas = quotas or QuotaSettings.current()
    return reserve_on(limits_for(code, quotas, now), need, now, code)


def reserve_on(limits: list[Limit], need, now, code: AccessCode | None = None) -> Reservation:
    """`reserve()` on these ledgers (a staff draft's: the town's only, metering.staffline)."""
    limits = sorted(limits, key=lambda lim: lim.key)
    with Batch() as batch:
        ledgers.ensure(batch, [(lim.key, lim.code_id, lim.period) for lim in limits])
        locked = ledgers.lock(batch, [lim.key for lim in limits])
        need.queue(batch)
        stale = ledgers.any_stale(batch, now)
        worst = need.worst()
        output = fit(worst, limits, ledgers.rows_of(locked))
        held = {}
        for lim in limits:
            micros = worst.town_micros(output) if lim.reason == "budget" else worst.micros(output)
            held[lim.key] = (worst.tokens(output), micros)
        ledgers.hold(batch, held)
        reservation = Reservation(
            code=code,
            created_at=now,
            expires_at=now + timezone.timedelta(minutes=settings.METER_RESERVATION_MINUTES),
            tokens=worst.tokens(output),
            output_tokens=output,
            micros=worst.micros(output),
            extra_micros=worst.town_micros(output) - worst.micros(output),
            ledger_keys=",".join(lim.key for lim in limits),
        )
        reservation.provider, reservation.kind, reservation.model = worst.provider
        inserted = ledgers.insert_reservation(batch, reservation)
    reservation.pk = ledgers.inserted_id(inserted)
    if ledgers.found(stale):  # a process died mid-answer: charge what it held (any mode)
        release_stale(now)
    return reservation


def _moves(reservation: Reservation, used, town_extra=(0, 0)) -> dict:
    """Per ledger key: (used tokens, used micros, released tokens, released micros).
    `town_extra` (what failed providers billed) is charged to the town's ledger only, as it
    was held there only: a resident's allowance pays for the answer they got."""
    moves = {}
    for key in reservation.ledger_keys.split(","):
        town = key.startswith("town:")
        held = (reservation.tokens, reservation.micros + (reservation.extra_micros * town))
        spent = (used[0] + town_extra[0], used[1] + town_extra[1]) if town else tuple(used)
        moves[key] = (*spent, *held)
    return moves


def settle(reservation, tokens, micros, records=(), town_extra=(0, 0), also=()):
    """Charge the real usage, release the worst case and write the usage records, if the
    reservation was not settled already; `also`: more (sql, params) sent in the same round
    trip (calibration, sharing counts). Returns (the ledgers after the move, key -> Ledger,
    or None when it had been settled already; the cursors of `also`)."""
    with Batch() as batch:
        ledgers.lock_reservation(batch, reservation.pk)
        moved = ledgers.move(
            batch, reservation.pk, _moves(reservation, (tokens, micros), town_extra)
        )
        for record in records:
            ledgers.insert_record(batch, reservation.pk, record)
        extra = [batch.run(sql, params) for sql, params in also]
        ledgers.delete_reservation(batch, reservation.pk)
    return ledgers.after_move(moved), extra


def lost_record(reservation: Reservation) -> UsageRecord:
    """The usage record of an answer whose process died: everything held, estimated (a
    reservation with no code was a staff draft's)."""
    staff = reservation.code_id is None
    return UsageRecord(
        code_id=reservation.code_id,
        line=UsageRecord.Line.STAFF if staff else UsageRecord.Line.RESIDENT,
        at=reservation.created_at,
        provider=reservation.provider,
        kind=reservation.kind,
        model=reservation.model,
        input_tokens=reservation.tokens - reservation.output_tokens,
        output_tokens=reservation.output_tokens,
        estimated=True,
        cost_micros=reservation.micros + reservation.extra_micros,
        outcome=UsageRecord.Outcome.LOST,
    )


def release_stale(now=None) -> int:
    """Charge the worst case of reservations past their expiry (their process died): the
    town's spend must never be below what vendors billed. Returns how many."""
    now = now or timezone.now()
    charged = 0
    for reservation in Reservation.objects.filter(expires_at__lt=now):
        held = (reservation.tokens, reservation.micros)
        records = [lost_record(reservation)] if any(held) else []  # a free answer costs 0
        moved, _also = settle(reservation, *held, records, (0, reservation.extra_micros))
        charged += moved is not None  # else settled meanwhile
    return charged
