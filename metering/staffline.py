"""The STAFF line: reply drafts written for town staff, on the town's budget only.

A draft is not a resident's question: no access code pays for it, so it is held and charged
on the town's monthly ledger alone (never on a code's allowance) and its UsageRecord carries
`line=staff`, so that the spend page shows drafts apart (metering.spend `month_figures`).
The steps are the residents' ones (metering.admission): reserve the worst case (the input
calibrated on the vendor's counts, the whole output limit: a draft's is never shrunk, its
request is sent as it is by townhall.drafts), settle the real usage once, and a reservation
left by a crash is charged as lost by the same `release_stale`.
"""

from __future__ import annotations

from dataclasses import replace

from django.utils import timezone

from .admission import MONTH, AdmissionRefused, Limit, reserve_on, settle
from .alerts import after_answer
from .meter import Metering
from .models import QuotaSettings, UsageRecord, to_micros
from .worstcase import Question, WorstCase

STAFF = UsageRecord.Line.STAFF


def town_limit(now, quotas) -> Limit:
    month = timezone.localtime(now).strftime(MONTH)
    return Limit(f"town:{month}", None, month, None, to_micros(quotas.monthly_budget_eur), "budget")


class Draft(Question):
    """A draft's worst case: a question's, with its whole output limit."""

    def worst(self) -> WorstCase:
        worst = super().worst()
        return replace(worst, min_output=worst.max_output)


class StaffMetering(Metering):
    """One draft's metering: `reserve()` (True: only the free offline provider may write it,
    the budget being spent), then `settle()` exactly once. Both use the ORM (a worker
    thread under ASGI). Prices and usage records are a resident answer's (Metering), with no
    code and the STAFF line."""

    def __init__(self):
        super().__init__(None)

    def reserve(self, *, estimated_input_tokens: int, max_output_tokens: int, chain=()) -> bool:
        self.quotas = QuotaSettings.current()
        self.estimate = estimated_input_tokens
        # Every provider of the chain may bill: the town pays all of it, so it holds all of it.
        draft = Draft(estimated_input_tokens, max_output_tokens, list(chain), self.started)
        draft.prices = self._prices
        limits = [town_limit(self.started, self.quotas)]
        try:
            self.reservation = reserve_on(limits, draft, self.started)
            return False
        except AdmissionRefused:  # the budget is spent: the free extracts are still a draft
            pass
        self.reservation = reserve_on(limits, WorstCase(0), self.started)
        return True

    def settle(self, usage, *, outcome: str, provider, latency_ms: int, failures=()) -> None:
        """Charge the draft's usage (and what failed providers may have billed) to the town,
        release the worst case, and write the usage records of the STAFF line."""
        if self.reservation is None:
            return
        parts = [self._record(usage if provider else None, outcome, provider, latency_ms)]
        for failure in failures:
            if failure.usage.input_tokens or failure.usage.output_tokens:
                failover = UsageRecord.Outcome.FAILOVER
                parts.append(self._record(failure.usage, failover, failure.provider, 0))
        records = [part[0] for part in parts]
        tokens = sum(r.input_tokens + r.output_tokens for r in records if r.kind != "offline")
        micros = sum(r.cost_micros for r in records)
        learn = self._calibration(usage if provider else None, provider)
        moved, _found = settle(self.reservation, tokens, micros, records, also=learn)
        self.reservation = None
        if moved is not None:
            town = moved.get(town_limit(self.started, self.quotas).key)
            after_answer(self.started, town, self.quotas)
