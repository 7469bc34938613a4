"""The STAFF line: reply drafts written for town staff, on the town's budget only.

A draft is not a resident's question: no access code pays for it, so it is held and charged
on the town's monthly ledger alone (never on a code's allowance) and its UsageRecord carries
`line=staff`, so that the spend page shows drafts apart (metering.spend `month_figures`).
The steps are the residents' ones (metering.admission): reserve the worst case with one
conditional UPDATE, settle the real usage once, and a reservation left by a crash is
released by the same periodic `release_stale`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from providers.pricing import cost_eur, price_at

from . import ledgers
from .admission import MONTH, AdmissionRefused, refusal, settle, worst_case
from .alerts import after_answer
from .models import Ledger, QuotaSettings, Reservation, UsageRecord, to_micros

STAFF = UsageRecord.Line.STAFF
# A draft is written while the agent waits (seconds): a reservation still held after this
# was left by a crashed process, and metering's periodic release_stale frees it.
HELD_FOR = timezone.timedelta(minutes=10)


def town_key(now) -> tuple[str, str]:
    month = timezone.localtime(now).strftime(MONTH)
    return f"town:{month}", month


def _hold(key: str, month: str, tokens: int, micros: int, now, quotas) -> Reservation:
    """Hold on the town's ledger only, or raise AdmissionRefused("budget"); a draft that
    costs nothing (the offline provider) is never refused."""
    budget = to_micros(quotas.monthly_budget_eur) if micros else None
    with transaction.atomic():
        ledgers.ensure([(key, None, month)])
        if not ledgers.hold(key, tokens, micros, None, budget):
            raise refusal("budget")
        return Reservation.objects.create(
            code=None,
            created_at=now,
            expires_at=now + HELD_FOR,
            tokens=tokens,
            micros=micros,
            ledger_keys=key,
        )


class StaffMetering:
    """One draft's metering: `reserve()` (True: only the free offline provider may write it,
    the budget being spent), then `settle()` exactly once. Both use the ORM (a worker
    thread under ASGI)."""

    def __init__(self):
        self.started = timezone.now()
        self.reservation: Reservation | None = None
        self.quotas: QuotaSettings | None = None

    def reserve(self, *, estimated_input_tokens: int, max_output_tokens: int, chain=()) -> bool:
        self.quotas = QuotaSettings.current()
        key, month = town_key(self.started)
        worst = worst_case(estimated_input_tokens, max_output_tokens, chain)
        # Every provider of the chain may bill: the town pays all of it, so hold all of it.
        micros = worst.micros + worst.extra_micros
        try:
            self.reservation = _hold(key, month, worst.tokens, micros, self.started, self.quotas)
            return False
        except AdmissionRefused:  # the budget is spent: the free extracts are still a draft
            pass
        self.reservation = _hold(key, month, 0, 0, self.started, self.quotas)
        return True

    def settle(self, usage, *, outcome: str, provider, latency_ms: int, failures=()) -> None:
        """Charge the draft's usage (and what failed providers may have billed) to the town,
        release the worst case, and write the usage records of the STAFF line."""
        if self.reservation is None:
            return
        records = [self._record(usage if provider else None, outcome, provider, latency_ms)]
        for failure in failures:
            if failure.usage.input_tokens or failure.usage.output_tokens:
                failover = UsageRecord.Outcome.FAILOVER
                records.append(self._record(failure.usage, failover, failure.provider, 0))
        tokens = sum(r.input_tokens + r.output_tokens for r in records if r.kind != "offline")
        micros = sum(r.cost_micros for r in records)
        settle(self.reservation, tokens, micros, records)
        self.reservation = None
        key, _month = town_key(self.started)
        after_answer(self.started, Ledger.objects.filter(key=key).first(), self.quotas)

    def _record(self, usage, outcome, provider, latency_ms) -> UsageRecord:
        config = getattr(provider, "config", None)
        price = price_at(config, self.started)
        record = UsageRecord(
            code=None,
            line=STAFF,
            at=self.started,
            provider=getattr(provider, "name", "")[:80],
            kind=getattr(provider, "kind", ""),
            model=(getattr(provider, "model", "") or "")[:120],
            outcome=outcome,
            latency_ms=max(0, int(latency_ms)),
            price=price if price.pk else None,
        )
        if usage is not None:
            record.input_tokens = usage.input_tokens
            record.output_tokens = usage.output_tokens
            record.cached_tokens = usage.cached_tokens
            record.estimated = usage.estimated
            record.cost_micros = to_micros(cost_eur(usage, price))
        return record
