"""Estimated cost of a prompt with the active provider, for the comms playground."""

from dataclasses import dataclass
from decimal import Decimal

from providers.base import Usage
from providers.pricing import cost_eur, price_at
from providers.registry import active_provider


@dataclass
class CostEstimate:
    provider: str
    input_tokens: int
    max_output_tokens: int
    input_eur: Decimal | None
    worst_case_eur: Decimal | None
    note: str = ""


def estimate_cost(input_tokens: int, max_output_tokens: int) -> CostEstimate:
    """Input cost and worst case (with max output) at the active provider's current price;
    `input_eur` is None when no price is set for it (or providers are unavailable)."""
    try:
        provider = active_provider()
    except Exception as exc:  # noqa: BLE001 - the playground must still work without them
        return CostEstimate("?", input_tokens, max_output_tokens, None, None, str(exc)[:200])
    model = getattr(provider, "model", "")
    name = f"{provider.name} ({model})" if model else provider.name
    config = getattr(provider, "config", None)
    price = price_at(config)
    if price.pk is None and getattr(provider, "kind", "") != "offline":
        return CostEstimate(name, input_tokens, max_output_tokens, None, None, "no price set")
    return CostEstimate(
        name,
        input_tokens,
        max_output_tokens,
        cost_eur(Usage(input_tokens, 0, estimated=True), price),
        cost_eur(Usage(input_tokens, max_output_tokens, estimated=True), price),
    )
