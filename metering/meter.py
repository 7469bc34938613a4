"""The chat view's admission seam: reserve an answer's worst case, then settle it exactly once."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from accesscodes.models import AccessCode
from providers.pricing import cost_eur, price_at

from .admission import AdmissionRefused, limits_for, reserve, settle, worst_case
from .alerts import after_answer, budget_spent
from .allowance import percent_left
from .models import Ledger, QuotaSettings, Reservation, UsageRecord, to_micros


class Metering:
    """The chat view's admission seam for one code (see arcachat.chat): `reserve()` holds the
    worst case atomically or raises AdmissionRefused; `settle()` is then called exactly once,
    even if the browser left. Both run in a worker thread (they use the ORM)."""

    def __init__(self, code: AccessCode):
        self.code = code
        self.reservation: Reservation | None = None
        self.started = timezone.now()
        self.quotas: QuotaSettings | None = None
        self.offline_only = False
        self._prices: dict = {}

    def price(self, config):
        """The price in force when the question was asked, read once per provider and answer:
        the reservation and the settlement use the same one."""
        key = getattr(config, "pk", None)
        if key is None:
            return price_at(config, self.started)
        if key not in self._prices:
            self._prices[key] = price_at(config, self.started)
        return self._prices[key]

    def reserve(self, *, estimated_input_tokens: int, max_output_tokens: int, chain=()) -> bool:
        """Hold the worst case; returns True if only the free offline provider may answer."""
        self.quotas = QuotaSettings.current()
        worst = worst_case(estimated_input_tokens, max_output_tokens, chain, self.price)
        try:
            self.reservation = reserve(
                self.code, worst.tokens, worst.micros, self.started, self.quotas, worst.extra_micros
            )
        except AdmissionRefused as exc:
            if exc.reason == "budget":
                budget_spent(self.started)  # the 100 % alert, once a month
            if exc.reason != "budget" or not self.quotas.offline_when_paused:
                raise
            self.offline_only = True
            self.reservation = reserve(self.code, 0, 0, self.started, self.quotas)
        return self.offline_only

    def _record(self, usage, outcome, provider, latency_ms) -> tuple[UsageRecord, int, int]:
        """A usage record for one provider's part, and the (tokens, micro-euros) it costs."""
        config = getattr(provider, "config", None)
        kind = getattr(provider, "kind", "")
        price = self.price(config)
        record = UsageRecord(
            code=self.code,
            at=self.started,
            provider=getattr(provider, "name", "")[:80],
            kind=kind,
            model=(getattr(provider, "model", "") or "")[:120],
            outcome=outcome,
            latency_ms=max(0, int(latency_ms)),
            price=price if price.pk else None,
        )
        tokens = micros = 0
        if usage is not None:
            record.input_tokens = usage.input_tokens
            record.output_tokens = usage.output_tokens
            record.cached_tokens = usage.cached_tokens
            record.estimated = usage.estimated
            record.cost_micros = micros = to_micros(cost_eur(usage, price))
            if kind != "offline":
                tokens = usage.input_tokens + usage.output_tokens
        return record, tokens, micros

    def settle(self, usage, *, outcome, provider, latency_ms, failures=()) -> int | None:
        """Charge what was used (and what failed providers may have billed), release the
        rest; returns the allowance left (%).

        The request's database connection was taken before the answer started; if the
        server restarted meanwhile, it is dead: it is dropped and the settlement runs once
        more on a fresh one. If the first attempt committed after all (only its reply was
        lost), the reservation is gone and nothing is charged twice."""
        reservation = self.reservation
        try:
            return self._settle(usage, outcome, provider, latency_ms, failures)
        except (OperationalError, InterfaceError):
            connection.close()
            if reservation is None or self.reservation is None:
                raise
            if not Reservation.objects.filter(pk=reservation.pk).exists():
                self.reservation = None  # settled by the first attempt
                return None
            return self._settle(usage, outcome, provider, latency_ms, failures)

    def _settle(self, usage, outcome, provider, latency_ms, failures) -> int | None:
        if self.reservation is None:
            return None
        parts = [self._record(usage if provider else None, outcome, provider, latency_ms)]
        for failure in failures:  # providers that failed first but may have billed the input
            if failure.usage.input_tokens or failure.usage.output_tokens:
                failover = UsageRecord.Outcome.FAILOVER  # billed, but not a question
                parts.append(self._record(failure.usage, failover, failure.provider, 0))
        failed = (sum(part[1] for part in parts[1:]), sum(part[2] for part in parts[1:]))
        _record, tokens, micros = parts[0]
        settle(self.reservation, tokens, micros, [part[0] for part in parts], town_extra=failed)
        self.reservation = None
        quotas = self.quotas or QuotaSettings.current()
        town, code_month = limits_for(self.code, quotas, self.started)[:2]
        ledgers = Ledger.objects.in_bulk([town.key, code_month.key], field_name="key")
        after_answer(self.started, ledgers.get(town.key), quotas)
        return percent_left(self.code, self.started, quotas, ledgers.get(code_month.key))
