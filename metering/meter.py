"""The chat view's admission seam: reserve an answer's worst case, then settle it exactly once."""

from __future__ import annotations

import asyncio
import random
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from accesscodes.models import AccessCode
from providers.pricing import cost_eur, price_at

from . import calibration, overuse
from .admission import AdmissionRefused, limits_for, reserve, settle
from .alerts import after_answer, budget_spent
from .allowance import percent_left
from .models import QuotaSettings, Reservation, UsageRecord, to_micros
from .worstcase import Question, WorstCase


class Metering:
    """The chat view's admission seam for one code (see arcachat.chat): `reserve()` holds the
    worst case atomically or raises AdmissionRefused, and sets `output_tokens`, the output
    limit granted (shrunk below the one asked when what is left cannot hold a full answer:
    then `shrunk`);
    `settle()` is then called exactly once, even if the browser left. Both run in a worker
    thread (they use the ORM)."""

    def __init__(self, code: AccessCode):
        self.code = code
        self.reservation: Reservation | None = None
        self.started = timezone.now()
        self.quotas: QuotaSettings | None = None
        self.offline_only = False
        self.estimate = 0
        self.output_tokens: int | None = None
        self.shrunk = False  # the output limit granted is below a full answer's
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

    def reserve(
        self, *, estimated_input_tokens: int, max_output_tokens: int, chain=(), may_wait=False
    ) -> bool:
        """Hold the worst case; returns True if only the free offline provider may answer.
        With `may_wait`, a question that answers under way leave no room for is refused
        with `may_wait` set (see `wait_for_room`) rather than for good."""
        self.quotas = QuotaSettings.current()
        self.estimate = estimated_input_tokens
        question = Question(
            estimated_input_tokens, max_output_tokens, list(chain), self.started, self._prices
        )
        try:
            self.reservation = reserve(self.code, question, self.started, self.quotas)
        except AdmissionRefused as exc:
            if exc.may_wait and may_wait:
                raise
            if exc.reason == "budget":
                budget_spent(self.started)  # the 100 % alert, once a month
            if exc.reason != "budget" or not self.quotas.offline_when_paused:
                exc.may_wait = False
                raise
            self.offline_only = True
            self.reservation = reserve(self.code, WorstCase(0), self.started, self.quotas)
        if question.paid and not self.offline_only:
            self.output_tokens = self.reservation.output_tokens
            self.shrunk = self.output_tokens < question.full_output
        return self.offline_only

    def _record(self, usage, outcome, provider, latency_ms) -> tuple[UsageRecord, int, int]:
        """A usage record for one provider's part, and the (tokens, micro-euros) it costs."""
        config = getattr(provider, "config", None)
        kind = getattr(provider, "kind", "")
        price = self.price(config)
        line = UsageRecord.Line.RESIDENT if self.code is not None else UsageRecord.Line.STAFF
        record = UsageRecord(
            code=self.code,
            line=line,  # no code: a staff draft (metering.staffline)
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

    def _calibration(self, usage, provider) -> list[tuple[str, list]]:
        """The statement that teaches the calibration this answer's input count (our own
        estimate when the vendor gave none: that is what is charged, ratio 1)."""
        if usage is None or not self.estimate:
            return []
        if getattr(provider, "kind", "offline") == "offline" or not usage.input_tokens:
            return []
        ratio = usage.input_tokens / self.estimate
        return [calibration.upsert_sql(provider, self.reservation.pk, ratio, self.started)]

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
        learn = self._calibration(usage if provider else None, provider)
        counts = overuse.code_queries(self.code, self.started)
        ledgers, found = settle(
            self.reservation,
            tokens,
            micros,
            [part[0] for part in parts],
            town_extra=failed,
            also=[*learn, *counts],
        )
        self.reservation = None
        if ledgers is None:
            return None  # charged as lost meanwhile (it outlived METER_RESERVATION_MINUTES)
        quotas = self.quotas or QuotaSettings.current()
        town, code_month = limits_for(self.code, quotas, self.started)[:2]
        after_answer(self.started, ledgers.get(town.key), quotas)
        month = ledgers.get(code_month.key)
        overuse.check_code(self.code, self.started, found[len(learn) :], month, quotas)
        return percent_left(self.code, self.started, quotas, month)


WAIT_FIRST_PAUSE = 0.05  # seconds before the first try again, doubled up to the longest
WAIT_LONGEST_PAUSE = 1.0


async def wait_for_room(attempt):
    """Try `attempt(may_wait)` (a function reserving, run in a worker thread) again while it
    raises AdmissionRefused with `may_wait`: answers under way hold what the question needs,
    and it may fit once they are settled. The event loop waits, not a request thread; the
    last try, after METER_WAIT_SECONDS, is made with may_wait=False (a refusal for good)."""
    deadline = time.monotonic() + settings.METER_WAIT_SECONDS
    pause = WAIT_FIRST_PAUSE
    while True:
        await asyncio.sleep(pause * random.uniform(0.5, 1.5))  # waiting questions spread out
        pause = min(2 * pause, WAIT_LONGEST_PAUSE)
        last = time.monotonic() + pause >= deadline
        try:
            return await sync_to_async(attempt)(not last)
        except AdmissionRefused as exc:
            if not exc.may_wait or last:
                raise
