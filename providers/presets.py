"""The kinds of provider an admin can add, the fields each needs, and list-price presets.

Prices are the vendors' public list prices per million tokens, converted to euros at
USD_TO_EUR where the vendor prices in dollars, as read on PRICES_CHECKED_ON from the pages
in PRICE_SOURCES. They only pre-fill the form: an admin can change them, and a price is
stored as a dated version (providers.models.Price) like any other. Update this module (and
its date) when vendors change their prices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .models import Kind

PRICES_CHECKED_ON = dt.date(2025, 10, 1)
USD_TO_EUR = Decimal("0.86")  # ECB reference rate around that date, rounded
PRICE_SOURCES = {
    Kind.OPENAI: "https://openai.com/api/pricing/",
    Kind.ANTHROPIC: "https://www.anthropic.com/pricing#api",
    Kind.MISTRAL: "https://mistral.ai/pricing#api-pricing",
    "albert": "https://albert.sites.beta.gouv.fr/",
}


@dataclass(frozen=True)
class ModelPreset:
    model: str
    label: str
    usd_input: Decimal  # per million tokens
    usd_output: Decimal
    usd_cached: Decimal | None = None

    def eur(self, usd: Decimal | None) -> Decimal | None:
        return None if usd is None else (usd * USD_TO_EUR).quantize(Decimal("0.0001"))

    @property
    def eur_input(self) -> Decimal:
        return self.eur(self.usd_input)

    @property
    def eur_output(self) -> Decimal:
        return self.eur(self.usd_output)

    @property
    def eur_cached(self) -> Decimal | None:
        return self.eur(self.usd_cached)


def _m(model, label, usd_in, usd_out, usd_cached=None) -> ModelPreset:
    cached = Decimal(usd_cached) if usd_cached is not None else None
    return ModelPreset(model, label, Decimal(usd_in), Decimal(usd_out), cached)


@dataclass(frozen=True)
class Choice:
    """One button of "Add a provider": a kind of the model, the fields its form shows and
    what they start with."""

    key: str
    kind: str
    title: str
    purpose: str
    fields: tuple[str, ...]
    base_url: str = ""
    key_env: str = ""
    models: tuple[ModelPreset, ...] = ()


CHOICES = (
    Choice(
        "openai",
        Kind.OPENAI,
        _("OpenAI (ChatGPT)"),
        _("The American vendor of ChatGPT. Needs an API key from platform.openai.com."),
        ("name", "model", "api_key"),
        key_env="OPENAI_API_KEY",
        models=(
            _m("gpt-4o-mini", "GPT-4o mini", "0.15", "0.60", "0.075"),
            _m("gpt-4.1-mini", "GPT-4.1 mini", "0.40", "1.60", "0.10"),
            _m("gpt-4.1-nano", "GPT-4.1 nano", "0.10", "0.40", "0.025"),
            _m("gpt-4.1", "GPT-4.1", "2.00", "8.00", "0.50"),
        ),
    ),
    Choice(
        "anthropic",
        Kind.ANTHROPIC,
        _("Claude (Anthropic)"),
        _("The American vendor of Claude. Needs an API key from console.anthropic.com."),
        ("name", "model", "api_key"),
        key_env="ANTHROPIC_API_KEY",
        models=(
            _m("claude-haiku-4-5", "Claude Haiku 4.5", "1.00", "5.00", "0.10"),
            _m("claude-sonnet-4-5", "Claude Sonnet 4.5", "3.00", "15.00", "0.30"),
        ),
    ),
    Choice(
        "mistral",
        Kind.MISTRAL,
        _("Mistral AI"),
        _("The French vendor, hosted in Europe. Needs an API key from console.mistral.ai."),
        ("name", "model", "api_key"),
        key_env="MISTRAL_API_KEY",
        models=(
            _m("mistral-small-latest", "Mistral Small", "0.10", "0.30"),
            _m("mistral-medium-latest", "Mistral Medium", "0.40", "2.00"),
            _m("mistral-large-latest", "Mistral Large", "2.00", "6.00"),
        ),
    ),
    Choice(
        "albert",
        Kind.OPENAI_COMPATIBLE,
        _("Albert (French State) or another OpenAI-compatible service"),
        _(
            "Albert is the State's service for public bodies (free for them); any service that "
            "speaks OpenAI's protocol works the same way: give its address and key."
        ),
        ("name", "model", "base_url", "api_key"),
        base_url="https://albert.api.etalab.gouv.fr/v1",
        key_env="ALBERT_API_KEY",
        models=(
            _m("albert-large", "Albert large", "0", "0"),
            _m("albert-small", "Albert small", "0", "0"),
        ),
    ),
    Choice(
        "local",
        Kind.OPENAI_COMPATIBLE,
        _("A model run by the town (Ollama, vLLM…)"),
        _("A server in the town's own premises: nothing leaves them, no price per answer."),
        ("name", "model", "base_url", "api_key"),
        base_url="http://127.0.0.1:11434/v1",
    ),
)
BY_KEY = {choice.key: choice for choice in CHOICES}


def preset_for(choice: Choice, model: str) -> ModelPreset | None:
    return next((preset for preset in choice.models if preset.model == model), None)


def source_of(choice: Choice) -> str:
    return PRICE_SOURCES.get(choice.key) or PRICE_SOURCES.get(choice.kind, "")
