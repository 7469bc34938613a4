"""Prices in force at a given time, and the cost in euros of a Usage.

Cache reads (Usage.cached_tokens) cost the price's cached-input rate (the input rate when
none is set). Cache writes (Usage.cache_write_tokens, reported by Anthropic only) cost the
input rate times CACHE_WRITE_MULTIPLIER: Anthropic bills writes to the 5-minute cache, the
one we ask for, at 1.25x base input. A fixed multiplier keeps the Price model (three rates)
unchanged and the cost exact; other vendors report no writes, so for them nothing changes.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from .base import Usage
from .models import Price

MILLION = Decimal(1_000_000)
CACHE_WRITE_MULTIPLIER = Decimal("1.25")


def price_at(provider_config, when=None) -> Price:
    """The price version in force at `when` (now by default); a zero price (unsaved) when
    there is none, e.g. for the offline provider, which costs nothing."""
    when = when or timezone.now()
    price = None
    if provider_config is not None and provider_config.pk:
        price = (
            Price.objects.filter(provider=provider_config, effective_from__lte=when)
            .order_by("-effective_from")
            .first()
        )
    return price or Price(provider=provider_config, effective_from=when)


def cost_eur(usage: Usage, price: Price) -> Decimal:
    """Cache reads at the cached price, cache writes at the input price with the surcharge,
    the rest of the input and the output at theirs."""
    cached = min(usage.cached_tokens, usage.input_tokens)
    written = min(usage.cache_write_tokens, usage.input_tokens - cached)
    total = (
        (usage.input_tokens - cached - written) * price.eur_per_million_input
        + written * price.eur_per_million_input * CACHE_WRITE_MULTIPLIER
        + cached * price.cached_input_rate
        + usage.output_tokens * price.eur_per_million_output
    )
    return Decimal(total) / MILLION
