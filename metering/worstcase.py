"""The worst case of an answer: what it may cost at most, as a function of its output limit.

`WorstCase` prices an answer for any output limit (so admission can shrink the limit to what
a ledger has left); `Question` builds it for a provider chain once the vendors' calibration
(metering.calibration) and the prices in force have been read, in the same round trip as
the ledgers (metering.admission.reserve).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection

from providers.models import Price

from . import calibration


@dataclass(frozen=True)
class WorstCase:
    """What an answer may cost at most, for an output limit `o` from `min_output` to
    `max_output`: `input_tokens + o` tokens, and in micro-euros `input_micros + o x
    output_rate` for the resident's ledgers (one provider writes the answer, at the dearest
    rates), plus `fallback_micros` on the town's (the other paid providers may bill the
    input too, see providers.chain). `provider`, `kind`, `model`: the first paid provider."""

    input_tokens: int
    max_output: int = 0
    min_output: int = 0
    input_micros: Decimal = Decimal(0)
    output_rate: Decimal = Decimal(0)  # micro-euros per output token
    fallback_micros: Decimal = Decimal(0)
    provider: tuple[str, str, str] = ("", "", "")

    @classmethod
    def fixed(cls, tokens: int, micros: int, extra_micros: int = 0) -> WorstCase:
        """A worst case of a known size, with no output to shrink."""
        return cls(tokens, input_micros=Decimal(micros), fallback_micros=Decimal(extra_micros))

    def queue(self, batch) -> None:
        """Nothing to read: the worst case is known."""

    def worst(self) -> WorstCase:
        return self

    def tokens(self, output: int) -> int:
        return self.input_tokens + output

    def micros(self, output: int) -> int:
        return math.ceil(self.input_micros + output * self.output_rate)

    def town_micros(self, output: int) -> int:
        return math.ceil(self.input_micros + self.fallback_micros + output * self.output_rate)

    def largest_output(self, lim, used_tokens, used_micros, held_tokens, held_micros):
        """The largest output limit (at most max_output) that fits what the ledger `lim`
        (metering.admission.Limit) has left; below 0 when not even the input fits."""
        best = self.max_output
        if lim.max_tokens is not None:
            best = min(best, lim.max_tokens - used_tokens - held_tokens - self.input_tokens)
        cost = self.town_micros if lim.reason == "budget" else self.micros
        if lim.max_micros is None or (lim.reason == "budget" and not cost(self.max_output)):
            return best  # a reservation that costs the town nothing is never refused for it
        room = lim.max_micros - used_micros - held_micros
        if self.output_rate:
            base = self.input_micros + (self.fallback_micros if lim.reason == "budget" else 0)
            best = min(best, math.floor((room - base) / self.output_rate))
            while best >= 0 and cost(best) > room:
                best -= 1  # rounding up to whole micro-euros may cost one token
        elif cost(0) > room:
            best = -1
        return best


@dataclass
class Question:
    """What one question needs: its input estimate (`ChatRequest.input_tokens_estimate()`),
    the output limit asked, the provider chain, when it was asked and the prices in force
    then by provider config id (filled here, read again at the settlement: the reservation
    and the settlement use the same price)."""

    estimate: int
    max_output: int
    chain: list
    when: object
    prices: dict = field(default_factory=dict)
    _queued: tuple = field(default=(None, None), repr=False)

    @property
    def paid(self) -> list:
        return [p for p in self.chain if p.kind != "offline"]

    @property
    def providers(self) -> list[str]:
        return [p.name[:80] for p in self.paid]

    @property
    def full_output(self) -> int:
        """The output limit of a full answer: the one asked, or a provider's own lower cap."""
        limits = [min(self.max_output, p.max_output_tokens or self.max_output) for p in self.paid]
        return max(limits, default=0)

    def queue(self, batch) -> None:
        """Read the calibration and the prices with the ledgers (one round trip)."""
        if not self.paid:
            return
        ratios = batch.run(*calibration.read_sql(self.providers))
        ids = [p.config.pk for p in self.paid if getattr(p.config, "pk", None)]
        prices = None
        if ids:
            query = PriceVersions(ids, self.when)
            prices = (query, batch.run(query.sql, query.params))
        self._queued = (ratios, prices)

    def _read_prices(self, queued) -> None:
        """The price in force per provider config: its latest version not after `when` (as
        providers.pricing.price_at); none (a zero price) for a provider never priced."""
        for price in queued[0].prices(queued[1].fetchall()) if queued else ():
            self.prices.setdefault(price.provider_id, price)
        for provider in self.paid:
            key = getattr(provider.config, "pk", None)
            if key not in self.prices:
                self.prices[key] = Price(provider=provider.config, effective_from=self.when)

    def worst(self) -> WorstCase:
        """One provider writes the answer: the input and output once, at the dearest rates,
        are the resident's. Every other paid provider may bill the input too (one that
        fails after accepting the request, see providers.chain): the town pays that, not the
        resident's allowance. The offline provider is free and counts no tokens. Each
        provider's input is our estimate times its calibration factor."""
        paid = self.paid
        if not paid:
            return WorstCase(0)
        ratios, prices = self._queued
        factors = calibration.factors(ratios.fetchall())
        self._read_prices(prices)
        # (less a hair: a ratio count / estimate times the same estimate is the count again)
        tokens_in = [
            math.ceil(self.estimate * calibration.factor_for(factors, p) - 1e-6) for p in paid
        ]
        prices = [self.prices[getattr(provider.config, "pk", None)] for provider in paid]
        inputs = [
            n * Decimal(price.eur_per_million_input)
            for n, price in zip(tokens_in, prices, strict=True)
        ]
        max_output = self.full_output
        first = paid[0]
        return WorstCase(
            input_tokens=max(tokens_in),
            max_output=max_output,
            min_output=min(settings.METER_MIN_OUTPUT_TOKENS, max_output),
            # € per million tokens x tokens = micro-euros
            input_micros=max(inputs),
            output_rate=max(Decimal(price.eur_per_million_output) for price in prices),
            fallback_micros=sum(inputs) - max(inputs),
            provider=(first.name[:80], first.kind[:20], (first.model or "")[:120]),
        )


class PriceVersions:
    """The price versions of these provider configs in force at `when`, latest first: the
    ORM's SQL (`sql`, `params`) to send in a batch, and its rows made Price objects with
    the ORM's conversions (`prices(rows)`: SQLite gives decimals as floats, dates as text)."""

    def __init__(self, config_ids: list[int], when):
        versions = Price.objects.filter(provider_id__in=config_ids, effective_from__lte=when)
        query = versions.order_by("provider_id", "-effective_from").query
        self.compiler = query.get_compiler(connection.alias)
        self.sql, self.params = self.compiler.as_sql()

    def prices(self, rows) -> list[Price]:
        columns = [column for column, _sql, _alias in self.compiler.select]
        converters = self.compiler.get_converters(columns)
        if converters:
            rows = self.compiler.apply_converters(rows, converters)
        names = [column.target.attname for column in columns]
        return [Price.from_db(connection.alias, names, list(row)) for row in rows]
